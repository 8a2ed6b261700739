"""A small partner network in zone A: two wijken side by side, alice (wijkinspecteur) serves wijk one only."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.contrib.gis.geos import Point
from django_scopes import scopes_disabled

from partners.models import ContactPerson, Partner, PartnerType
from partners.services import partner_types_ensure_defaults
from tests import factories as f
from wijken.models import Wijk, Wijkinspecteur

IN_ONE = Point(3.055, 51.055, srid=4326)
IN_TWO = Point(3.075, 51.055, srid=4326)
OUTSIDE = Point(3.15, 51.15, srid=4326)


@dataclass
class Net:
    wijk_one: Wijk
    wijk_two: Wijk
    alice_profile: Wijkinspecteur
    other_profile: Wijkinspecteur
    school: PartnerType
    own: Partner  # in wijk one (alice's)
    other: Partner  # in wijk two (not alice's)
    own_contact: ContactPerson
    other_contact: ContactPerson


@pytest.fixture
def net(personas) -> Net:
    zone = personas.zone_a
    # Builds zone A's rows before any request is active.
    with scopes_disabled():
        types = {t.key: t for t in partner_types_ensure_defaults(zone)}
        wijk_one = f.WijkFactory(zone=zone, code="W1", name="Wijk Een", boundary=f.square(3.05, 51.05))
        wijk_two = f.WijkFactory(zone=zone, code="W2", name="Wijk Twee", boundary=f.square(3.07, 51.05))
        alice_profile = f.WijkinspecteurFactory(zone=zone, user=personas.alice.user, display_name="Alice Agent")
        other_profile = f.WijkinspecteurFactory(zone=zone, display_name="Otto Ander")
        f.AssignmentFactory(zone=zone, wijk=wijk_one, wijkinspecteur=alice_profile)
        f.AssignmentFactory(zone=zone, wijk=wijk_two, wijkinspecteur=other_profile)
        # An ended assignment gives no rights any more.
        f.AssignmentFactory(
            zone=zone,
            wijk=wijk_two,
            wijkinspecteur=alice_profile,
            starts_on=datetime.date(2020, 1, 1),
            ends_on=datetime.date(2021, 1, 1),
        )
        own = f.PartnerFactory(
            zone=zone, wijk=wijk_one, point=IN_ONE, partner_type=types["school"], name="Eigen school"
        )
        other = f.PartnerFactory(
            zone=zone, wijk=wijk_two, point=IN_TWO, partner_type=types["horeca"], name="Café Anderwijk"
        )
        own_contact = f.ContactPersonFactory(zone=zone, partner=own, name="Els Eigen", consent_note="mondeling")
        other_contact = f.ContactPersonFactory(zone=zone, partner=other, name="Omar Ander", consent_note="mondeling")
        return Net(
            wijk_one, wijk_two, alice_profile, other_profile, types["school"], own, other, own_contact, other_contact
        )
