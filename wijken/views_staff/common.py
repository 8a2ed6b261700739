"""What the staff pages share: roles of the norm page, map colours and the manager flag."""

from __future__ import annotations

from .. import selectors
from ..models import MANAGER_ROLES, STAFF_ROLES, Role

NORM_ROLES = STAFF_ROLES | {Role.BESTUUR}
STATUS_COLORS = {
    selectors.NormStatus.OK: "#198754",
    selectors.NormStatus.SHORTFALL: "#dc3545",
    selectors.NormStatus.UNKNOWN: "#6c757d",
}


class ManagerMixin:
    @property
    def is_manager(self) -> bool:
        return self.request.membership.role in MANAGER_ROLES

    def get_context_data(self, **kwargs):
        kwargs.setdefault("is_manager", self.is_manager)
        return super().get_context_data(**kwargs)
