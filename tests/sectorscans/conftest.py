"""Shared set-up for the sectorscans tests: zone A with two wijken (alice serves wijk 1, someone else wijk 2),
a partner contact in each and a small questionnaire whose theme scores the tests control exactly."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from partners.models import ContactPerson
from sectorscans import services
from sectorscans.models import Question, Questionnaire
from tests import factories as f
from wijken.models import Assignment, Wijk, Wijkinspecteur, Zone


@dataclass
class World:
    zone: Zone
    wijk1: Wijk
    wijk2: Wijk
    alice_wi: Wijkinspecteur
    other_wi: Wijkinspecteur
    contact1: ContactPerson
    contact2: ContactPerson
    questionnaire: Questionnaire


def make_questionnaire(zone: Zone, keys=("verkeer", "drugs", "overlast"), version: int = 1) -> Questionnaire:
    """One 0-10 score question per theme (theme score = answer / 10) and an unscored text question."""
    q = f.QuestionnaireFactory(zone=zone, name="Test", version=version, is_active=True)
    for order, key in enumerate(keys):
        theme = f.ThemeFactory(
            zone=zone, questionnaire=q, key=key, names={"nl": key.title(), "en": key.title()}, order=order
        )
        f.QuestionFactory(
            zone=zone, theme=theme, key="score", kind=Question.Kind.SCORE_0_10, texts={"en": f"{key} score"}
        )
        f.QuestionFactory(
            zone=zone,
            theme=theme,
            key="remark",
            kind=Question.Kind.TEXT,
            texts={"en": "remark"},
            counts_for_theme_score=False,
        )
    return q


@pytest.fixture
def world(personas) -> World:
    zone = personas.zone_a
    # Fixture rows of zone A, written before any request.
    with scopes_disabled():
        wijk1 = f.WijkFactory(zone=zone, name="Wijk Een", code="W1")
        wijk2 = f.WijkFactory(zone=zone, name="Wijk Twee", code="W2", boundary=f.square(3.07, 51.05))
        alice_wi = f.WijkinspecteurFactory(
            zone=zone, user=personas.alice.user, display_name="Alice A", email="alice@example.org"
        )
        other_wi = f.WijkinspecteurFactory(zone=zone, display_name="Oscar O", email="oscar@example.org")
        Assignment.objects.create(
            zone=zone, wijk=wijk1, wijkinspecteur=alice_wi, role="wijkinspecteur", starts_on=datetime.date(2020, 1, 1)
        )
        Assignment.objects.create(
            zone=zone, wijk=wijk2, wijkinspecteur=other_wi, role="wijkinspecteur", starts_on=datetime.date(2020, 1, 1)
        )
        contact1 = f.ContactPersonFactory(
            zone=zone, partner__wijk=wijk1, name="Carla Contact", partner__name="Buurtcomité Een"
        )
        contact2 = f.ContactPersonFactory(
            zone=zone, partner__wijk=wijk2, name="Dirk Contact", partner__name="School Twee"
        )
        questionnaire = make_questionnaire(zone)
    return World(zone, wijk1, wijk2, alice_wi, other_wi, contact1, contact2, questionnaire)


def take(world: World, contact=None, *, date, scores: dict[str, int], problems=None, statuses=None, inspecteur=None):
    """Record a scan with one 0-10 answer per theme key."""
    contact = contact or world.contact1
    with scope(zone=world.zone.pk):
        return services.scan_take(
            zone=world.zone,
            contact=contact,
            wijkinspecteur=inspecteur or world.alice_wi,
            by=None,
            date=date,
            answers={f"{k}.score": v for k, v in scores.items()},
            problems={k: (True, note) for k, note in (problems or {}).items()},
            statuses=statuses or {},
        )


def results(scan) -> dict:
    with scope(zone=scan.zone_id):
        return {r.theme_key: r for r in scan.theme_results.all()}


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)
