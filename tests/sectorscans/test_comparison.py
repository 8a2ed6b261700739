"""Comparison rules: every status, carried-forward problems and the wijkinspecteur's confirmation."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope

from sectorscans import services
from sectorscans.models import Status, ThemeResult

from .conftest import results, take

D1 = datetime.date(2025, 3, 1)
D2 = datetime.date(2026, 3, 1)


def test_first_scan_is_new_for_every_theme(world):
    scan = take(world, date=D1, scores={"verkeer": 5, "drugs": 5, "overlast": 5})
    assert {r.computed_status for r in results(scan).values()} == {Status.NEW}
    assert scan.previous_id is None


def test_score_rules_improved_worse_unchanged(world):
    take(world, date=D1, scores={"verkeer": 5, "drugs": 5, "overlast": 5})
    # +1 point on 10 is the threshold (10 % of the scale); +0.9 would not count, but the scale has whole steps.
    scan = take(world, date=D2, scores={"verkeer": 6, "drugs": 4, "overlast": 5})
    r = results(scan)
    assert r["verkeer"].computed_status == Status.IMPROVED
    assert r["drugs"].computed_status == Status.WORSE
    assert r["overlast"].computed_status == Status.UNCHANGED
    assert r["verkeer"].score == pytest.approx(0.6)
    assert scan.previous is not None and scan.previous.date == D1


def test_threshold_is_ten_percent_of_the_scale():
    prev = ThemeResult(score=0.50, has_problem=False)
    assert services.compare(previous=prev, score=0.59, has_problem=False) == Status.UNCHANGED
    assert services.compare(previous=prev, score=0.60, has_problem=False) == Status.IMPROVED
    assert services.compare(previous=prev, score=0.41, has_problem=False) == Status.UNCHANGED
    assert services.compare(previous=prev, score=0.40, has_problem=False) == Status.WORSE
    assert services.compare(previous=prev, score=None, has_problem=False) == Status.UNCHANGED


def test_problem_gone_is_solved_and_new_problem_is_worse(world):
    take(world, date=D1, scores={"verkeer": 3, "drugs": 8, "overlast": 5}, problems={"verkeer": "sluipverkeer"})
    scan = take(world, date=D2, scores={"verkeer": 3, "drugs": 9, "overlast": 5}, problems={"drugs": "dealen"})
    r = results(scan)
    assert r["verkeer"].computed_status == Status.SOLVED  # same score, but the problem is gone
    assert r["drugs"].computed_status == Status.WORSE  # better score, but a new problem


def test_problem_is_carried_forward_until_solved(world):
    first = take(world, date=D1, scores={"verkeer": 3, "drugs": 5, "overlast": 5}, problems={"verkeer": "sluipverkeer"})
    # Still a problem, no new note: the note and the link to the first result are carried forward.
    second = take(world, date=D2, scores={"verkeer": 3, "drugs": 5, "overlast": 5}, problems={"verkeer": ""})
    r2 = results(second)["verkeer"]
    assert r2.has_problem and r2.problem_note == "sluipverkeer"
    assert r2.carried_forward_from_id == results(first)["verkeer"].pk
    assert r2.computed_status == Status.UNCHANGED
    third = take(world, date=datetime.date(2026, 9, 1), scores={"verkeer": 4, "drugs": 5, "overlast": 5})
    r3 = results(third)["verkeer"]
    assert r3.computed_status == Status.SOLVED and not r3.has_problem and r3.carried_forward_from_id is None


def test_the_take_form_carries_open_problems_forward(world, personas):
    from tests.conftest import login

    take(world, date=D1, scores={"verkeer": 3, "drugs": 5, "overlast": 5}, problems={"verkeer": "sluipverkeer"})
    response = login(personas.alice).get(f"/sectorscans/take/{world.contact1.pk}/")
    assert response.status_code == 200
    form = response.context["form"]
    assert form["problem.verkeer"].initial is True and form["note.verkeer"].initial == "sluipverkeer"
    assert form["problem.drugs"].initial is False


def test_confirmation_overrides_the_computed_status(world):
    take(world, date=D1, scores={"verkeer": 5, "drugs": 5, "overlast": 5})
    scan = take(world, date=D2, scores={"verkeer": 5, "drugs": 5, "overlast": 5}, statuses={"verkeer": Status.IMPROVED})
    r = results(scan)
    assert r["verkeer"].computed_status == Status.UNCHANGED
    assert r["verkeer"].status == Status.IMPROVED  # the inspecteur's word wins
    assert r["drugs"].status == Status.UNCHANGED
    with scope(zone=world.zone.pk):
        services.scan_confirm(zone=world.zone, scan=scan, statuses={"drugs": Status.WORSE, "verkeer": ""})
    r = results(scan)
    assert r["drugs"].status == Status.WORSE and r["drugs"].confirmed_status == Status.WORSE
    assert r["verkeer"].status == Status.UNCHANGED  # confirmation withdrawn: back to the computed status
    with scope(zone=world.zone.pk), pytest.raises(ValidationError):
        services.scan_confirm(zone=world.zone, scan=scan, statuses={"drugs": "great"})


def test_a_backdated_scan_compares_with_the_scan_before_it(world):
    take(world, date=D1, scores={"verkeer": 2, "drugs": 5, "overlast": 5})
    take(world, date=D2, scores={"verkeer": 9, "drugs": 5, "overlast": 5})
    between = take(world, date=datetime.date(2025, 9, 1), scores={"verkeer": 5, "drugs": 5, "overlast": 5})
    assert between.previous.date == D1
    assert results(between)["verkeer"].computed_status == Status.IMPROVED


def test_visit_is_logged_through_partners(world):
    scan = take(world, date=D1, scores={"verkeer": 5})
    with scope(zone=world.zone.pk):
        visit = scan.visit
        assert visit.kind == "sectorscan" and visit.partner_id == world.contact1.partner_id
        assert list(visit.contacts.all()) == [world.contact1]
