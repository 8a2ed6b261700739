"""Who may change which part of the partner network. One place, used by services (the rule), views and the
API (to hide buttons and answer early). Which wijken a member edits is wijken.selectors.may_edit_wijk, the
rule of every app: managers edit the whole zone, a wijkinspecteur the wijken they serve now, everyone else on
the staff reads."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from wijken.models import EDIT_ROLES, Membership, Wijkinspecteur
from wijken.selectors import may_edit_wijk


def can_edit_any(membership: Membership | None) -> bool:
    """Whether the member may edit some part of the network (to show "new partner" and "log a visit")."""
    return membership is not None and membership.role in EDIT_ROLES


def require_edit_wijk(membership: Membership | None, wijk_id: int | None) -> None:
    """Raises PermissionDenied (403) unless the member edits this wijk's network. No membership means a
    system caller (demo, import, another app's service) and is allowed."""
    if membership is None:
        return
    if not may_edit_wijk(membership, wijk_id):
        raise PermissionDenied(_("You can only change the partner network of your own wijken."))


def profile_of(membership: Membership) -> Wijkinspecteur | None:
    """The member's own active Wijkinspecteur profile in the zone, if any."""
    return Wijkinspecteur.objects.filter(user_id=membership.user_id, is_active=True).order_by("pk").first()
