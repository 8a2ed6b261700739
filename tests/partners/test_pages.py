"""Partner pages: the role matrix, the two-screen visit log, forms that explain bad input, query counts."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from partners.models import ContactPerson, FollowUpTask, Partner, Visit
from tests import factories as f
from tests.conftest import login

from .conftest import IN_ONE


def urls(net) -> dict[str, str]:
    return {
        "list": reverse("partners:list"),
        "network-index": reverse("partners:network-index"),
        "network": reverse("partners:wijk-network", kwargs={"wijk_pk": net.wijk_two.pk}),
        "detail": reverse("partners:detail", kwargs={"pk": net.other.pk}),
        "tasks": reverse("partners:tasks"),
        "pick": reverse("partners:visit-pick"),
        "create": reverse("partners:create"),
        "edit-own": reverse("partners:edit", kwargs={"pk": net.own.pk}),
        "edit-other": reverse("partners:edit", kwargs={"pk": net.other.pk}),
        "contact-new-other": reverse("partners:contact-create", kwargs={"partner_pk": net.other.pk}),
        "contact-edit-other": reverse("partners:contact-edit", kwargs={"pk": net.other_contact.pk}),
        "visit-other": reverse("partners:visit-log", kwargs={"partner_pk": net.other.pk}),
        "visit-own": reverse("partners:visit-log", kwargs={"partner_pk": net.own.pk}),
    }


def test_alice_reads_the_zone_and_edits_only_her_wijk(personas, net):
    client = login(personas.alice)
    u = urls(net)
    for name in ("list", "network-index", "network", "detail", "tasks", "pick", "create", "edit-own", "visit-own"):
        assert client.get(u[name]).status_code == 200, name
    for name in ("edit-other", "contact-new-other", "contact-edit-other", "visit-other"):
        assert client.get(u[name]).status_code == 403, name
        assert client.post(u[name], {"name": "x"}).status_code == 403, name
    detail = client.get(u["detail"]).content.decode()
    assert "Omar Ander" in detail  # staff see contact persons
    assert u["edit-other"] not in detail  # and no edit button where she may not edit


def test_bob_edits_everything(personas, net):
    client = login(personas.bob)
    for name, url in urls(net).items():
        assert client.get(url).status_code == 200, name
    response = client.post(
        urls(net)["edit-other"],
        {
            "name": "Café Hernoemd",
            "partner_type": net.other.partner_type_id,
            "latitude": "51.055",
            "longitude": "3.075",
        },
    )
    assert response.status_code == 302
    with scope(zone=personas.zone_a.pk):
        assert Partner.objects.get(pk=net.other.pk).name == "Café Hernoemd"


def test_bestuur_gets_403_on_every_partner_page(personas, net):
    client = login(personas.charlie)
    for name, url in urls(net).items():
        assert client.get(url).status_code == 403, name
    with scopes_disabled():
        task = f.FollowUpTaskFactory(zone=personas.zone_a, visit=f.VisitFactory(zone=personas.zone_a, partner=net.own))
    assert client.post(reverse("partners:task-done", kwargs={"pk": task.pk})).status_code == 403


def test_outsider_gets_404_on_zone_a_objects(personas, net):
    client = login(personas.olivia)
    u = urls(net)
    for name in ("network", "detail", "edit-own", "edit-other", "contact-new-other", "contact-edit-other", "visit-own"):
        assert client.get(u[name]).status_code == 404, name
    listing = client.get(u["list"]).content.decode()
    assert "Eigen school" not in listing and "Café Anderwijk" not in listing


def test_visit_log_takes_two_screens(personas, net):
    """Screen 1 (pick), screen 2 (form), save: three requests, two pages, back on screen 1 for the next one."""
    client = login(personas.alice)
    today = timezone.localdate()
    screens = 0

    screen1 = client.get(reverse("partners:visit-pick"))
    screens += 1
    page = screen1.content.decode()
    visit_url = reverse("partners:visit-log", kwargs={"partner_pk": net.own.pk})
    assert visit_url in page
    assert reverse("partners:visit-log", kwargs={"partner_pk": net.other.pk}) not in page  # not her wijk

    screen2 = client.get(visit_url)
    screens += 1
    form = screen2.context["form"]
    assert form["date"].value() == today  # the date is filled in already
    assert form["kind"].value() == Visit.Kind.INFORMATION
    assert "Els Eigen" in screen2.content.decode()  # contacts as checkboxes

    saved = client.post(
        visit_url,
        {
            "date": today.isoformat(),
            "kind": "follow_up",
            "contacts": [net.own_contact.pk],
            "notes": "Rustig",
            "task": "Folder brengen",
            "task_due_on": (today + datetime.timedelta(days=7)).isoformat(),
            "wijkinspecteur": net.alice_profile.pk,
        },
    )
    assert saved.status_code == 302 and saved["Location"] == reverse("partners:visit-pick")
    assert screens == 2
    with scope(zone=personas.zone_a.pk):
        visit = Visit.objects.get(partner=net.own)
        assert visit.wijkinspecteur == net.alice_profile and visit.created_by == personas.alice.user
        assert list(visit.contacts.all()) == [net.own_contact]
        assert visit.tasks.get().description == "Folder brengen"
    back = client.get(saved["Location"])
    assert "logged" in back.content.decode()


def test_visit_form_explains_bad_input(personas, net):
    client = login(personas.alice)
    url = reverse("partners:visit-log", kwargs={"partner_pk": net.own.pk})
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        url, {"date": tomorrow.isoformat(), "kind": "other", "task": "Iets", "wijkinspecteur": net.alice_profile.pk}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "task_due_on" in errors
    response = client.post(url, {"date": tomorrow.isoformat(), "kind": "other", "wijkinspecteur": net.alice_profile.pk})
    assert response.status_code == 200 and "date" in response.context["form"].errors
    response = client.post(url, {"date": "not a date", "kind": "nonsense"})
    assert response.status_code == 200 and {"date", "kind"} <= set(response.context["form"].errors)


def test_a_manager_without_profile_picks_whose_visit(personas, net):
    client = login(personas.bob)
    url = reverse("partners:visit-log", kwargs={"partner_pk": net.other.pk})
    response = client.get(url)
    assert "Otto Ander" in response.content.decode()
    response = client.post(
        url, {"date": timezone.localdate().isoformat(), "kind": "information", "wijkinspecteur": net.other_profile.pk}
    )
    assert response.status_code == 302
    with scope(zone=personas.zone_a.pk):
        assert Visit.objects.get(partner=net.other).wijkinspecteur == net.other_profile


def test_partner_create_derives_the_wijk_and_rejects_bad_coordinates(personas, net):
    client = login(personas.alice)
    data = {"name": "Nieuw comité", "partner_type": net.school.pk, "latitude": "51.055", "longitude": "3.055"}
    response = client.post(reverse("partners:create"), data)
    assert response.status_code == 302
    with scope(zone=personas.zone_a.pk):
        assert Partner.objects.get(name="Nieuw comité").wijk == net.wijk_one
    response = client.post(reverse("partners:create"), {**data, "latitude": "abc"})
    assert response.status_code == 200 and "latitude" in response.context["form"].errors
    response = client.post(reverse("partners:create"), {**data, "longitude": ""})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    # Outside her wijken: the service refuses.
    response = client.post(reverse("partners:create"), {**data, "longitude": "3.075"})
    assert response.status_code == 403


def test_contact_form_requires_a_note_for_consent(personas, net):
    client = login(personas.alice)
    url = reverse("partners:contact-create", kwargs={"partner_pk": net.own.pk})
    data = {
        "name": "Nina",
        "lawful_basis": "consent",
        "preferred_language": "nl",
        "basis_recorded_on": "2026-01-05",
        "is_active": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 200 and "consent_note" in response.context["form"].errors
    response = client.post(url, {**data, "lawful_basis": ""})
    assert "lawful_basis" in response.context["form"].errors
    response = client.post(url, {**data, "consent_note": "Mondeling bij bezoek"})
    assert response.status_code == 302
    with scope(zone=personas.zone_a.pk):
        assert ContactPerson.objects.get(name="Nina").partner == net.own


def test_task_done_with_htmx(personas, net):
    with scopes_disabled():
        task = f.FollowUpTaskFactory(
            zone=personas.zone_a,
            visit=f.VisitFactory(zone=personas.zone_a, partner=net.own, wijkinspecteur=net.alice_profile),
            description="Terugbellen",
        )
    client = login(personas.alice)
    listing = client.get(reverse("partners:tasks")).content.decode()
    assert "Terugbellen" in listing
    response = client.post(reverse("partners:task-done", kwargs={"pk": task.pk}), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert f'id="task-{task.pk}"' in response.content.decode() and "Undo" in response.content.decode()
    with scope(zone=personas.zone_a.pk):
        assert FollowUpTask.objects.get(pk=task.pk).done_on == timezone.localdate()
    assert "Terugbellen" not in client.get(reverse("partners:tasks")).content.decode()
    assert client.get(reverse("partners:task-done", kwargs={"pk": task.pk})).status_code == 405


def _grow(zone, wijk, partner_type, n):
    with scopes_disabled():
        for i in range(n):
            partner = f.PartnerFactory(zone=zone, wijk=wijk, point=IN_ONE, partner_type=partner_type)
            f.ContactPersonFactory(zone=zone, partner=partner)
            f.VisitFactory(zone=zone, partner=partner, date=timezone.localdate() - datetime.timedelta(days=i))
            f.FollowUpTaskFactory(zone=zone, visit=f.VisitFactory(zone=zone, partner=partner))


@pytest.mark.parametrize("count", [5, 50])
def test_list_pages_have_a_constant_query_count(personas, net, count, django_assert_max_num_queries):
    _grow(personas.zone_a, net.wijk_one, net.school, count)
    client = login(personas.bob)
    pages = [
        reverse("partners:list"),
        reverse("partners:list") + "?due=due&q=SENTINEL",
        reverse("partners:network-index"),
        reverse("partners:wijk-network", kwargs={"wijk_pk": net.wijk_one.pk}),
        reverse("partners:visit-pick"),
        reverse("partners:tasks") + "?all=1",
    ]
    for url in pages:
        with django_assert_max_num_queries(16):
            assert client.get(url).status_code == 200, url
