"""Staff pages: wijken with who serves them and the norm check, assignments, wijkinspecteur profiles,
contactpunten and their spreekuren. Views validate, call a service and render; the rules live in services."""

from ..forms_base import put_errors_on_form
from .assignments import (
    AssignmentCreateView,
    AssignmentEndView,
    AssignmentListView,
    AssignmentObjectMixin,
    AssignmentUpdateView,
)
from .common import NORM_ROLES, STATUS_COLORS, ManagerMixin
from .contactpunten import (
    ContactpuntCreateView,
    ContactpuntDetailView,
    ContactpuntFormView,
    ContactpuntListView,
    ContactpuntRightsMixin,
    ContactpuntUpdateView,
    SpreekuurCreateView,
    SpreekuurDeleteView,
    SpreekuurEditMixin,
    SpreekuurExceptionCreateView,
    SpreekuurExceptionDeleteView,
    SpreekuurExceptionUpdateView,
    SpreekuurFormMixin,
    SpreekuurUpdateView,
    spreekuren_context,
)
from .profiles import (
    WijkinspecteurCreateView,
    WijkinspecteurDetailView,
    WijkinspecteurFormMixin,
    WijkinspecteurListView,
    WijkinspecteurUpdateView,
)
from .wijken import NormView, WijkDetailView, WijkListView

__all__ = [
    "AssignmentCreateView",
    "AssignmentEndView",
    "AssignmentListView",
    "AssignmentObjectMixin",
    "AssignmentUpdateView",
    "ContactpuntCreateView",
    "ContactpuntDetailView",
    "ContactpuntFormView",
    "ContactpuntListView",
    "ContactpuntRightsMixin",
    "ContactpuntUpdateView",
    "ManagerMixin",
    "NORM_ROLES",
    "NormView",
    "STATUS_COLORS",
    "SpreekuurCreateView",
    "SpreekuurDeleteView",
    "SpreekuurEditMixin",
    "SpreekuurExceptionCreateView",
    "SpreekuurExceptionDeleteView",
    "SpreekuurExceptionUpdateView",
    "SpreekuurFormMixin",
    "SpreekuurUpdateView",
    "WijkDetailView",
    "WijkListView",
    "WijkinspecteurCreateView",
    "WijkinspecteurDetailView",
    "WijkinspecteurFormMixin",
    "WijkinspecteurListView",
    "WijkinspecteurUpdateView",
    "put_errors_on_form",
    "spreekuren_context",
]
