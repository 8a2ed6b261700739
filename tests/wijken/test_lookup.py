"""The mijn-buurt selector: address search, the neighbourhood at a point, stand-ins, spreekuren, the cache."""

from __future__ import annotations

import datetime
import time

import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django_scopes import scopes_disabled

from tests import factories as f
from tests.wijken.test_lookup_support import clean_slate, make_address, this_week  # noqa: F401
from wijken import lookup
from wijken.lookup import caching
from wijken.models import Address, Assignment

pytestmark = pytest.mark.usefixtures("clean_slate")

TODAY = timezone.localdate


def rect(x0, y0, x1, y1) -> MultiPolygon:
    return MultiPolygon(Polygon.from_bbox((x0, y0, x1, y1)), srid=4326)


@pytest.fixture
def streets(db):
    make_address("Kerkstraat", "12", 2.91, 51.23)
    make_address("Kerkstraat", "14", 2.9101, 51.2301)
    make_address("Kerkstraat", "120", 2.9102, 51.2302)
    make_address("Oude Kerkstraat", "12", 2.95, 51.21)
    make_address("Sint-Petrus- en -Paulusplein", "3", 2.92, 51.229)
    make_address("Vlaanderenstraat", "20", 2.916, 51.233)
    make_address("Vlaanderenstraat", "22", 2.9161, 51.2331)
    make_address("Rue de l'Église", "5", 4.35, 50.85, postcode="1000", municipality="Bruxelles")
    make_address("Brink", "12", 6.16, 52.25, postcode="7411AB", municipality="Deventer", box="a", country="NL")
    make_address("Brink", "12", 6.1601, 52.2501, postcode="7411AB", municipality="Deventer", country="NL")
    make_address("Brink", "14", 6.1602, 52.2502, postcode="7411AB", municipality="Deventer", country="NL")
    # A Dutch postcode whose letters read like an abbreviation ("st", "ln", "pl").
    make_address("Stationsplein", "19", 5.2, 52.37, postcode="1315ST", municipality="Almere", country="NL")


def labels(q: str) -> list[str]:
    return [c["label"] for c in lookup.search_addresses(q)]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("Kerkstraat 12", "Kerkstraat 12, 8400 Oostende"),
        ("kerkstr 12", "Kerkstraat 12, 8400 Oostende"),
        ("KERKSTRAAT 12, 8400 Oostende", "Kerkstraat 12, 8400 Oostende"),
        ("st petrus 3", "Sint-Petrus- en -Paulusplein 3, 8400 Oostende"),
        ("Sint-Petrus- en -Paulusplein 3", "Sint-Petrus- en -Paulusplein 3, 8400 Oostende"),
        ("Vlaandernestraat 20", "Vlaanderenstraat 20, 8400 Oostende"),  # a typo
        ("vlaanderenstrat 22", "Vlaanderenstraat 22, 8400 Oostende"),  # another typo
        ("rue de l'eglise 5", "Rue de l'Église 5, 1000 Bruxelles"),  # no accent typed
        ("7411 AB 12a", "Brink 12 a, 7411AB Deventer"),
        ("7411ab 12", "Brink 12, 7411AB Deventer"),
        ("1315 ST 19", "Stationsplein 19, 1315ST Almere"),  # "ST" is the postcode's, not "sint"
        ("1315st 19", "Stationsplein 19, 1315ST Almere"),
        ("kerkstrat 12 oostende", "Kerkstraat 12, 8400 Oostende"),  # a typo, and the town after the number
        ("Vlaandernestraat 22, 8400 Oostende", "Vlaanderenstraat 22, 8400 Oostende"),
    ],
)
def test_search_tolerates_case_accents_abbreviations_and_typos(streets, query, expected):
    candidates = lookup.search_addresses(query)
    assert candidates, f"nothing found for {query!r}"
    best = lookup.unambiguous_match(candidates)
    assert best is not None, f"{query!r} gave {[c['label'] for c in candidates]}"
    assert best["label"] == expected


def test_exact_number_ranks_before_similar_numbers_and_streets(streets):
    found = labels("kerkstraat 12")
    assert found[0] == "Kerkstraat 12, 8400 Oostende"
    assert "Oude Kerkstraat 12, 8400 Oostende" not in found[:1]


def test_street_without_number_lists_the_street_and_is_ambiguous(streets):
    candidates = lookup.search_addresses("Kerkstraat")
    assert {"Kerkstraat 12, 8400 Oostende", "Kerkstraat 14, 8400 Oostende"} <= {c["label"] for c in candidates}
    assert lookup.unambiguous_match(candidates) is None


def test_nonsense_finds_nothing(streets):
    assert lookup.search_addresses("qqqq zzzz 999") == []
    assert lookup.search_addresses("12") == []


def test_trigram_search_uses_the_gin_index(streets):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN " + lookup._SEARCH_SQL,
            {"words": "kerkstr", "street": "kerkstr", "number": "12", "limit": 8, "streets": 24, "strict": 0.6},
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "addressstreet_search_trgm" in plan  # the streets; their numbers then by a btree on the addresses


# --- The neighbourhood at a point -------------------------------------------------------------------------


@pytest.fixture
def zone(db):
    with scopes_disabled():
        return f.ZoneFactory(
            name="PZ Kust", country="BE", boundary=rect(2.8, 51.1, 3.0, 51.3), non_emergency_number="059 70 11 11"
        )


def wijk(zone, code, bbox, **kwargs):
    with scopes_disabled():
        kwargs.setdefault("name", f"Wijk {code}")
        return f.WijkFactory(zone=zone, code=code, boundary=rect(*bbox), **kwargs)


def test_a_point_on_a_shared_edge_resolves_to_exactly_one_wijk_deterministically(zone):
    # Created in reverse code order, so that neither insertion order nor id decides.
    east = wijk(zone, "W2", (2.9, 51.2, 3.0, 51.3))
    west = wijk(zone, "W1", (2.8, 51.2, 2.9, 51.3))
    on_edge = (51.25, 2.9)
    answers = {lookup.neighbourhood_at(on_edge)["wijk"]["code"] for _ in range(3)}
    assert answers == {"W1"}
    assert lookup.neighbourhood_at((51.25, 2.95))["wijk"]["id"] == east.pk
    assert lookup.neighbourhood_at((51.25, 2.85))["wijk"]["id"] == west.pk
    # The bulk check shares the predicate.
    address = make_address("Grensstraat", "1", 2.9, 51.25)
    assert lookup.wijk_codes_for_addresses([address.pk]) == {address.pk: "W1"}


def test_only_current_leaf_wijken_count(zone):
    today = TODAY()
    wijk(zone, "OLD", (2.8, 51.2, 2.9, 51.3), valid_until=today)  # ended today: no longer valid
    wijk(zone, "PW", (2.8, 51.2, 2.9, 51.3), kind="politiewijk")
    new = wijk(zone, "NEW", (2.8, 51.2, 2.9, 51.3), valid_from=today)
    assert lookup.neighbourhood_at((51.25, 2.85))["wijk"]["id"] == new.pk


def test_answer_shows_the_wijkagent_on_duty_without_their_email(zone):
    w = wijk(zone, "W1", (2.8, 51.2, 2.9, 51.3))
    with scopes_disabled():
        officer = f.WijkinspecteurFactory(zone=zone, display_name="Anna Peeters", email="anna.peeters@politie.be")
        f.AssignmentFactory(zone=zone, wijk=w, wijkinspecteur=officer)
        retired = f.WijkinspecteurFactory(zone=zone, display_name="Oud Agent")
        f.AssignmentFactory(
            zone=zone,
            wijk=w,
            wijkinspecteur=retired,
            starts_on=datetime.date(2020, 1, 1),
            ends_on=TODAY() - datetime.timedelta(days=1),
        )
        teammate = f.WijkinspecteurFactory(zone=zone, display_name="Tom Team")
        f.AssignmentFactory(zone=zone, wijk=w, wijkinspecteur=teammate, role=Assignment.AssignmentRole.WIJKTEAM)
    answer = lookup.neighbourhood_at((51.25, 2.85))
    assert [o["name"] for o in answer["officers"]] == ["Anna Peeters"]
    assert answer["officers"][0]["has_email"] is True
    assert answer["officers"][0]["contact_url"] == f"/mijn-buurt/contact/{officer.pk}/"
    assert [o["name"] for o in answer["team"]] == ["Tom Team"]
    assert answer["standin_active"] is False
    assert "anna.peeters@politie.be" not in lookup.neighbourhood_json_at(51.25, 2.85)
    assert answer["numbers"] == {"emergency": "112", "police_emergency": "101", "non_emergency": "059 70 11 11"}


def test_stand_in_is_shown_when_the_wijkagent_is_away(zone):
    w = wijk(zone, "W1", (2.8, 51.2, 2.9, 51.3))
    with scopes_disabled():
        regular = f.WijkinspecteurFactory(zone=zone, display_name="Anna Peeters")
        f.AssignmentFactory(zone=zone, wijk=w, wijkinspecteur=regular)
        standin = f.WijkinspecteurFactory(zone=zone, display_name="Bart Vervanger")
        until = TODAY() + datetime.timedelta(days=10)
        f.AssignmentFactory(
            zone=zone,
            wijk=w,
            wijkinspecteur=standin,
            role=Assignment.AssignmentRole.STANDIN,
            starts_on=TODAY() - datetime.timedelta(days=2),
            ends_on=until,
        )
    answer = lookup.neighbourhood_at((51.25, 2.85))
    assert answer["standin_active"] is True
    assert [o["name"] for o in answer["officers"]] == ["Bart Vervanger"]
    assert answer["officers"][0]["until"] == until.isoformat()
    assert [o["name"] for o in answer["away"]] == ["Anna Peeters"]


def test_stand_in_whose_period_ended_is_not_shown(zone):
    w = wijk(zone, "W1", (2.8, 51.2, 2.9, 51.3))
    with scopes_disabled():
        f.AssignmentFactory(zone=zone, wijk=w, wijkinspecteur__display_name="Anna Peeters")
        f.AssignmentFactory(
            zone=zone,
            wijk=w,
            wijkinspecteur__display_name="Bart Vervanger",
            role=Assignment.AssignmentRole.STANDIN,
            starts_on=datetime.date(2024, 1, 1),
            ends_on=TODAY() - datetime.timedelta(days=1),
        )
    answer = lookup.neighbourhood_at((51.25, 2.85))
    assert answer["standin_active"] is False
    assert [o["name"] for o in answer["officers"]] == ["Anna Peeters"]


def test_nearest_three_contactpunten_with_spreekuur_exceptions(zone):
    wijk(zone, "W1", (2.8, 51.2, 2.9, 51.3))
    with scopes_disabled():
        near = f.ContactpuntFactory(zone=zone, name="Dichtbij", point=Point(2.851, 51.25, srid=4326))
        f.ContactpuntFactory(zone=zone, name="Middel", point=Point(2.86, 51.25, srid=4326), open_24_7=True)
        f.ContactpuntFactory(zone=zone, name="Verder", point=Point(2.87, 51.25, srid=4326))
        f.ContactpuntFactory(zone=zone, name="Veraf", point=Point(2.89, 51.25, srid=4326))
        f.ContactpuntFactory(zone=zone, name="Gesloten", point=Point(2.85, 51.25, srid=4326), is_active=False)
        closed_day, changed_day, normal_day = this_week(0), this_week(2), this_week(4)
        for weekday in (0, 2, 4):
            f.SpreekuurFactory(
                zone=zone, contactpunt=near, weekday=weekday, starts_at=datetime.time(10), ends_at=datetime.time(12)
            )
        f.SpreekuurExceptionFactory(zone=zone, contactpunt=near, date=closed_day, closed=True, reason="Feestdag")
        f.SpreekuurExceptionFactory(
            zone=zone,
            contactpunt=near,
            date=changed_day,
            closed=False,
            starts_at=datetime.time(14),
            ends_at=datetime.time(16),
            reason="Later",
        )
    answer = lookup.neighbourhood_at((51.25, 2.85))
    assert [c["name"] for c in answer["contactpunten"]] == ["Dichtbij", "Middel", "Verder"]
    assert answer["contactpunten"][1]["open_24_7"] is True
    slots = {s["date"]: (s["starts_at"], s["ends_at"], s["changed"]) for s in answer["contactpunten"][0]["spreekuren"]}
    assert slots == {
        changed_day.isoformat(): ("14:00", "16:00", True),
        normal_day.isoformat(): ("10:00", "12:00", False),
    }
    assert answer["contactpunten"][0]["closed"] == [{"date": closed_day.isoformat(), "reason": "Feestdag"}]


@pytest.mark.parametrize(
    "point, country, police_emergency, non_emergency",
    [
        ((50.85, 4.35), "BE", "101", ""),  # Brussels: 101 is an emergency line; no national non-emergency one
        ((51.32, 4.94), "BE", "101", ""),  # Turnhout
        ((52.37, 4.89), "NL", "", "0900-8844"),  # Amsterdam
        ((51.44, 5.47), "NL", "", "0900-8844"),  # Eindhoven, south of the northernmost Belgian town
        ((50.85, 5.69), "NL", "", "0900-8844"),  # Maastricht
    ],
)
def test_outside_every_zone_gives_the_national_numbers(zone, point, country, police_emergency, non_emergency):
    answer = lookup.neighbourhood_at(point)
    assert answer["found"] is False and answer["covered"] is False
    assert answer["country"] == country
    assert answer["numbers"] == {
        "emergency": "112",
        "police_emergency": police_emergency,
        "non_emergency": non_emergency,
    }
    assert answer["national_numbers"] is True


def test_inside_a_zone_but_no_wijk_gives_the_zone_numbers(zone):
    answer = lookup.neighbourhood_at((51.15, 2.85))
    assert answer["found"] is False and answer["covered"] is True
    assert answer["zone"]["name"] == "PZ Kust"
    assert answer["numbers"]["non_emergency"] == "059 70 11 11"


def test_answers_come_from_the_read_model_and_a_change_reloads_it(zone, django_assert_num_queries):
    w = wijk(zone, "W1", (2.8, 51.2, 2.9, 51.3))
    first = lookup.neighbourhood_at((51.25, 2.85))
    assert first["officers"] == []
    with django_assert_num_queries(0):  # another point of a loaded zone: no SQL at all
        assert lookup.neighbourhood_at((51.26, 2.86))["wijk"]["id"] == w.pk
    with scopes_disabled():
        f.AssignmentFactory(zone=zone, wijk=w, wijkinspecteur__display_name="Nieuwe Agent")
    with django_assert_num_queries(1):  # the zone's bundle, once
        assert [o["name"] for o in lookup.neighbourhood_at((51.25, 2.85))["officers"]] == ["Nieuwe Agent"]
        lookup.neighbourhood_at((51.27, 2.87))


def test_a_change_in_one_zone_leaves_the_others_loaded(zone, django_assert_num_queries):
    wijk(zone, "W1", (2.8, 51.2, 2.9, 51.3))
    with scopes_disabled():
        other = f.ZoneFactory(name="PZ Elders", boundary=rect(4.0, 51.0, 4.2, 51.2))
        f.WijkFactory(zone=other, code="E1", boundary=rect(4.0, 51.0, 4.2, 51.2))
    lookup.neighbourhood_at((51.25, 2.85))
    lookup.neighbourhood_at((51.1, 4.1))
    with scopes_disabled():
        f.ContactpuntFactory(zone=other, wijk=None, point=Point(4.1, 51.1, srid=4326))
    with django_assert_num_queries(0):
        assert lookup.neighbourhood_at((51.25, 2.85))["zone"]["name"] == "PZ Kust"
    with django_assert_num_queries(1):
        assert len(lookup.neighbourhood_at((51.1, 4.1))["contactpunten"]) == 1
    with scopes_disabled():  # a wijk: everyone's boundaries, and its own zone
        wijk(zone, "W2", (2.9, 51.2, 3.0, 51.3))
    with django_assert_num_queries(3):  # the boundary index (wijken, zones) and PZ Kust's bundle
        assert lookup.neighbourhood_at((51.25, 2.95))["wijk"]["code"] == "W2"
    with django_assert_num_queries(0):
        assert lookup.neighbourhood_at((51.1, 4.1))["wijk"]["code"] == "E1"


def test_an_address_lookup_is_one_query_and_then_none(zone, django_assert_num_queries):
    w = wijk(zone, "W1", (2.8, 51.2, 2.9, 51.3))
    with scopes_disabled():
        f.AssignmentFactory(zone=zone, wijk=w)
        f.SpreekuurFactory(zone=zone, contactpunt__point=Point(2.86, 51.25, srid=4326))
    lookup.neighbourhood_at((51.21, 2.81))  # the zone is loaded
    address = make_address("Kerkstraat", "1", 2.85, 51.25)
    lookup.neighbourhood_at((51.21, 2.81))  # ... and stays loaded when addresses are imported
    with django_assert_num_queries(1):  # the address itself
        answer = lookup.neighbourhood_for_address(address.pk)
    with django_assert_num_queries(0):
        assert lookup.neighbourhood_for_address(address.pk) == answer
    assert answer["address"]["label"] == "Kerkstraat 1, 8400 Oostende"
    assert answer["point"] == {"lat": 51.25, "lon": 2.85}
    assert answer["wijk"]["code"] == "W1"
    assert answer["wijk"]["boundary"]["type"] in ("Polygon", "MultiPolygon")
    assert len(answer["officers"]) == 1 and answer["contactpunten"][0]["spreekuren"]
    assert lookup.neighbourhood_for_address(address.pk + 1000) is None


def test_another_process_change_is_seen_within_the_local_ttl(zone, monkeypatch):
    """A process trusts the versions it read for at most LOCAL_VERSION_TTL seconds."""
    w = wijk(zone, "W1", (2.8, 51.2, 2.9, 51.3), name="Oud")
    assert lookup.neighbourhood_at((51.25, 2.85))["wijk"]["name"] == "Oud"
    # Another process renames the wijk and bumps the versions in Redis; this process has not heard of it yet.
    with scopes_disabled():
        type(w).objects.filter(pk=w.pk).update(name="Nieuw")
    caching.redis_client().hincrby(cache.make_key(caching.VERSIONS_KEY), f"z{zone.pk}", 1)
    assert lookup.neighbourhood_at((51.25, 2.85))["wijk"]["name"] == "Oud"  # within the second it trusts
    seen_at, seen = caching._versions_seen
    monkeypatch.setattr(caching, "_versions_seen", (seen_at - caching.LOCAL_VERSION_TTL - 0.1, seen))
    assert lookup.neighbourhood_at((51.25, 2.85))["wijk"]["name"] == "Nieuw"


# --- The exact path honours the town and postcode typed; search candidates are cached ------------------------


@pytest.fixture
def kerkstraten(db):
    # One "Kerkstraat 9" in several towns, as in the national register.
    for i, (postcode, town) in enumerate([("1248", "Zonneingen"), ("8400", "Oostende"), ("9440", "Heerdedam")]):
        make_address("Kerkstraat", "9", 3.0 + i, 51.0, postcode=postcode, municipality=town)
    make_address("Kerkstraat", "9", 6.0, 52.0, postcode="1116AK", municipality="Sint-Laureinskerke", country="NL")


@pytest.mark.parametrize(
    "query", ["Kerkstraat 9, 9440 Heerdedam", "Kerkstraat 9 Heerdedam", "kerkstraat 9, 9440", "Kerkstraat 9 Herdedam"]
)
def test_the_exact_path_honours_the_town_and_postcode_typed(kerkstraten, query):
    candidates = lookup.search_addresses(query)
    assert candidates and candidates[0]["label"] == "Kerkstraat 9, 9440 Heerdedam"
    assert [c["label"] for c in candidates if c["exact"]] == ["Kerkstraat 9, 9440 Heerdedam"]
    assert lookup.unambiguous_match(candidates)["label"] == "Kerkstraat 9, 9440 Heerdedam"


def test_without_a_town_every_kerkstraat_9_is_a_candidate(kerkstraten):
    candidates = lookup.search_addresses("Kerkstraat 9")
    assert len([c for c in candidates if c["exact"]]) == 4
    assert lookup.unambiguous_match(candidates) is None


def test_a_town_that_matches_no_exact_row_falls_through_to_the_similar_ones(kerkstraten):
    found = labels("Kerkstraat 9, 9999 Nergenshuizen")
    assert found and "Kerkstraat 9, 9440 Heerdedam" in found


def test_search_candidates_are_cached_until_the_addresses_change(kerkstraten, django_assert_num_queries):
    first = lookup.search_addresses("Kerkstraat 9 Heerdedam")
    with django_assert_num_queries(0):
        assert lookup.search_addresses("kerkstraat  9  heerdedam") == first
    make_address("Kerkstraat", "9", 3.5, 51.0, box="A", postcode="9440", municipality="Heerdedam")
    assert "Kerkstraat 9 A, 9440 Heerdedam" in labels("Kerkstraat 9 Heerdedam")


def test_the_address_importer_fills_the_street_table_idempotently(db, tmp_path):
    from django.conf import settings

    from wijken.importers import import_adressen
    from wijken.models import AddressStreet

    lines = (settings.BASE_DIR / "data" / "oostende_adressen_crab2014.csv").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "adressen.csv"
    path.write_text("\n".join(lines[:301]) + "\n", encoding="utf-8")
    import_adressen(path=path, source="test")
    streets = set(AddressStreet.objects.values_list("country", "postcode", "street", "municipality"))
    assert streets == set(Address.objects.values_list("country", "postcode", "street", "municipality").distinct())
    import_adressen(path=path, source="test")
    assert AddressStreet.objects.count() == len(streets)
    some = Address.objects.order_by("id")[150]
    typo = some.street[:-3] + some.street[-2] + some.street[-3] + some.street[-1]  # two letters swapped
    found = [c["id"] for c in lookup.search_addresses(f"{typo} {some.house_number}{some.box}")]
    assert some.id in found


def test_the_hot_path_counts_and_fetches_in_one_call(db):
    name, key = f"throttle-fw:test:{time.time_ns()}:1", "mijnbuurt:test-hot-path"
    redis_count = caching.redis_client().get
    caching._counters.forget()
    assert caching.count_and_fetch(name, 60, 1000, key) == (True, None)
    assert caching._raw.sock is not None  # the plain socket, not redis-py's fallback
    caching.store_computed(key, caching.ADDRESS_FIELDS, lambda: "hello")
    caching._local.clear()
    assert caching.count_and_fetch(name, 60, 1000, key) == (True, "hello")  # from Redis
    assert caching.count_and_fetch(name, 60, 1000, key) == (True, "hello")  # from the per-process layer
    caching._raw.sock.close()  # a broken connection: redis-py takes over for this call, then a new socket
    caching._local.clear()
    assert caching.count_and_fetch(name, 60, 1000, key) == (True, "hello")
    assert caching._raw.sock is not None
    caching.invalidate_addresses()
    assert caching.count_and_fetch(name, 60, 1000, key) == (True, None)  # older than the last change
    assert int(redis_count(cache.make_key(name))) == 5  # every request counted, none twice
    assert 0 < caching.redis_client().ttl(cache.make_key(name)) <= 60
    cache.delete(name)


def test_the_count_is_batched_far_from_the_limit_and_exact_near_it(db):
    name = f"throttle-fw:test:{time.time_ns()}:1"
    redis_key = cache.make_key(name)
    caching._counters.forget()
    caching.count_and_fetch(name, 60, 40)  # a round trip (none before): the sync is recent now
    for _ in range(5):  # far below 40: counted here, sent with a later round trip
        assert caching.count_and_fetch(name, 60, 40) == (True, None)
    assert int(caching.redis_client().get(redis_key)) < 6
    time.sleep(caching.SYNC_INTERVAL + 0.02)
    assert caching.count_and_fetch(name, 60, 40) == (True, None)  # the sync is due: all sent
    assert int(caching.redis_client().get(redis_key)) == 7
    # Other processes served this client too: past a quarter of the budget every request is counted in Redis.
    caching.redis_client().incrby(redis_key, 30)
    time.sleep(caching.SYNC_INTERVAL + 0.02)
    results = [caching.count_and_fetch(name, 60, 40)[0] for _ in range(5)]
    assert results == [True, True, True, False, False]  # 38, 39, 40 allowed; 41 and 42 refused
    assert int(caching.redis_client().get(redis_key)) == 42
    cache.delete(name)
