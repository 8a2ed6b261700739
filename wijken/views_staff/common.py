"""What the staff pages share: roles of the norm page, map colours, the manager flag and service errors on forms."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from .. import selectors
from ..models import MANAGER_ROLES, STAFF_ROLES, Role

NORM_ROLES = STAFF_ROLES | {Role.BESTUUR}
STATUS_COLORS = {
    selectors.NormStatus.OK: "#198754",
    selectors.NormStatus.SHORTFALL: "#dc3545",
    selectors.NormStatus.UNKNOWN: "#6c757d",
}


def put_errors_on_form(form, exc: ValidationError, field_map: dict[str, str] | None = None) -> None:
    """A service's ValidationError back on the form: known fields on the field, the rest on top."""
    field_map = field_map or {}
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            field = field_map.get(field, field)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class ManagerMixin:
    @property
    def is_manager(self) -> bool:
        return self.request.membership.role in MANAGER_ROLES

    def get_context_data(self, **kwargs):
        kwargs.setdefault("is_manager", self.is_manager)
        return super().get_context_data(**kwargs)
