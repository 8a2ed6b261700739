"""Demo steps of the wijken app: the two demo zones and one user per role per zone."""

from __future__ import annotations

import json

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon

from .demo import DATA_DIR, DEMO_PASSWORD, DemoContext, demo_step
from .models import Membership, Role, Zone

DEMO_ZONES = [
    {
        "slug": "oostende",
        "name": "PZ Oostende",
        "code": "5451",
        "country": Zone.Country.BE,
        "languages": ["nl", "fr", "en"],
        "emergency_number": "112",
        "non_emergency_number": "059 70 11 11",
        "boundary_file": "pz_oostende.geojson",
        "users": {
            Role.BEHEERDER: ("Bram", "Beheer"),
            Role.TEAMCHEF: ("Tine", "Vandamme"),
            Role.WIJKINSPECTEUR: ("Wout", "Declercq"),
            Role.MEDEWERKER: ("Mieke", "Verhaeghe"),
            Role.BESTUUR: ("Bert", "Schepens"),
            Role.PARTNER: ("Pia", "Vanhoutte"),
        },
    },
    {
        "slug": "deventer",
        "name": "Basisteam Deventer",
        "code": "ON-IJZ-DV",
        "country": Zone.Country.NL,
        "languages": ["nl", "en"],
        "emergency_number": "112",
        "non_emergency_number": "0900-8844",
        "boundary_file": "gemeente_deventer.geojson",
        "users": {
            Role.BEHEERDER: ("Bas", "Bakker"),
            Role.TEAMCHEF: ("Eva", "Jansen"),
            Role.WIJKINSPECTEUR: ("Joost", "Visser"),
            Role.MEDEWERKER: ("Fleur", "de Boer"),
            Role.BESTUUR: ("Ron", "Mulder"),
            Role.PARTNER: ("Lotte", "Smit"),
        },
    },
]


def read_multipolygon(filename: str) -> MultiPolygon:
    """The union of all features of a GeoJSON file in data/, as one MultiPolygon in SRID 4326."""
    features = json.loads((DATA_DIR / filename).read_text())["features"]
    geometry = None
    for feature in features:
        part = GEOSGeometry(json.dumps(feature["geometry"]), srid=4326)
        geometry = part if geometry is None else geometry.union(part)
    if geometry.geom_type == "Polygon":
        geometry = MultiPolygon(geometry, srid=4326)
    return geometry


def beheerder_group() -> Group:
    """Beheerders use the Django admin for their zone: model permissions on the project's own apps."""
    group, _ = Group.objects.get_or_create(name="Beheerders")
    apps = ["wijken", "partners", "sectorscans", "meldingen", "buurtgesprekken", "rapportage"]
    group.permissions.set(Permission.objects.filter(content_type__app_label__in=apps))
    return group


@demo_step(10, "zones and users")
def load_zones_and_users(ctx: DemoContext) -> None:
    User = get_user_model()
    group = beheerder_group()
    for spec in DEMO_ZONES:
        zone, _ = Zone.objects.update_or_create(
            slug=spec["slug"],
            defaults={
                "name": spec["name"],
                "code": spec["code"],
                "country": spec["country"],
                "languages": spec["languages"],
                "emergency_number": spec["emergency_number"],
                "non_emergency_number": spec["non_emergency_number"],
                "boundary": read_multipolygon(spec["boundary_file"]),
            },
        )
        ctx.zones[zone.slug] = zone
        for role, (first, last) in spec["users"].items():
            username = f"{zone.slug}-{role}"
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last, "email": f"{username}@demo.wijkwerk.local"},
            )
            if created:
                user.set_password(DEMO_PASSWORD)
            user.is_staff = role == Role.BEHEERDER  # the admin is the beheerder's tool
            user.save()
            if role == Role.BEHEERDER:
                user.groups.add(group)
            Membership.objects.update_or_create(zone=zone, user=user, defaults={"role": role, "is_active": True})
            ctx.logins.append((zone.name, str(Role(role).label), username))
    ctx.summary.append(f"zones: {', '.join(z.name for z in ctx.zones.values())}")
