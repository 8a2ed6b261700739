"""Who may change which part of the partner network. One place, used by services (the rule), views and the
API (to hide buttons and answer early): managers edit the whole zone, a wijkinspecteur the network of the
wijken they serve now, everyone else on the staff reads."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from wijken.models import MANAGER_ROLES, Assignment, Membership, Role, Wijkinspecteur

EDIT_ROLES = MANAGER_ROLES | {Role.WIJKINSPECTEUR}


def own_wijk_ids(membership: Membership) -> frozenset[int]:
    """Wijken with an active assignment of a Wijkinspecteur profile whose user is the member (any assignment
    role: a stand-in edits the wijk they stand in for)."""
    cache = getattr(membership, "_own_wijk_ids", None)
    if cache is None:
        cache = frozenset(
            Assignment.objects.active()
            .filter(wijkinspecteur__user_id=membership.user_id, wijkinspecteur__is_active=True)
            .values_list("wijk_id", flat=True)
        )
        membership._own_wijk_ids = cache
    return cache


def editable_wijk_ids(membership: Membership) -> frozenset[int] | None:
    """The wijken whose network the member edits; None means every wijk of the zone."""
    if membership.role in MANAGER_ROLES:
        return None
    if membership.role == Role.WIJKINSPECTEUR:
        return own_wijk_ids(membership)
    return frozenset()


def can_edit_wijk(membership: Membership | None, wijk_id: int | None) -> bool:
    if membership is None:
        return False
    allowed = editable_wijk_ids(membership)
    if allowed is None:
        return True
    return wijk_id is not None and wijk_id in allowed


def can_edit_any(membership: Membership | None) -> bool:
    """Whether the member may edit some part of the network (to show "new partner" and "log a visit")."""
    return membership is not None and membership.role in EDIT_ROLES


def require_edit_wijk(membership: Membership | None, wijk_id: int | None) -> None:
    """Raises PermissionDenied (403) unless the member edits this wijk's network. No membership means a
    system caller (demo, import, another app's service) and is allowed."""
    if membership is None:
        return
    if not can_edit_wijk(membership, wijk_id):
        raise PermissionDenied(_("You can only change the partner network of your own wijken."))


def profile_of(membership: Membership) -> Wijkinspecteur | None:
    """The member's own active Wijkinspecteur profile in the zone, if any."""
    return Wijkinspecteur.objects.filter(user_id=membership.user_id, is_active=True).order_by("pk").first()
