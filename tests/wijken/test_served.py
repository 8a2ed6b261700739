"""The one rule of every app for "which wijken does this user serve" and "may this member edit records of
this wijk" (wijken.selectors)."""

from __future__ import annotations

import datetime

from django_scopes import scope, scopes_disabled

from tests import factories as f
from wijken.models import Membership, Role, Wijk
from wijken.selectors import may_edit_wijk, wijken_served_by, wijken_served_per_wijkinspecteur


def test_served_wijken_follow_active_assignments_of_active_profiles(personas):
    zone = personas.zone_a
    with scopes_disabled():
        politiewijk = f.WijkFactory(zone=zone, kind=Wijk.Kind.POLITIEWIJK)
        child, other, past, elsewhere = (f.WijkFactory(zone=zone) for _ in range(4))
        colleague = f.WijkinspecteurFactory(zone=zone)
        f.AssignmentFactory(zone=zone, wijk=elsewhere, wijkinspecteur=colleague)
        child.parent = politiewijk
        child.save()
        own = f.WijkinspecteurFactory(zone=zone, user=personas.alice.user)
        f.AssignmentFactory(zone=zone, wijk=politiewijk, wijkinspecteur=own)
        f.AssignmentFactory(zone=zone, wijk=other, wijkinspecteur=own, role="standin")
        f.AssignmentFactory(zone=zone, wijk=past, wijkinspecteur=own, ends_on=datetime.date(2024, 6, 30))
    with scope(zone=zone.pk):
        served = wijken_served_by(personas.alice.user)
        assert served == {politiewijk.pk, child.pk, other.pk}
        assert wijken_served_by(personas.alice.user, on=datetime.date(2024, 3, 1)) >= {past.pk}
        assert wijken_served_per_wijkinspecteur() == {own.pk: served, colleague.pk: {elsewhere.pk}}
        assert wijken_served_by(personas.bob.user) == frozenset()

        assert may_edit_wijk(personas.alice, child) and may_edit_wijk(personas.alice, other.pk)
        assert not may_edit_wijk(personas.alice, elsewhere) and not may_edit_wijk(personas.alice, None)
        assert may_edit_wijk(personas.bob, elsewhere) and may_edit_wijk(personas.bob, None)  # teamchef: all
        assert not may_edit_wijk(personas.charlie, child)  # bestuur reads
        assert not may_edit_wijk(None, child)
        assert personas.charlie.role == Role.BESTUUR

        # A deactivated profile serves nothing any more, although its assignments still run.
        own.is_active = False
        own.save()
        assert wijken_served_by(personas.alice.user) == frozenset()
        assert not may_edit_wijk(Membership.objects.get(pk=personas.alice.pk), child)
        assert wijken_served_per_wijkinspecteur() == {colleague.pk: {elsewhere.pk}}
