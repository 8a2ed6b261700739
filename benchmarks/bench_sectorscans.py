"""Sectorscans at zone scale (issue 4): one zone with 50 wijken, 5,000 partners (6,000 contacts) and 50,000 scans
(500,000 theme results; about nine years of yearly scans), loaded with COPY. Times the coverage page and the
figures (aggregate) pages through Django's test Client, 20 renders each after warming up: median, p95 and the
number of queries.
Target: a constant number of queries and under 200 ms per render.

Answers are not generated: neither coverage nor aggregates read them (they read scans and theme results)."""

from __future__ import annotations

import datetime
import random
import statistics

from . import common

NAME = "sectorscans"
ZONE_SLUG = "bench-sectorscans"
WIJKEN = 50
PARTNERS = 5_000
CONTACTS = 6_000
SCANS = 50_000
RENDERS = 20
TARGET_MS = 200.0
THEMES = [
    "verkeer",
    "overlast",
    "jeugdoverlast",
    "inbraak",
    "drugs",
    "vandalisme",
    "zwerfvuil",
    "verlichting",
    "sociale_cohesie",
    "veiligheidsgevoel",
]


def build(today: datetime.date) -> dict:
    """The zone, built once and reused while it holds the expected number of scans."""
    from django.contrib.auth import get_user_model
    from django.contrib.gis.geos import MultiPolygon, Polygon
    from django.db import connection, transaction
    from django_scopes import scope

    from partners.models import ContactPerson, Partner, PartnerType
    from sectorscans.models import Scan
    from sectorscans.services import questionnaire_copy_default
    from wijken.models import Assignment, Membership, Role, Wijk, Wijkinspecteur, Zone

    User = get_user_model()
    # The benchmark's own zone, inspected and built inside its scope (zones themselves are not scoped).
    zone = Zone.objects.filter(slug=ZONE_SLUG).first()
    if zone:
        with scope(zone=zone.pk):
            if Scan.objects.filter(zone=zone).count() == SCANS:
                print(f"reusing zone {ZONE_SLUG} ({SCANS:,} scans)")
                return {"zone": zone, "built_seconds": None}
            print(f"dropping the incomplete zone {ZONE_SLUG}")
            with connection.cursor() as cursor:
                for table in ("sectorscans_themeresult", "sectorscans_answer", "sectorscans_scan"):
                    cursor.execute(f"DELETE FROM {table} WHERE zone_id = %s", [zone.pk])
            zone.delete()
    rng = random.Random(common.seed())
    with common.Timer() as timer, transaction.atomic():
        zone = Zone.objects.create(
            name="Bench Sectorscans",
            slug=ZONE_SLUG,
            code="B-SECTOR",
            country="BE",
            languages=["nl", "fr", "en"],
            boundary=MultiPolygon(Polygon.from_bbox((3.0, 51.0, 3.5, 51.5)), srid=4326),
        )
        with scope(zone=zone.pk):
            wijken = Wijk.objects.bulk_create(
                Wijk(
                    zone=zone,
                    name=f"Wijk {i:02d}",
                    code=f"BW{i:02d}",
                    boundary=MultiPolygon(
                        Polygon.from_bbox(
                            (
                                3.0 + (i % 10) * 0.05,
                                51.0 + (i // 10) * 0.05,
                                3.05 + (i % 10) * 0.05,
                                51.05 + (i // 10) * 0.05,
                            )
                        ),
                        srid=4326,
                    ),
                )
                for i in range(WIJKEN)
            )
            inspecteurs = Wijkinspecteur.objects.bulk_create(
                Wijkinspecteur(zone=zone, display_name=f"Inspecteur {i}", email=f"wi{i}@bench.local")
                for i in range(WIJKEN // 2)
            )
            Assignment.objects.bulk_create(
                Assignment(
                    zone=zone,
                    wijk=w,
                    wijkinspecteur=inspecteurs[i // 2],
                    role="wijkinspecteur",
                    starts_on=datetime.date(2020, 1, 1),
                )
                for i, w in enumerate(wijken)
            )
            ptype = PartnerType.objects.create(zone=zone, key="partner", name="Partner")
            partners = Partner.objects.bulk_create(
                (
                    Partner(zone=zone, wijk=wijken[i % WIJKEN], partner_type=ptype, name=f"Partner {i}")
                    for i in range(PARTNERS)
                ),
                batch_size=2000,
            )
            contacts = ContactPerson.objects.bulk_create(
                (
                    ContactPerson(
                        zone=zone,
                        partner=partners[i % PARTNERS],
                        name=f"Contact {i}",
                        lawful_basis="public_task",
                        is_active=i % 40 != 0,
                    )
                    for i in range(CONTACTS)
                ),
                batch_size=2000,
            )
            questionnaire = questionnaire_copy_default(zone=zone)
            manager, _ = User.objects.get_or_create(username="bench-sectorscans-teamchef")
            Membership.objects.get_or_create(zone=zone, user=manager, defaults={"role": Role.TEAMCHEF})
            bestuur, _ = User.objects.get_or_create(username="bench-sectorscans-bestuur")
            Membership.objects.get_or_create(zone=zone, user=bestuur, defaults={"role": Role.BESTUUR})
            officer, _ = User.objects.get_or_create(username="bench-sectorscans-wijkinspecteur")
            Membership.objects.get_or_create(zone=zone, user=officer, defaults={"role": Role.WIJKINSPECTEUR})
            Wijkinspecteur.objects.filter(pk=inspecteurs[0].pk).update(user=officer)
        # 50,000 scans at the real cadence: every contact about once a year, so the zone holds some nine years
        # of history; one in 17 contacts was never scanned and one in 11 fell more than a year behind.
        scan_rows = []
        wijk_of = {p.pk: p.wijk_id for p in partners}
        scanned = [c for i, c in enumerate(contacts) if i % 17 != 0]
        per_contact = -(-SCANS // len(scanned))
        now = datetime.datetime.now(datetime.UTC)
        for i, contact in enumerate(scanned):
            day = today - datetime.timedelta(days=rng.randint(0, 300) + (420 if i % 11 == 0 else 0))
            for _ in range(per_contact):
                if len(scan_rows) == SCANS:
                    break
                scan_rows.append(
                    (
                        zone.pk,
                        questionnaire.pk,
                        contact.pk,
                        contact.partner_id,
                        wijk_of[contact.partner_id],
                        inspecteurs[0].pk,
                        day,
                        "",
                        now,
                    )
                )
                day -= datetime.timedelta(days=365 + rng.randint(-40, 40))
        with connection.cursor() as cursor:
            with cursor.cursor.copy(
                "COPY sectorscans_scan (zone_id, questionnaire_id, contact_id, partner_id, wijk_id, wijkinspecteur_id,"
                " date, notes, created_at) FROM STDIN"
            ) as copy:
                for row in scan_rows:
                    copy.write_row(row)
            cursor.execute("SELECT id, date, wijk_id, contact_id FROM sectorscans_scan WHERE zone_id = %s", [zone.pk])
            scans = cursor.fetchall()
            with cursor.cursor.copy(
                "COPY sectorscans_themeresult (zone_id, scan_id, theme_key, date, wijk_id, contact_id, score,"
                " has_problem, problem_note, computed_status, confirmed_status) FROM STDIN"
            ) as copy:
                for scan_id, day, wijk_id, contact_id in scans:
                    for t, key in enumerate(THEMES):
                        score = min(1.0, max(0.0, 0.55 + 0.01 * (wijk_id % 20) - 0.02 * t + rng.gauss(0, 0.15)))
                        copy.write_row(
                            (
                                zone.pk,
                                scan_id,
                                key,
                                day,
                                wijk_id,
                                contact_id,
                                round(score, 3),
                                score < 0.4,
                                "",
                                "unchanged",
                                "",
                            )
                        )
            for table in ("sectorscans_scan", "sectorscans_themeresult", "partners_contactperson", "partners_partner"):
                cursor.execute(f"ANALYZE {table}")
    print(f"built zone {ZONE_SLUG} in {timer.seconds:.1f} s")
    return {"zone": zone, "built_seconds": round(timer.seconds, 1)}


def measure(client, path: str) -> dict:
    from django.core.signals import request_started
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    # Django empties the query log when a request starts; keep it for the one counted request.
    request_started.disconnect(reset_queries)
    try:
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        query_count = len(queries)  # read now: the log is emptied again by the next request
    finally:
        request_started.connect(reset_queries)
    times = []
    for _ in range(RENDERS):
        with common.Timer() as timer:
            response = client.get(path)
        times.append(timer.seconds * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return {
        "path": path,
        "renders": RENDERS,
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(p95, 1),
        "min_ms": round(times[0], 1),
        "queries": query_count,
        "bytes": len(response.content),
        "meets_target": p95 < TARGET_MS,
    }


def main() -> None:
    common.ensure_database()
    common.setup_django()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    from sectorscans.selectors import default_period

    settings.DEBUG = False  # no query log in the timed renders
    today = timezone.localdate()
    built = build(today)
    User = get_user_model()
    clients = {}
    for role in ("teamchef", "bestuur", "wijkinspecteur"):
        client = Client()
        client.force_login(User.objects.get(username=f"bench-sectorscans-{role}"))
        clients[role] = client
    quarter = default_period("quarter", today).key
    year = default_period("year", today).key
    cases = [
        ("coverage, whole zone (teamchef)", "teamchef", "/sectorscans/coverage/?show=zone"),
        ("coverage, my wijken (wijkinspecteur)", "wijkinspecteur", "/sectorscans/coverage/"),
        ("figures, quarter (bestuur)", "bestuur", f"/sectorscans/figures/?period_kind=quarter&period={quarter}"),
        ("figures, year (bestuur)", "bestuur", f"/sectorscans/figures/?period_kind=year&period={year}"),
        ("API aggregates, quarter", "bestuur", f"/api/v1/sectorscans/aggregates/?period={quarter}"),
        ("API coverage, 200 contacts", "teamchef", "/api/v1/sectorscans/coverage/"),
    ]
    results = []
    for label, role, path in cases:
        figures = measure(clients[role], path)
        figures["case"] = label
        results.append(figures)
    common.print_table(
        f"sectorscans: {WIJKEN} wijken, {PARTNERS:,} partners, {CONTACTS:,} contacts, {SCANS:,} scans "
        f"(target p95 < {TARGET_MS:.0f} ms, constant queries)",
        ["page", "median ms", "p95 ms", "queries", "KiB"],
        [[r["case"], r["median_ms"], r["p95_ms"], r["queries"], round(r["bytes"] / 1024)] for r in results],
    )
    common.write_results(
        NAME,
        {
            "data": {
                "wijken": WIJKEN,
                "partners": PARTNERS,
                "contacts": CONTACTS,
                "scans": SCANS,
                "theme_results": SCANS * len(THEMES),
                "built_seconds": built["built_seconds"],
            },
            "target_ms": TARGET_MS,
            "cases": results,
        },
    )


if __name__ == "__main__":
    main()
