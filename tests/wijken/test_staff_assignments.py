"""Assignment rules (services.assignments) and the assignment pages."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tests import factories as f
from tests.conftest import login
from wijken.models import Assignment
from wijken.services.assignments import assignment_create, assignment_end, assignment_update, standin_set

Role = Assignment.AssignmentRole
D = datetime.date


@pytest.fixture
def setup(personas, in_zone_a):
    with scopes_disabled():
        wijk = f.WijkFactory(zone=personas.zone_a, code="C1", name="Centrum")
        anna = f.WijkinspecteurFactory(zone=personas.zone_a, display_name="Anna")
        bert = f.WijkinspecteurFactory(zone=personas.zone_a, display_name="Bert")
        carl = f.WijkinspecteurFactory(zone=personas.zone_a, display_name="Carl")
    return personas.zone_a, wijk, anna, bert, carl


def test_second_main_wijkinspecteur_in_an_overlapping_period_is_refused_with_a_clear_error(setup):
    zone, wijk, anna, bert, _ = setup
    assignment_create(zone=zone, wijk=wijk, wijkinspecteur=anna, role=Role.WIJKINSPECTEUR, starts_on=D(2024, 1, 1))
    with pytest.raises(ValidationError) as exc:
        assignment_create(zone=zone, wijk=wijk, wijkinspecteur=bert, role=Role.WIJKINSPECTEUR, starts_on=D(2025, 3, 1))
    assert "Anna" in str(exc.value.message_dict["starts_on"])
    assert Assignment.objects.filter(wijk=wijk).count() == 1


def test_after_ending_the_old_one_a_new_main_wijkinspecteur_is_accepted(setup):
    zone, wijk, anna, bert, _ = setup
    old = assignment_create(
        zone=zone, wijk=wijk, wijkinspecteur=anna, role=Role.WIJKINSPECTEUR, starts_on=D(2024, 1, 1)
    )
    assignment_end(assignment=old, ends_on=D(2025, 2, 28))
    new = assignment_create(
        zone=zone, wijk=wijk, wijkinspecteur=bert, role=Role.WIJKINSPECTEUR, starts_on=D(2025, 3, 1)
    )
    old.refresh_from_db()
    assert old.ends_on == D(2025, 2, 28) and new.ends_on is None


def test_replace_current_ends_the_old_assignment_the_day_before(setup):
    zone, wijk, anna, bert, _ = setup
    old = assignment_create(
        zone=zone, wijk=wijk, wijkinspecteur=anna, role=Role.WIJKINSPECTEUR, starts_on=D(2024, 1, 1)
    )
    assignment_create(
        zone=zone,
        wijk=wijk,
        wijkinspecteur=bert,
        role=Role.WIJKINSPECTEUR,
        starts_on=D(2025, 3, 1),
        replace_current=True,
    )
    old.refresh_from_db()
    assert old.ends_on == D(2025, 2, 28)


def test_wijkteam_members_may_be_several_but_not_the_same_officer_twice(setup):
    zone, wijk, anna, bert, _ = setup
    assignment_create(zone=zone, wijk=wijk, wijkinspecteur=anna, role=Role.WIJKINSPECTEUR, starts_on=D(2024, 1, 1))
    assignment_create(zone=zone, wijk=wijk, wijkinspecteur=bert, role=Role.WIJKTEAM, starts_on=D(2024, 1, 1))
    with pytest.raises(ValidationError) as exc:
        assignment_create(zone=zone, wijk=wijk, wijkinspecteur=bert, role=Role.WIJKTEAM, starts_on=D(2024, 6, 1))
    assert "wijkinspecteur" in exc.value.message_dict


def test_stand_in_rules(setup):
    zone, wijk, anna, bert, carl = setup
    assignment_create(zone=zone, wijk=wijk, wijkinspecteur=anna, role=Role.WIJKINSPECTEUR, starts_on=D(2024, 1, 1))
    with pytest.raises(ValidationError) as exc:
        standin_set(zone=zone, wijk=wijk, wijkinspecteur=anna, starts_on=D(2025, 7, 1), ends_on=D(2025, 7, 31))
    assert "wijkinspecteur" in exc.value.message_dict
    standin_set(zone=zone, wijk=wijk, wijkinspecteur=bert, starts_on=D(2025, 7, 1), ends_on=D(2025, 7, 31))
    with pytest.raises(ValidationError) as exc:
        standin_set(zone=zone, wijk=wijk, wijkinspecteur=carl, starts_on=D(2025, 7, 15), ends_on=D(2025, 8, 15))
    assert "Bert" in str(exc.value.message_dict["starts_on"])
    with pytest.raises(ValidationError) as exc:
        assignment_create(zone=zone, wijk=wijk, wijkinspecteur=carl, role=Role.STANDIN, starts_on=D(2025, 9, 1))
    assert "ends_on" in exc.value.message_dict


def test_end_date_before_start_and_reopening_are_refused(setup):
    zone, wijk, anna, *_ = setup
    a = assignment_create(zone=zone, wijk=wijk, wijkinspecteur=anna, role=Role.WIJKINSPECTEUR, starts_on=D(2024, 1, 1))
    with pytest.raises(ValidationError):
        assignment_end(assignment=a, ends_on=D(2023, 12, 31))
    assignment_end(assignment=a, ends_on=D(2024, 6, 30))
    with pytest.raises(ValidationError):
        assignment_end(assignment=a, ends_on=D(2024, 12, 31))
    with pytest.raises(ValidationError):
        assignment_update(assignment=a, starts_on=D(2024, 1, 1), ends_on=D(2023, 1, 1))


def test_wijk_and_officer_of_another_zone_are_refused(setup, personas):
    zone, wijk, *_ = setup
    with scopes_disabled():
        foreign = f.WijkinspecteurFactory(zone=personas.zone_b)
    with pytest.raises(ValidationError) as exc:
        assignment_create(zone=zone, wijk=wijk, wijkinspecteur=foreign, role=Role.WIJKTEAM, starts_on=D(2024, 1, 1))
    assert "wijkinspecteur" in exc.value.message_dict


# --- Pages ----------------------------------------------------------------------------------------------


def test_teamchef_creates_an_assignment_and_sees_the_overlap_error_on_the_form(setup, personas):
    zone, wijk, anna, bert, _ = setup
    client = login(personas.bob)
    data = {"wijk": wijk.pk, "wijkinspecteur": anna.pk, "role": "wijkinspecteur", "starts_on": "2024-01-01"}
    response = client.post("/toewijzingen/nieuw/", data)
    assert response.status_code == 302, response.content
    response = client.post("/toewijzingen/nieuw/", {**data, "wijkinspecteur": bert.pk, "starts_on": "2025-01-01"})
    assert response.status_code == 200
    assert "already has a main wijkinspecteur" in response.content.decode()
    response = client.post(
        "/toewijzingen/nieuw/", {**data, "wijkinspecteur": bert.pk, "starts_on": "2025-01-01", "replace_current": "on"}
    )
    assert response.status_code == 302
    with scope(zone=zone.pk):
        assert list(Assignment.objects.filter(wijk=wijk).values_list("ends_on", flat=True).order_by("starts_on")) == [
            D(2024, 12, 31),
            None,
        ]


def test_bad_dates_on_the_form_give_field_errors(setup, personas):
    zone, wijk, anna, *_ = setup
    response = login(personas.bob).post(
        "/toewijzingen/nieuw/",
        {
            "wijk": wijk.pk,
            "wijkinspecteur": anna.pk,
            "role": "standin",
            "starts_on": "2025-02-01",
            "ends_on": "2025-01-01",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["ends_on"]
    response = login(personas.bob).post("/toewijzingen/nieuw/", {"wijk": wijk.pk, "starts_on": "not a date"})
    assert response.status_code == 200 and response.context["form"].errors["starts_on"]


def test_ending_through_the_page_and_stand_in_shown_as_active(setup, personas):
    zone, wijk, anna, bert, _ = setup
    today = timezone.localdate()
    with scope(zone=zone.pk):
        a = assignment_create(
            zone=zone, wijk=wijk, wijkinspecteur=anna, role=Role.WIJKINSPECTEUR, starts_on=D(2024, 1, 1)
        )
        standin_set(zone=zone, wijk=wijk, wijkinspecteur=bert, starts_on=today, ends_on=today + datetime.timedelta(14))
    client = login(personas.bob)
    page = client.get("/wijken/").content.decode()
    assert "Bert" in page and "stand-in" in page
    detail = client.get(f"/wijken/{wijk.pk}/").content.decode()
    assert "Bert" in detail and "active" in detail
    response = client.post(f"/toewijzingen/{a.pk}/beeindigen/", {"ends_on": str(today)})
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.ends_on == today


def test_wijkinspecteur_reads_assignments_but_cannot_change_them(setup, personas):
    zone, wijk, anna, *_ = setup
    with scope(zone=zone.pk):
        a = assignment_create(
            zone=zone, wijk=wijk, wijkinspecteur=anna, role=Role.WIJKINSPECTEUR, starts_on=D(2024, 1, 1)
        )
    client = login(personas.alice)
    page = client.get("/toewijzingen/")
    assert page.status_code == 200 and "Anna" in page.content.decode()
    assert "/toewijzingen/nieuw/" not in page.content.decode()
    assert client.get("/toewijzingen/nieuw/").status_code == 403
    assert client.post(f"/toewijzingen/{a.pk}/beeindigen/", {"ends_on": "2025-01-01"}).status_code == 403
    assert login(personas.charlie).get("/toewijzingen/").status_code == 403


def test_assignment_list_runs_in_constant_queries(setup, personas, django_assert_max_num_queries):
    zone, *_ = setup
    client = login(personas.bob)
    with scopes_disabled():
        f.AssignmentFactory.create_batch(3, zone=zone, starts_on=D(2024, 1, 1))
    with django_assert_max_num_queries(12):
        assert client.get("/toewijzingen/").status_code == 200
    with scopes_disabled():
        f.AssignmentFactory.create_batch(40, zone=zone, starts_on=D(2024, 1, 1))
    with django_assert_max_num_queries(12):
        response = client.get("/toewijzingen/")
    assert len(response.context["assignments"]) == 43
