"""Demo step: a believable partner network in every wijk of the demo zones, with contact persons and a history
of visits and follow-up tasks. Everything is invented; addresses in Oostende are real CRAB address points
(data/ATTRIBUTION.md). Deterministic (seeded per wijk) and idempotent: a wijk that has partners is left as is."""

from __future__ import annotations

import csv
import datetime
import random
from collections import defaultdict

from django.contrib.gis.geos import Point
from django.db import transaction
from django.utils import timezone

from wijken.demo import DATA_DIR, DemoContext, demo_step
from wijken.models import Assignment, Wijk, Wijkinspecteur, Zone

from .models import ContactPerson, Partner, Visit
from .services import contact_create, partner_create, partner_types_ensure_defaults, task_complete, visit_log

# (type key, name templates); {w} is the wijk's name, {s} a street name.
ORGANISATIONS = {
    "buurtcomite": ["Buurtcomité {w}", "Bewonersgroep {s}", "Feestcomité {w}"],
    "handelaarsvereniging": ["Handelaarsvereniging {w}", "Winkeliers {s}"],
    "school": [
        "Basisschool De Regenboog",
        "Sint-Jozefsinstituut",
        "GO! Atheneum {w}",
        "Vrije Basisschool 't Klavertje",
    ],
    "jeugdwerk": ["Jeugdhuis De Schelp", "Chiro {w}", "Scouts Sint-Pieter", "Speelpleinwerking {w}"],
    "straathoekwerk": ["Straathoekwerk {w}", "Mobiel Jongerenwerk"],
    "buurtouders": ["Buurtvaders {w}", "Buurtmoeders {w}"],
    "religieus": ["Parochie Sint-Jan", "Moskee Al Nour", "Protestantse Kerk {w}"],
    "sociale-huisvesting": ["Woonmaatschappij Kust - wijkkantoor {w}", "Sociaal Verhuurkantoor {w}"],
    "zorginstelling": ["WZC Ter Duinen", "Dienstencentrum {w}", "Huisartsenpraktijk {s}"],
    "hulpverlening": ["CAW - onthaal {w}", "OCMW-antenne {w}", "Kind en Gezin {w}"],
    "stedelijke-dienst": ["Stadsdienst Preventie", "Gemeenschapswacht {w}", "Buurtwerk {w}"],
    "horeca": ["Café Den Anker", "Brasserie De Meeuw", "Frituur {s}", "Eetcafé 't Visserke"],
    "andere": ["Sportclub {w}", "Bibliotheek filiaal {w}", "Volkstuinen {s}"],
}
NL_ORGANISATIONS = {
    "buurtcomite": ["Wijkraad {w}", "Bewonersvereniging {s}"],
    "handelaarsvereniging": ["Ondernemersvereniging {w}"],
    "school": ["Openbare Basisschool De Vlinder", "Het Vlier", "Etty Hillesum Lyceum {w}"],
    "jeugdwerk": ["Jongerencentrum {w}", "Scouting {w}"],
    "sociale-huisvesting": ["Woonbedrijf Ieder1 - wijkteam {w}", "Rentree - huismeester {w}"],
    "hulpverlening": ["Sociaal Wijkteam {w}", "Raster Welzijn"],
    "stedelijke-dienst": ["Gemeente Deventer - wijkregisseur {w}"],
    "religieus": ["Protestantse Gemeente {w}"],
    "horeca": ["Eetcafé De Waag", "Snackbar {s}"],
    "zorginstelling": ["Carinova {w}"],
}
FUNCTIONS = ["Voorzitter", "Coördinator", "Directeur", "Zaakvoerder", "Secretaris", "Jeugdwerker", "Wijkregisseur"]
FIRST = [
    "An",
    "Bart",
    "Dirk",
    "Els",
    "Fatima",
    "Geert",
    "Hilde",
    "Ilse",
    "Jan",
    "Karim",
    "Lotte",
    "Marc",
    "Nadia",
    "Pieter",
    "Rik",
    "Sofie",
    "Tom",
    "Veerle",
    "Wim",
    "Yasmina",
    "Anke",
    "Mohamed",
    "Griet",
    "Koen",
]
LAST = [
    "Declercq",
    "Peeters",
    "Vermeersch",
    "Janssens",
    "Maes",
    "Claeys",
    "Goethals",
    "El Amrani",
    "Desmet",
    "Vandenberghe",
    "Lambrecht",
    "Mertens",
    "Wouters",
    "De Smet",
    "Boussaid",
    "Verstraete",
    "Dewulf",
]
NOTES = [
    "Kennismaking; wil graag op de hoogte blijven van buurtacties.",
    "Klachten over overlast van hangjongeren 's avonds aan het plein.",
    "Vraagt meer controle op snelheid in de schoolomgeving.",
    "Inbraakpreventie besproken; folder achtergelaten.",
    "Fietsdiefstallen aan het station; camera in aanvraag.",
    "Positief over het antennepunt; komt naar het volgende buurtgesprek.",
    "Zwerfvuil en sluikstort aan de glasbak gemeld.",
    "Parkeerproblemen bij leveringen besproken.",
]
TASKS = [
    "Folder inbraakpreventie bezorgen",
    "Terugkoppelen over snelheidscontrole",
    "Contact leggen met de stedelijke preventiedienst",
    "Uitnodiging buurtgesprek sturen",
    "Melding sluikstort doorgeven aan de stad",
]


def _addresses_by_wijk() -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = defaultdict(list)
    path = DATA_DIR / "oostende_adressen_crab2014.csv"
    if path.exists():
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                found[row["wijk_code"]].append(row)
    return found


def _point_in(wijk: Wijk, rng: random.Random) -> Point | None:
    if wijk.boundary is None:
        return None
    xmin, ymin, xmax, ymax = wijk.boundary.extent
    for _ in range(200):
        point = Point(rng.uniform(xmin, xmax), rng.uniform(ymin, ymax), srid=4326)
        if wijk.boundary.contains(point):
            return point
    return wijk.boundary.point_on_surface


def _officer_for(zone: Zone, wijk: Wijk) -> Wijkinspecteur | None:
    assignment = (
        Assignment.objects.filter(zone=zone, wijk=wijk)
        .active()
        .select_related("wijkinspecteur")
        .order_by("role")
        .first()
    )
    if assignment:
        return assignment.wijkinspecteur
    return Wijkinspecteur.objects.filter(zone=zone, is_active=True).order_by("pk").first()


def _build_wijk(zone: Zone, wijk: Wijk, types: dict, catalogue: dict, sizes: tuple[int, int], addresses) -> int:
    rng = random.Random(f"partners-{zone.slug}-{wijk.code}")
    today = timezone.localdate()
    officer = _officer_for(zone, wijk)
    count = rng.randint(*sizes)
    keys = list(catalogue)
    rng.shuffle(keys)
    chosen = (keys * 3)[:count]  # every type once before any repeats
    streets = sorted({a["street"] for a in addresses}) or ["Kerkstraat", "Marktplein", "Stationsstraat"]
    used_names: set[str] = set()
    for index, key in enumerate(chosen):
        template = rng.choice(catalogue[key])
        name = template.format(w=wijk.name.split(" - ")[0], s=rng.choice(streets))
        if name in used_names:
            name = f"{name} ({index + 1})"
        used_names.add(name)
        address = rng.choice(addresses) if addresses else None
        if address:
            point = Point(float(address["lon"]), float(address["lat"]), srid=4326)
            place = {
                "street": address["street"],
                "house_number": address["housenumber"],
                "postcode": address["postcode"],
                "municipality": address["municipality"],
            }
        else:
            point = _point_in(wijk, rng)
            place = {"municipality": zone.name.replace("Basisteam ", "").replace("PZ ", "")}
        partner = partner_create(
            zone=zone,
            partner_type=types[key],
            name=name,
            point=point,
            phone=f"0{rng.randint(50, 59)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
            # The wijk is set by hand only when the point lies outside it (a generated point on an edge).
            wijk=wijk,
            wijk_overridden=False,
            **place,
        )
        if partner.wijk_id != wijk.pk:
            partner.wijk, partner.wijk_overridden = wijk, True
            partner.save(update_fields=["wijk", "wijk_overridden"])
        contacts = []
        for _ in range(rng.choice([1, 1, 2, 2, 3])):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            basis = rng.choice(
                [
                    ContactPerson.LawfulBasis.PUBLIC_TASK,
                    ContactPerson.LawfulBasis.LEGITIMATE_INTEREST,
                    ContactPerson.LawfulBasis.CONSENT,
                ]
            )
            contacts.append(
                contact_create(
                    zone=zone,
                    partner=partner,
                    name=f"{first} {last}",
                    function=rng.choice(FUNCTIONS),
                    phone=f"04{rng.randint(70, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
                    email=f"{first.lower()}.{last.lower().replace(' ', '')}@example.org",
                    preferred_language="nl" if rng.random() < 0.85 else "fr" if zone.country == "BE" else "en",
                    lawful_basis=basis,
                    consent_note="Mondeling akkoord bij de kennismaking." if basis == "consent" else "",
                    basis_recorded_on=today - datetime.timedelta(days=rng.randint(60, 900)),
                )
            )
        if officer is None or rng.random() < 0.15:
            continue  # never visited: due now
        visits = rng.randint(1, 4)
        day = today - datetime.timedelta(days=rng.randint(20, 540))
        dates = sorted({day - datetime.timedelta(days=rng.randint(0, 300) * step) for step in range(visits)})
        for number, date in enumerate(dates):
            tasks = []
            if rng.random() < 0.35:
                tasks.append((rng.choice(TASKS), date + datetime.timedelta(days=rng.randint(7, 60))))
            visit = visit_log(
                zone=zone,
                partner=partner,
                wijkinspecteur=officer,
                by=officer.user,
                date=date,
                kind=Visit.Kind.INFORMATION if number == 0 else rng.choice(list(Visit.Kind.values)),
                contacts=rng.sample(contacts, k=rng.randint(1, len(contacts))),
                notes=rng.choice(NOTES),
                tasks=tasks,
            )
            for task in visit.tasks.all():
                # Older tasks are mostly done; recent ones stay open (some overdue).
                if task.due_on < today - datetime.timedelta(days=30) and rng.random() < 0.8:
                    task_complete(task=task, by=officer.user, on=min(today, task.due_on))
    return count


@demo_step(50, "partners")
def load_partners(ctx: DemoContext) -> None:
    addresses = _addresses_by_wijk()
    for slug, catalogue, sizes in (("oostende", ORGANISATIONS, (8, 15)), ("deventer", NL_ORGANISATIONS, (3, 6))):
        zone = ctx.zones.get(slug) or Zone.objects.filter(slug=slug).first()
        if zone is None:
            continue
        types = {t.key: t for t in partner_types_ensure_defaults(zone)}
        created = 0
        for wijk in Wijk.objects.filter(zone=zone).current().leaves().order_by("code"):
            if Partner.objects.filter(zone=zone, wijk=wijk).exists():
                continue
            with transaction.atomic():
                created += _build_wijk(zone, wijk, types, catalogue, sizes, addresses.get(wijk.code, []))
        total = Partner.objects.filter(zone=zone).count()
        ctx.summary.append(f"partners in {zone.name}: {total} ({created} new)")
