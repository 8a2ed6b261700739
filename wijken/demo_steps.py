"""Demo steps of the wijken app: the two demo zones and one user per role per zone; the real wijken of
Oostende and Deventer; invented wijkinspecteurs with history, a wijkteam and a stand-in; contactpunten with
spreekuren and holiday closures; the real Oostende addresses. Every step is idempotent (update_or_create on a
natural key); dates that matter today (the stand-in, the next holidays) follow the day the demo is loaded."""

from __future__ import annotations

import csv
import datetime
import json

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Point
from django.utils import timezone
from django_scopes import scope

from .demo import DATA_DIR, DEMO_PASSWORD, DemoContext, demo_step
from .importers import import_adressen, import_wijken
from .models import (
    Address,
    Assignment,
    Contactpunt,
    Membership,
    Role,
    Spreekuur,
    SpreekuurException,
    Wijk,
    Wijkinspecteur,
    Zone,
)

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
    # One person in two zones, to show the zone switcher in the header.
    user, created = User.objects.get_or_create(
        username="twee-zones",
        defaults={"first_name": "Sam", "last_name": "Peeters", "email": "twee-zones@demo.wijkwerk.local"},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    for slug, role in (("oostende", Role.TEAMCHEF), ("deventer", Role.BESTUUR)):
        Membership.objects.update_or_create(zone=ctx.zones[slug], user=user, defaults={"role": role, "is_active": True})
    ctx.logins.append(("PZ Oostende + Deventer", f"{Role.TEAMCHEF.label} / {Role.BESTUUR.label}", user.username))
    ctx.summary.append(f"zones: {', '.join(z.name for z in ctx.zones.values())}")


# --- Wijken, wijkinspecteurs, contactpunten, spreekuren, addresses -----------------------------------------

# Both boundary sets are the 2024 layers; the demo history (rotations, assignments) starts on this day.
BOUNDARY_VERSION = datetime.date(2024, 1, 1)

# Oostende's wijken file has no population; ~72,000 inhabitants spread by what each wijk is (harbour, beach,
# village) — invented, but in proportion.
OOSTENDE_INHABITANTS = {
    "35013CE": 11_800,  # Centrum
    "35013VU": 7_900,  # Vuurtoren
    "35013ST": 9_600,  # Stene
    "35013KM": 8_700,  # Konterdam - Meiboom
    "35013ZA": 4_300,  # Zandvoorde
    "35013WV": 12_900,  # Westerkwartier - Vlaams Plein
    "35013MN": 11_200,  # Mariakerke - Nieuwe Koers
    "35013RA": 5_600,  # Raversijde
}
OOSTENDE_POLITIEWIJKEN = {
    "35013PW-N": ("Politiewijk Noord", ["35013CE", "35013VU"]),
    "35013PW-O": ("Politiewijk Oost", ["35013ST", "35013KM", "35013ZA"]),
    "35013PW-W": ("Politiewijk West", ["35013WV", "35013MN", "35013RA"]),
}


@demo_step(20, "wijken")
def load_wijken(ctx: DemoContext) -> None:
    oostende, deventer = _zone(ctx, "oostende"), _zone(ctx, "deventer")
    reports = [
        import_wijken(
            zone=oostende,
            path=DATA_DIR / "oostende_wijken.geojson",
            name_field="naam",
            code_field="code",
            valid_from=BOUNDARY_VERSION,
        ),
        import_wijken(
            zone=deventer,
            path=DATA_DIR / "deventer_wijken_2024.geojson",
            name_field="wijknaam",
            code_field="wijkcode",
            inhabitants_field="aantal_inwoners",
            valid_from=BOUNDARY_VERSION,
        ),
    ]
    with scope(zone=oostende.pk):
        wijken = {w.code: w for w in Wijk.objects.filter(valid_from=BOUNDARY_VERSION)}
        for code, inhabitants in OOSTENDE_INHABITANTS.items():
            wijken[code].inhabitants = inhabitants
        for code, (name, children) in OOSTENDE_POLITIEWIJKEN.items():
            boundary = wijken[children[0]].boundary
            for child in children[1:]:
                boundary = boundary.union(wijken[child].boundary)
            if boundary.geom_type == "Polygon":
                boundary = MultiPolygon(boundary, srid=4326)
            parent, _ = Wijk.objects.update_or_create(
                zone=oostende,
                code=code,
                valid_from=BOUNDARY_VERSION,
                defaults={
                    "name": name,
                    "kind": Wijk.Kind.POLITIEWIJK,
                    "boundary": boundary,
                    "inhabitants": sum(OOSTENDE_INHABITANTS[c] for c in children),
                },
            )
            for child in children:
                wijken[child].parent = parent
        for wijk in wijken.values():
            if wijk.kind == Wijk.Kind.WIJK:
                wijk.save(update_fields=["inhabitants", "parent"])
    ctx.summary.append(
        f"wijken: {oostende.name} 8 in 3 politiewijken, {deventer.name} 15 (boundary checks: "
        + "; ".join(f"{len(r.overlaps)} overlaps, {len(r.gaps)} gaps" for r in reports)
        + " — simplified open data)"
    )


def _zone(ctx: DemoContext, slug: str) -> Zone:
    return ctx.zones.get(slug) or Zone.objects.get(slug=slug)


# (key, name, rank, languages, introduction, active). Invented people.
OOSTENDE_OFFICERS = [
    ("wout", "Wout Declercq", "Inspecteur", ["nl", "fr", "en"],
     "Ik ben sinds vorig jaar uw wijkinspecteur in het centrum. U vindt me vaak te voet rond de Wapenplein en in "
     "de winkelstraten. Spreek me gerust aan.", True),
    ("sofie", "Sofie Vanneste", "Hoofdinspecteur", ["nl", "fr"],
     "Al twaalf jaar wijkinspecteur op de Vuurtorenwijk. Ik werk nauw samen met de buurtwerkers en de scholen.",
     True),
    ("pieter", "Pieter Dewulf", "Inspecteur", ["nl", "en"],
     "Ik ken Stene nog van toen ik hier opgroeide. Verkeersveiligheid rond de scholen is mijn prioriteit.", True),
    ("katrien", "Katrien Goethals", "Inspecteur", ["nl", "fr", "de"],
     "Uw aanspreekpunt in Konterdam en Meiboom, voor een vraag, een zorg of een idee voor de buurt.", True),
    ("jens", "Jens Vermeersch", "Inspecteur", ["nl", "en"],
     "Sinds september vorig jaar wijkinspecteur in Zandvoorde. Op vrijdag zit ik in het dorpshuis.", True),
    ("lien", "Lien Demuynck", "Hoofdinspecteur", ["nl", "fr", "en"],
     "Wijkinspecteur van het Westerkwartier en het Vlaams Plein. Tijdens mijn afwezigheid helpt inspecteur "
     "Annelies Maes u graag verder.", True),
    ("dries", "Dries Vandenberghe", "Inspecteur", ["nl", "fr"],
     "Ik werk in Mariakerke en de Nieuwe Koers, van de zeedijk tot de Stokkellaan.", True),
    ("hanne", "Hanne Lannoo", "Inspecteur", ["nl", "en"],
     "Raversijde is mijn wijk: rustig, maar in de zomer druk aan de kust. Kom gerust langs op mijn spreekuur.",
     True),
    ("annelies", "Annelies Maes", "Inspecteur", ["nl", "fr", "en"],
     "Lid van het wijkteam Centrum en nu de vervanger van hoofdinspecteur Lien Demuynck in het Westerkwartier.",
     True),
    ("tom", "Tom Verstraete", "Inspecteur", ["nl", "fr"],
     "Na vier jaar in Stene versterk ik nu het wijkteam in het Westerkwartier.", True),
    ("marc", "Marc Pauwels", "Hoofdinspecteur", ["nl", "fr"],
     "Was wijkinspecteur van het centrum tot zijn pensioen vorig jaar.", False),
]  # fmt: skip
DEVENTER_OFFICERS = [
    ("joost", "Joost Visser", "Wijkagent", ["nl", "en"],
     "Ik ben de wijkagent van de Binnenstad. Op de Brink en in de Walstraat ziet u me bijna elke dag.", True),
    ("sanne", "Sanne de Vries", "Wijkagent", ["nl", "en", "de"],
     "Wijkagent voor De Hoven en de Rivierenwijk met Bergweide, aan beide kanten van de IJssel.", True),
    ("mohamed", "Mohamed El Amrani", "Wijkagent", ["nl", "en", "fr"],
     "Sinds vorig jaar wijkagent in de Zandweerd. Ik zoek samen met bewoners naar oplossingen.", True),
    ("linda", "Linda Hofman", "Wijkagent", ["nl", "en"],
     "Na jaren in de Zandweerd ben ik nu uw wijkagent in de Voorstad.", True),
    ("erik", "Erik Brouwer", "Wijkagent", ["nl", "de"],
     "Wijkagent van Borgele en Platvoet. Vragen over woninginbraak of overlast? Neem contact op.", True),
    ("anouk", "Anouk Smeenk", "Senior wijkagent", ["nl", "en"],
     "Wijkagent van Keizerslanden. Tijdens mijn verlof is Thijs Oosterhuis uw aanspreekpunt.", True),
    ("ruben", "Ruben Kuipers", "Wijkagent", ["nl", "en"],
     "Ik werk in Colmschate-Noord en Colmschate-Zuid, vaak op de fiets.", True),
    ("esther", "Esther Wolters", "Wijkagent", ["nl", "en", "de"],
     "Wijkagent van Colmschate-Vijfhoek. Samen met de jongerenwerkers houd ik de wijk veilig.", True),
    ("gerritjan", "Gerrit Jan Haverkamp", "Wijkagent", ["nl", "de"],
     "Wijkagent van Diepenveen en Okkenbroek: landelijk, maar u kunt altijd bij mij terecht.", True),
    ("marloes", "Marloes Nijhof", "Wijkagent", ["nl", "en"],
     "Uw wijkagent in Schalkhaar. Op woensdag houd ik spreekuur in het dorpshuis.", True),
    ("henk", "Henk ter Horst", "Wijkagent", ["nl", "de"],
     "Wijkagent van Bathmen en Lettele. Ik ken de boerderijen en de dorpskernen goed.", True),
    ("thijs", "Thijs Oosterhuis", "Wijkagent", ["nl", "en"],
     "Lid van het wijkteam Colmschate en nu in Keizerslanden de vervanger van wijkagent Anouk Smeenk.", True),
    ("wim", "Wim Bosch", "Wijkagent", ["nl"],
     "Was wijkagent in de Voorstad tot zijn pensioen vorig jaar.", False),
]  # fmt: skip
DEMO_USERS_PROFILE = {"oostende": "wout", "deventer": "joost"}  # the demo login `<zone>-wijkinspecteur`

# (officer, wijk code, role, period). Periods: "history" ran from the boundary version to the rotation last
# year; "current" runs since that rotation; "standin" is active today (the main officer is away).
OOSTENDE_ASSIGNMENTS = [
    ("marc", "35013CE", "wijkinspecteur", "history"),
    ("tom", "35013ST", "wijkinspecteur", "history"),
    ("pieter", "35013ZA", "wijkinspecteur", "history"),
    ("wout", "35013CE", "wijkinspecteur", "current"),
    ("sofie", "35013VU", "wijkinspecteur", "since-start"),
    ("pieter", "35013ST", "wijkinspecteur", "current"),
    ("katrien", "35013KM", "wijkinspecteur", "since-start"),
    ("jens", "35013ZA", "wijkinspecteur", "current"),
    ("lien", "35013WV", "wijkinspecteur", "since-start"),
    ("dries", "35013MN", "wijkinspecteur", "since-start"),
    ("hanne", "35013RA", "wijkinspecteur", "since-start"),
    ("annelies", "35013CE", "wijkteam", "since-start"),
    ("tom", "35013WV", "wijkteam", "current"),
    ("annelies", "35013WV", "standin", "standin"),
]
DEVENTER_ASSIGNMENTS = [
    ("wim", "WK015004", "wijkinspecteur", "history"),
    ("linda", "WK015003", "wijkinspecteur", "history"),
    ("joost", "WK015001", "wijkinspecteur", "since-start"),
    ("sanne", "WK015002", "wijkinspecteur", "since-start"),
    ("sanne", "WK015007", "wijkinspecteur", "since-start"),
    ("mohamed", "WK015003", "wijkinspecteur", "current"),
    ("linda", "WK015004", "wijkinspecteur", "current"),
    ("erik", "WK015005", "wijkinspecteur", "since-start"),
    ("anouk", "WK015006", "wijkinspecteur", "since-start"),
    ("ruben", "WK015008", "wijkinspecteur", "since-start"),
    ("esther", "WK015009", "wijkinspecteur", "since-start"),
    ("ruben", "WK015010", "wijkinspecteur", "since-start"),
    ("gerritjan", "WK015011", "wijkinspecteur", "since-start"),
    ("marloes", "WK015012", "wijkinspecteur", "since-start"),
    ("gerritjan", "WK015013", "wijkinspecteur", "since-start"),
    ("henk", "WK015014", "wijkinspecteur", "since-start"),
    ("henk", "WK015015", "wijkinspecteur", "since-start"),
    ("mohamed", "WK015001", "wijkteam", "current"),
    ("thijs", "WK015009", "wijkteam", "since-start"),
    ("thijs", "WK015006", "standin", "standin"),
]


def _email(name: str) -> str:
    return f"{name.lower().replace(' ', '.')}@demo.wijkwerk.local"


def _periods(today: datetime.date) -> dict[str, tuple[datetime.date, datetime.date | None, str]]:
    rotation = datetime.date(today.year - 1, 9, 1)
    return {
        "history": (BOUNDARY_VERSION, rotation - datetime.timedelta(days=1), "Rotatie in september."),
        "current": (rotation, None, ""),
        "since-start": (BOUNDARY_VERSION, None, ""),
        "standin": (
            today - datetime.timedelta(days=12),
            today + datetime.timedelta(days=30),
            "Vervanging tijdens verlof.",
        ),
    }


@demo_step(25, "wijkinspecteurs and assignments")
def load_wijkinspecteurs(ctx: DemoContext) -> None:
    User = get_user_model()
    periods = _periods(timezone.localdate())
    counts = []
    for slug, officers, assignments, phone_prefix in (
        ("oostende", OOSTENDE_OFFICERS, OOSTENDE_ASSIGNMENTS, "059 70 12 "),
        ("deventer", DEVENTER_OFFICERS, DEVENTER_ASSIGNMENTS, None),
    ):
        zone = _zone(ctx, slug)
        with scope(zone=zone.pk):
            profiles = {}
            for number, (key, name, rank, languages, intro, active) in enumerate(officers, start=1):
                email = _email(name)
                user = None
                if DEMO_USERS_PROFILE[slug] == key:
                    user = User.objects.filter(username=f"{slug}-wijkinspecteur").first()
                profile, _ = Wijkinspecteur.objects.update_or_create(
                    zone=zone,
                    email=email,
                    defaults={
                        "display_name": name,
                        "rank": rank,
                        "user": user,
                        # Dutch wijkagenten are reached through the national non-emergency number.
                        "phone": f"{phone_prefix}{10 + number:02d}" if phone_prefix else "0900-8844",
                        "introduction": intro,
                        "languages": languages,
                        "is_active": active,
                    },
                )
                profiles[key] = profile
            wijken = {w.code: w for w in Wijk.objects.filter(valid_from=BOUNDARY_VERSION)}
            for key, code, role, period in assignments:
                starts_on, ends_on, note = periods[period]
                if role == Assignment.AssignmentRole.STANDIN:
                    main = next(k for k, c, r, p in assignments if c == code and r == "wijkinspecteur")
                    note = f"Vervangt {profiles[main].display_name} tijdens verlof."
                assignment, _ = Assignment.objects.update_or_create(
                    zone=zone,
                    wijkinspecteur=profiles[key],
                    wijk=wijken[code],
                    role=role,
                    defaults={"starts_on": starts_on, "ends_on": ends_on, "note": note},
                )
                assignment.full_clean()
            counts.append(f"{zone.name} {len(profiles)}")
    ctx.summary.append("wijkinspecteurs: " + ", ".join(counts) + " (with history, a wijkteam and a stand-in)")


# (name, kind, wijk code, street, number, postcode, phone, 24/7, weekly hours, notes). Weekly hours:
# (weekday 0=Monday, from, until, officer key, by appointment). Invented places at real streets (Oostende:
# the address point of the CRAB file, so inside the wijk) or in the wijk (Deventer: a point on its surface).
OOSTENDE_CONTACTPUNTEN = [
    ("Politiehuis Oostende", "politiekantoor", "35013CE", "Alfons Pieterslaan", "2", "8400", "059 70 11 11", True,
     [], "Onthaal dag en nacht open. Voor dringende hulp: bel 112."),
    ("Wijkkantoor Centrum", "wijkkantoor", "35013CE", "Kapellestraat", "10", "8400", "059 70 12 11", False,
     [(0, "09:00", "12:00", "wout", False), (2, "14:00", "17:00", "annelies", True)], ""),
    ("Wijkkantoor Stene", "wijkkantoor", "35013ST", "Stenedorpstraat", "5", "8400", "059 70 12 13", False,
     [(1, "09:00", "12:00", "pieter", False), (3, "16:00", "19:00", "pieter", False)], ""),
    ("Wijkkantoor Mariakerke", "wijkkantoor", "35013MN", "Dorpsstraat", "3", "8400", "059 70 12 17", False,
     [(2, "09:00", "12:00", "dries", False), (5, "10:00", "12:00", "hanne", True)], "Parkeren op het dorpsplein."),
    ("Ontmoetingscentrum Het Kompas", "antennepunt", "35013VU", "Taboralaan", "20", "8400", "", False,
     [(3, "10:00", "12:00", "sofie", False)], "In de cafetaria van het ontmoetingscentrum."),
    ("Buurthuis De Meiboom", "antennepunt", "35013KM", "Nieuwelangestraat", "12", "8400", "", False,
     [(0, "14:00", "16:00", "katrien", False)], ""),
    ("Dorpshuis Zandvoorde", "antennepunt", "35013ZA", "Zandvoordedorpstraat", "8", "8400", "", False,
     [(4, "14:00", "16:00", "jens", True)], "Alleen op afspraak: bel of mail de wijkinspecteur."),
    ("Buurtcentrum De Branding", "antennepunt", "35013WV", "Leffingestraat", "15", "8400", "", False,
     [(1, "14:00", "16:00", "lien", False)], ""),
    ("Ontmoetingsruimte Duinenzicht", "antennepunt", "35013RA", "Duinenstraat", "10", "8400", "", False,
     [(2, "10:00", "12:00", "hanne", True)], ""),
]  # fmt: skip
DEVENTER_CONTACTPUNTEN = [
    ("Politiebureau Deventer", "politiekantoor", "WK015001", "Keizerstraat", "40", "7411 HE", "0900-8844", True,
     [], "Balie dag en nacht open. Voor dringende hulp: bel 112."),
    ("Wijkpost Keizerslanden", "wijkkantoor", "WK015006", "Karel de Grotestraat", "2", "7415 CA", "0900-8844", False,
     [(1, "09:00", "11:00", "anouk", False), (3, "14:00", "16:00", "thijs", True)], ""),
    ("Wijkpost Colmschate", "wijkkantoor", "WK015009", "Vijfhoek", "1", "7429 AA", "0900-8844", False,
     [(2, "13:00", "15:00", "esther", False), (4, "09:00", "11:00", "ruben", True)], ""),
    ("Buurthuis De Hoven", "antennepunt", "WK015002", "Rijksstraatweg", "20", "7391 MG", "", False,
     [(0, "10:00", "12:00", "sanne", False)], ""),
    ("Wijkcentrum De Zandweerd", "antennepunt", "WK015003", "Hyacinthstraat", "12", "7416 SC", "", False,
     [(1, "14:00", "16:00", "mohamed", False)], "In de ontmoetingsruimte op de begane grond."),
    ("Dorpshuis Schalkhaar", "antennepunt", "WK015012", "Dorpsstraat", "6", "7433 CK", "", False,
     [(2, "10:00", "12:00", "marloes", False)], ""),
    ("Dorpshuis Bathmen", "antennepunt", "WK015015", "Dorpsstraat", "11", "7437 AB", "", False,
     [(3, "19:00", "20:30", "henk", True)], "Alleen op afspraak."),
]  # fmt: skip
# (month, day, reason) of public holidays on which the wijkkantoren and antennepunten close.
HOLIDAYS = {
    "oostende": [(12, 25, "Kerstmis"), (1, 1, "Nieuwjaar"), (11, 11, "Wapenstilstand")],
    "deventer": [(12, 25, "Eerste Kerstdag"), (1, 1, "Nieuwjaarsdag"), (4, 27, "Koningsdag")],
}
BRINK = Point(6.1603, 52.2552, srid=4326)  # the Brink in Deventer, inside WK015001


def _next(today: datetime.date, month: int, day: int) -> datetime.date:
    date = datetime.date(today.year, month, day)
    return date if date >= today else date.replace(year=today.year + 1)


def _oostende_points() -> dict[tuple[str, str], Point]:
    """(street, wijk code) -> the point of one real address on that street in that wijk (the lowest number,
    or the number asked for), from the CRAB file that the demo also imports."""
    wanted = {(c[3], c[2]): c[4] for c in OOSTENDE_CONTACTPUNTEN}
    points: dict[tuple[str, str], tuple[bool, Point]] = {}
    with (DATA_DIR / "oostende_adressen_crab2014.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            key = (row["street"], row["wijk_code"])
            if key in wanted and (key not in points or (row["housenumber"] == wanted[key] and not points[key][0])):
                points[key] = (
                    row["housenumber"] == wanted[key],
                    Point(float(row["lon"]), float(row["lat"]), srid=4326),
                )
    return {key: point for key, (_exact, point) in points.items()}


@demo_step(30, "contactpunten and spreekuren")
def load_contactpunten(ctx: DemoContext) -> None:
    today = timezone.localdate()
    oostende_points = _oostende_points()
    counts = []
    for slug, places, municipality in (
        ("oostende", OOSTENDE_CONTACTPUNTEN, "Oostende"),
        ("deventer", DEVENTER_CONTACTPUNTEN, "Deventer"),
    ):
        zone = _zone(ctx, slug)
        with scope(zone=zone.pk):
            wijken = {w.code: w for w in Wijk.objects.filter(valid_from=BOUNDARY_VERSION)}
            by_email = {p.email: p for p in Wijkinspecteur.objects.all()}
            people = OOSTENDE_OFFICERS if slug == "oostende" else DEVENTER_OFFICERS
            officers = {key: by_email[_email(name)] for key, name, *_rest in people}
            hours = exceptions = 0
            for name, kind, code, street, number, postcode, phone, always, weekly, notes in places:
                wijk = wijken[code]
                if slug == "oostende":
                    point = oostende_points[(street, code)]
                else:
                    point = BRINK if wijk.boundary.covers(BRINK) else wijk.boundary.point_on_surface
                contactpunt, _ = Contactpunt.objects.update_or_create(
                    zone=zone,
                    name=name,
                    defaults={
                        "wijk": wijk,
                        "kind": kind,
                        "street": street,
                        "house_number": number,
                        "postcode": postcode,
                        "municipality": municipality,
                        "point": point,
                        "phone": phone,
                        "open_24_7": always,
                        "notes": notes,
                        "is_active": True,
                    },
                )
                contactpunt.full_clean()
                for weekday, start, end, officer, appointment in weekly:
                    Spreekuur.objects.update_or_create(
                        zone=zone,
                        contactpunt=contactpunt,
                        weekday=weekday,
                        starts_at=datetime.time.fromisoformat(start),
                        defaults={
                            "ends_at": datetime.time.fromisoformat(end),
                            "wijkinspecteur": officers[officer],
                            "by_appointment": appointment,
                        },
                    )
                    hours += 1
                if always:
                    continue
                for month, day, reason in HOLIDAYS[slug]:
                    SpreekuurException.objects.update_or_create(
                        zone=zone,
                        contactpunt=contactpunt,
                        date=_next(today, month, day),
                        defaults={"closed": True, "reason": reason},
                    )
                    exceptions += 1
            # One day with other hours instead of closed: the wijkkantoor opens shorter on New Year's Eve.
            first_office = next(p for p in places if p[1] == "wijkkantoor")
            SpreekuurException.objects.update_or_create(
                zone=zone,
                contactpunt=Contactpunt.objects.get(name=first_office[0]),
                date=_next(today, 12, 31),
                defaults={
                    "closed": False,
                    "starts_at": datetime.time(9, 0),
                    "ends_at": datetime.time(11, 0),
                    "reason": "Oudejaarsdag: korter open",
                },
            )
            counts.append(f"{zone.name} {len(places)} ({hours} weekly hours, {exceptions + 1} exceptions)")
    ctx.summary.append("contactpunten: " + ", ".join(counts))


OOSTENDE_ADDRESS_SOURCE = "CRAB 2014 (AGIV)"


@demo_step(35, "addresses")
def load_addresses(ctx: DemoContext) -> None:
    path = DATA_DIR / "oostende_adressen_crab2014.csv"
    with path.open(newline="") as handle:
        # Three CRAB numbers have two points in the file; the table keeps one per address.
        expected = len({(r["postcode"], r["street"], r["housenumber"]) for r in csv.DictReader(handle)})
    if Address.objects.filter(source=OOSTENDE_ADDRESS_SOURCE).count() == expected:
        ctx.summary.append(f"addresses: {expected:,} in Oostende (already loaded)")
        return
    report = import_adressen(path=path, source=OOSTENDE_ADDRESS_SOURCE, country=Address.Country.BE)
    ctx.summary.append(
        f"addresses: {expected:,} in Oostende ({report.created:,} new, {report.updated:,} changed, "
        f"{report.seconds:.1f} s)"
    )
