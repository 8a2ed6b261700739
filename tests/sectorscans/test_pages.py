"""The take-a-scan flow in the browser: questions, the review with the comparison, then save; the scan list
and detail; the questionnaire pages."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from django_scopes import scope

from sectorscans.models import Questionnaire, Scan, Status
from tests.conftest import login

from .conftest import results, take


def test_take_a_scan_review_then_save(world, personas):
    take(world, world.contact1, date=datetime.date(2025, 3, 1), scores={"verkeer": 5, "drugs": 5})
    client = login(personas.alice)
    url = f"/sectorscans/take/{world.contact1.pk}/"
    today = timezone.localdate().isoformat()
    data = {"date": today, "verkeer.score": "8", "drugs.score": "5", "problem.drugs": "on", "note.drugs": "dealen"}
    response = client.post(url, {**data, "stage": "review"})
    assert response.status_code == 200
    outcomes = {o.theme.key: o for o in response.context["outcomes"]}
    assert outcomes["verkeer"].computed_status == Status.IMPROVED
    assert outcomes["drugs"].computed_status == Status.WORSE
    with scope(zone=world.zone.pk):
        assert Scan.objects.count() == 1  # the review saves nothing
    # The review form carries the answers; the inspecteur corrects one status and saves.
    hidden = dict(response.context["hidden"])
    assert hidden["verkeer.score"] == "8"
    response = client.post(url, {**hidden, "status.verkeer": "unchanged", "status.drugs": "worse", "stage": "save"})
    assert response.status_code == 302
    with scope(zone=world.zone.pk):
        scan = Scan.objects.order_by("-pk").first()
    assert response["Location"] == f"/sectorscans/scans/{scan.pk}/"
    r = results(scan)
    assert r["verkeer"].status == Status.UNCHANGED and r["verkeer"].computed_status == Status.IMPROVED
    assert r["drugs"].has_problem and r["drugs"].problem_note == "dealen"
    page = client.get(response["Location"])
    assert page.status_code == 200 and "dealen" in page.content.decode()


def test_bad_answers_show_the_form_again(world, personas):
    response = login(personas.alice).post(
        f"/sectorscans/take/{world.contact1.pk}/", {"date": "2999-01-01", "verkeer.score": "12", "stage": "review"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors.keys() >= {"date", "verkeer.score"}


def test_scan_list_and_detail_queries_are_bounded(world, personas, django_assert_max_num_queries):
    for year in (2023, 2024, 2025):
        take(world, world.contact1, date=datetime.date(year, 3, 1), scores={"verkeer": year - 2020})
    client = login(personas.bob)
    with django_assert_max_num_queries(10):
        response = client.get("/sectorscans/")
    assert response.status_code == 200 and len(response.context["object_list"]) == 3
    with scope(zone=world.zone.pk):
        last = Scan.objects.order_by("-date").first()
    with django_assert_max_num_queries(14):
        response = client.get(f"/sectorscans/scans/{last.pk}/")
    assert response.status_code == 200


def test_questionnaire_pages(world, personas):
    client = login(personas.bob)
    assert client.get("/sectorscans/questionnaires/").status_code == 200
    response = client.post("/sectorscans/questionnaires/copy-default/")
    with scope(zone=world.zone.pk):
        default = Questionnaire.objects.get(is_active=True)
    assert response["Location"] == f"/sectorscans/questionnaires/{default.pk}/"
    response = client.post(f"/sectorscans/questionnaires/{default.pk}/new-version/")
    with scope(zone=world.zone.pk):
        draft = Questionnaire.objects.order_by("-version").first()
    assert draft.copied_from_id == default.pk and not draft.is_published
    page = client.get(f"/sectorscans/questionnaires/{draft.pk}/")
    assert page.status_code == 200 and page.context["editable"]
    client.post(f"/sectorscans/questionnaires/{draft.pk}/publish/")
    with scope(zone=world.zone.pk):
        assert Questionnaire.objects.get(is_active=True).pk == draft.pk


@pytest.mark.parametrize(
    "path", ["/sectorscans/", "/sectorscans/take/", "/sectorscans/coverage/", "/sectorscans/figures/"]
)
def test_pages_answer_without_any_data(personas, path):
    assert login(personas.bob).get(path).status_code == 200


def test_settings_form_validates(world, personas):
    client = login(personas.bob)
    response = client.post(
        "/sectorscans/coverage/settings/", {"interval_months": "0", "digest_days": "30"}, follow=True
    )
    assert "not saved" in response.content.decode()
    client.post("/sectorscans/coverage/settings/", {"interval_months": "6", "digest_days": "14"})
    assert client.get("/sectorscans/coverage/").context["conf"].interval_months == 6
