"""The wijken part of load_demo: real boundaries, believable people and places, and idempotent."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from wijken.demo import DemoContext, demo_steps
from wijken.models import (
    Address,
    Assignment,
    Contactpunt,
    Spreekuur,
    SpreekuurException,
    Wijk,
    Wijkinspecteur,
    Zone,
)

pytestmark = pytest.mark.django_db
MODELS = [Zone, Wijk, Wijkinspecteur, Assignment, Contactpunt, Spreekuur, SpreekuurException, Address]


def run_wijken_steps() -> DemoContext:
    ctx = DemoContext(stdout=lambda line: None)
    # Demo steps write to both zones, as load_demo does.
    with scopes_disabled():
        for step in demo_steps():
            if step.run.__module__ == "wijken.demo_steps":
                step.run(ctx)
    return ctx


def counts() -> dict[str, int]:
    with scopes_disabled():
        return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction that is rolled back at the end; every test runs in a
    savepoint inside it (as Django's TestCase.setUpTestData does)."""
    with django_db_blocker.unblock(), transaction.atomic():
        run_wijken_steps()
        yield {z.slug: z for z in Zone.objects.all()}
        transaction.set_rollback(True)


def test_running_the_steps_twice_gives_the_same_data(demo):
    first = counts()
    with scopes_disabled():
        assignments = sorted(Assignment.objects.values_list("wijkinspecteur__email", "wijk__code", "role", "starts_on"))
    run_wijken_steps()
    assert counts() == first
    with scopes_disabled():
        assert sorted(Assignment.objects.values_list("wijkinspecteur__email", "wijk__code", "role", "starts_on")) == (
            assignments
        )
    assert first["Address"] == 21_713
    assert first["Wijk"] == 8 + 3 + 15


def test_oostende_wijken_and_politiewijken(demo):
    with scope(zone=demo["oostende"].pk):
        leaves = Wijk.objects.current().leaves()
        assert leaves.count() == 8
        assert 70_000 <= leaves.aggregate(total=Sum("inhabitants"))["total"] <= 74_000
        districts = {w.name: w for w in Wijk.objects.filter(kind=Wijk.Kind.POLITIEWIJK)}
        assert set(districts) == {"Politiewijk Noord", "Politiewijk Oost", "Politiewijk West"}
        oost = districts["Politiewijk Oost"]
        assert sorted(oost.children.values_list("name", flat=True)) == ["Konterdam - Meiboom", "Stene", "Zandvoorde"]
        assert oost.inhabitants == sum(oost.children.values_list("inhabitants", flat=True))
        for child in oost.children.all():
            assert oost.boundary.buffer(1e-6).covers(child.boundary)
        assert not leaves.filter(parent__isnull=True).exists()


def test_deventer_wijken_carry_cbs_inhabitants(demo):
    with scope(zone=demo["deventer"].pk):
        leaves = Wijk.objects.current().leaves()
        assert leaves.count() == 15
        assert leaves.aggregate(total=Sum("inhabitants"))["total"] == 103_390  # CBS kerncijfers 2024
        assert leaves.get(code="WK015001").name == "Binnenstad"


@pytest.mark.parametrize("slug", ["oostende", "deventer"])
def test_every_wijk_has_one_officer_today_and_the_rules_hold(demo, slug):
    today = timezone.localdate()
    with scope(zone=demo[slug].pk):
        active = Assignment.objects.active(today)
        mains = active.filter(role="wijkinspecteur").values("wijk").annotate(n=Count("id"))
        assert {row["n"] for row in mains} == {1}
        assert len(mains) == Wijk.objects.current().leaves().count()
        standins = active.filter(role="standin")
        assert standins.count() == 1  # the main wijkinspecteur of that wijk is away
        standin = standins.get()
        assert standin.ends_on > today and standin.wijkinspecteur_id != (
            active.get(wijk=standin.wijk, role="wijkinspecteur").wijkinspecteur_id
        )
        assert active.filter(role="wijkteam").exists()
        history = Assignment.objects.filter(ends_on__lt=today)
        assert history.exists() and history.filter(wijkinspecteur__is_active=False).exists()
        # The services' rules: one officer holds one assignment per wijk on any day.
        for a in Assignment.objects.all():
            clash = Assignment.objects.filter(wijk=a.wijk, wijkinspecteur=a.wijkinspecteur).exclude(pk=a.pk)
            for b in clash:
                assert (b.ends_on and b.ends_on < a.starts_on) or (a.ends_on and a.ends_on < b.starts_on), (a, b)
            assert a.starts_on >= a.wijk.valid_from
        linked = Wijkinspecteur.objects.get(user__username=f"{slug}-wijkinspecteur")
        assert active.filter(wijkinspecteur=linked, role="wijkinspecteur").exists()
        for officer in Wijkinspecteur.objects.all():
            assert officer.phone and officer.email.endswith("@demo.wijkwerk.local") and officer.introduction
            assert officer.languages and officer.languages[0] == "nl"


@pytest.mark.parametrize("slug", ["oostende", "deventer"])
def test_contactpunten_lie_in_their_wijk_with_hours_and_closures(demo, slug):
    today = timezone.localdate()
    with scope(zone=demo[slug].pk):
        points = Contactpunt.objects.select_related("wijk")
        assert points.filter(kind="politiekantoor", open_24_7=True).count() == 1
        assert points.filter(kind="wijkkantoor").exists() and points.filter(kind="antennepunt").exists()
        for contactpunt in points:
            assert contactpunt.wijk.boundary.covers(contactpunt.point), contactpunt.name
        assert Spreekuur.objects.filter(by_appointment=True).exists()
        assert Spreekuur.objects.filter(by_appointment=False).exists()
        assert not Spreekuur.objects.filter(wijkinspecteur__isnull=True).exists()
        closed = SpreekuurException.objects.filter(closed=True, date__gte=today)
        assert closed.filter(date__lte=today + datetime.timedelta(days=366)).exists()
        assert SpreekuurException.objects.filter(closed=False, starts_at__isnull=False).count() == 1


def test_oostende_addresses_are_loaded_once(demo):
    assert Address.objects.filter(postcode="8400", country="BE").count() == 21_713
    ctx = run_wijken_steps()
    assert any("already loaded" in line for line in ctx.summary)
