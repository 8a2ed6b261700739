"""Services of the partners app: wijk derivation, override, moved points, default types, contacts, visits."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.gis.geos import Point
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_scopes import scope

from partners import services
from partners.models import ContactPerson, FollowUpTask, PartnerType, VisitContact
from tests import factories as f

from .conftest import IN_ONE, IN_TWO, OUTSIDE


@pytest.fixture
def zone(personas, in_zone_a):
    return personas.zone_a


def test_wijk_follows_from_the_point(zone, net):
    partner = services.partner_create(zone=zone, partner_type=net.school, name="Nieuwe school", point=IN_TWO)
    assert partner.wijk == net.wijk_two
    assert not partner.wijk_overridden
    nowhere = services.partner_create(zone=zone, partner_type=net.school, name="Ergens", point=OUTSIDE)
    assert nowhere.wijk is None


def test_only_current_leaf_wijken_are_derived(zone, net):
    # An old boundary version and a politiewijk both cover the point; neither may be chosen.
    f.WijkFactory(
        zone=zone,
        code="A0",
        boundary=f.square(3.07, 51.05),
        valid_from=datetime.date(2000, 1, 1),
        valid_until=datetime.date(2010, 1, 1),
    )
    f.WijkFactory(zone=zone, code="A1", kind="politiewijk", boundary=f.square(3.0, 51.0, 0.2))
    partner = services.partner_create(zone=zone, partner_type=net.school, name="Test", point=IN_TWO)
    assert partner.wijk == net.wijk_two


def test_override_keeps_the_chosen_wijk_when_the_point_moves(zone, net):
    partner = services.partner_create(
        zone=zone, partner_type=net.school, name="Hand", point=IN_ONE, wijk=net.wijk_two, wijk_overridden=True
    )
    assert partner.wijk == net.wijk_two and partner.wijk_overridden
    services.partner_update(partner=partner, point=Point(3.0551, 51.0551, srid=4326))
    partner.refresh_from_db()
    assert partner.wijk == net.wijk_two
    # Switching the override off lets the point decide again.
    services.partner_update(partner=partner, wijk_overridden=False)
    partner.refresh_from_db()
    assert partner.wijk == net.wijk_one and not partner.wijk_overridden


def test_override_needs_a_wijk(zone, net):
    with pytest.raises(ValidationError) as exc:
        services.partner_create(zone=zone, partner_type=net.school, name="X", point=IN_ONE, wijk_overridden=True)
    assert "wijk" in exc.value.message_dict


def test_a_moved_point_rederives_the_wijk(zone, net):
    partner = net.own
    services.partner_update(partner=partner, point=IN_TWO)
    partner.refresh_from_db()
    assert partner.wijk == net.wijk_two
    services.partner_update(partner=partner, name="Renamed")  # no move: the wijk stays
    partner.refresh_from_db()
    assert partner.wijk == net.wijk_two and partner.name == "Renamed"


def test_wijkinspecteur_edits_only_own_wijken(personas, zone, net):
    alice = personas.alice
    services.partner_create(zone=zone, partner_type=net.school, name="Mag", point=IN_ONE, actor=alice)
    with pytest.raises(PermissionDenied):
        services.partner_create(zone=zone, partner_type=net.school, name="Mag niet", point=IN_TWO, actor=alice)
    with pytest.raises(PermissionDenied):
        # Moving her own partner into another wijk is editing that wijk too.
        services.partner_update(partner=net.own, point=IN_TWO, actor=alice)
    with pytest.raises(PermissionDenied):
        services.partner_update(partner=net.other, name="x", actor=alice)
    services.partner_update(partner=net.other, name="Bob mag", actor=personas.bob)
    with pytest.raises(PermissionDenied):
        services.partner_update(partner=net.other, name="x", actor=personas.charlie)


def test_default_partner_types(zone):
    types = services.partner_types_ensure_defaults(zone)
    assert len(types) == 13
    assert {t.key for t in types} >= {"buurtcomite", "school", "horeca", "sociale-huisvesting", "andere"}
    assert len({t.color for t in types}) == 13
    school = PartnerType.objects.get(key="school")
    school.name = "Scholen"
    school.save()
    again = services.partner_types_ensure_defaults(zone)
    assert len(again) == 13
    assert PartnerType.objects.get(key="school").name == "Scholen"  # the zone's own name is kept


def test_default_type_names_follow_the_zone_language(db):
    zone = f.ZoneFactory(languages=["en"])
    with scope(zone=zone.pk):
        names = {t.key: t.name for t in services.partner_types_ensure_defaults(zone)}
    assert names["buurtcomite"] == "Neighbourhood committee"


def test_contact_needs_a_lawful_basis(zone, net):
    with pytest.raises(ValidationError) as exc:
        services.contact_create(zone=zone, partner=net.own, name="Zonder basis", lawful_basis="")
    assert "lawful_basis" in exc.value.message_dict


def test_consent_needs_a_note_and_a_date(zone, net):
    with pytest.raises(ValidationError) as exc:
        services.contact_create(
            zone=zone, partner=net.own, name="Ann", lawful_basis="consent", consent_note=" ", basis_recorded_on=None
        )
    assert set(exc.value.message_dict) >= {"consent_note", "basis_recorded_on"}
    contact = services.contact_create(
        zone=zone, partner=net.own, name="Ann", lawful_basis="consent", consent_note="Schriftelijk, 3 maart"
    )
    assert contact.basis_recorded_on == timezone.localdate()
    # Another basis needs no note.
    services.contact_create(zone=zone, partner=net.own, name="Bert", lawful_basis="public_task")
    assert ContactPerson.objects.filter(partner=net.own).count() == 3


def test_visit_log_with_contacts_and_tasks(zone, net, personas):
    today = timezone.localdate()
    visit = services.visit_log(
        zone=zone,
        partner=net.own,
        wijkinspecteur=net.alice_profile,
        by=personas.alice.user,
        date=today,
        kind="follow_up",
        contacts=[net.own_contact],
        notes="Alles rustig",
        tasks=[("Folder brengen", today + datetime.timedelta(days=7))],
        actor=personas.alice,
    )
    assert list(visit.contacts.all()) == [net.own_contact]
    assert VisitContact.objects.get().zone_id == zone.pk
    task = FollowUpTask.objects.get(visit=visit)
    assert task.zone_id == zone.pk and task.due_on == today + datetime.timedelta(days=7)


def test_visit_log_rejects_bad_input(zone, net, personas):
    today = timezone.localdate()
    common = {"zone": zone, "partner": net.own, "wijkinspecteur": net.alice_profile, "by": None}
    with pytest.raises(ValidationError) as exc:
        services.visit_log(**common, date=today, contacts=[net.other_contact])
    assert "contacts" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.visit_log(**common, date=today + datetime.timedelta(days=1))
    assert "date" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.visit_log(**common, date=today, tasks=[("Te vroeg", today - datetime.timedelta(days=3))])
    assert "tasks" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.visit_log(**{**common, "partner": net.other}, date=today, actor=personas.alice)
    assert not net.own.visits.exists()


def test_task_complete_is_idempotent(zone, net, personas):
    task = f.FollowUpTaskFactory(zone=zone, visit=f.VisitFactory(zone=zone, partner=net.own))
    services.task_complete(task=task, by=personas.alice.user, on=datetime.date(2026, 4, 1))
    services.task_complete(task=task, by=personas.bob.user, on=datetime.date(2026, 5, 1))
    task.refresh_from_db()
    assert task.done_on == datetime.date(2026, 4, 1) and task.done_by == personas.alice.user
    services.task_complete(task=task, by=personas.bob.user, done=False)
    task.refresh_from_db()
    assert task.done_on is None and task.done_by is None
    with pytest.raises(PermissionDenied):
        other_task = f.FollowUpTaskFactory(zone=zone, visit=f.VisitFactory(zone=zone, partner=net.other))
        services.task_complete(task=other_task, by=personas.alice.user, actor=personas.alice)
