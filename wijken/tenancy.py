"""Tenancy, enforced in one place (DESIGN §4).

The one resolver lives here: `membership_for_request` (browser and API) and `zone_for_task` (Celery) are the
only code that turns a request or a task into a zone. The middleware, the DRF base viewset and the Celery
base task call them and run everything below inside `django_scopes.scope(zone=...)`, so that a query on a
tenant-owned model outside a scope raises instead of leaking another zone's rows.
"""

from __future__ import annotations

from collections.abc import Iterable

from celery.contrib.django.task import DjangoTask
from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django_scopes import scope
from rest_framework import exceptions as drf_exceptions
from rest_framework import permissions, viewsets
from rest_framework.views import exception_handler as drf_exception_handler

from .models import ALL_ROLES, MANAGER_ROLES, STAFF_ROLES, Membership, Zone
from .navigation import nav_groups_for

SESSION_KEY = "active_zone"
ZONE_PARAM = "zone"
ZONE_HEADER = "HTTP_X_WIJKWERK_ZONE"


class ZoneNotFound(Http404):
    """The zone asked for is not one of the user's zones. Answered as 404, never 403 (DESIGN §4)."""


def memberships_of(user) -> list[Membership]:
    """The user's active memberships, with their zones, in a stable order."""
    if not user.is_authenticated:
        return []
    # The resolver reads the user's own memberships before any zone is known, so it cannot run inside a
    # zone scope; the filter on user is what keeps this to the user's own rows.
    return list(
        Membership.objects.with_scopes_disabled()
        .filter(user=user, is_active=True)
        .select_related("zone")
        .order_by("zone__name", "zone_id")
    )


def membership_for_request(request: HttpRequest, user=None) -> Membership | None:
    """The membership a request acts under: the zone named by `?zone=` or the X-Wijkwerk-Zone header
    (API clients), else the zone chosen in the session, else the user's first zone. A zone that is named
    explicitly but is not the user's answers 404; a stale session choice falls back silently."""
    user = user or request.user
    memberships = memberships_of(user)
    by_slug = {m.zone.slug: m for m in memberships}
    explicit = request.GET.get(ZONE_PARAM) or request.META.get(ZONE_HEADER)
    if explicit:
        if explicit not in by_slug:
            raise ZoneNotFound(_("No such zone."))
        return by_slug[explicit]
    session = getattr(request, "session", None)
    chosen = session.get(SESSION_KEY) if session is not None else None
    if chosen in by_slug:
        return by_slug[chosen]
    return memberships[0] if memberships else None


def zone_for_task(zone_id: int) -> Zone:
    """The zone a Celery task runs in, from the id it was given."""
    return Zone.objects.get(pk=zone_id)


def remember_zone(request: HttpRequest, slug: str) -> Membership:
    """Switch the browser session to another of the user's zones."""
    for membership in memberships_of(request.user):
        if membership.zone.slug == slug:
            request.session[SESSION_KEY] = slug
            return membership
    raise ZoneNotFound(_("No such zone."))


class ZoneMiddleware:
    """Sets request.zone / request.membership / request.memberships for browser sessions and runs the view
    inside that zone's scope. Requests without a zone run without a scope, so tenant queries fail closed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        request.memberships = memberships_of(request.user)
        try:
            membership = membership_for_request(request) if request.memberships else None
        except ZoneNotFound:
            membership = None
            request.zone_not_found = True
        request.membership = membership
        request.zone = membership.zone if membership else None
        if membership is None:
            return self.get_response(request)
        with scope(zone=membership.zone_id):
            return self.get_response(request)


def zone_context(request: HttpRequest) -> dict:
    """Template context: the active zone and the zones to switch to (header menu)."""
    membership = getattr(request, "membership", None)
    return {
        "active_zone": getattr(request, "zone", None),
        "active_membership": membership,
        "user_memberships": getattr(request, "memberships", []),
        "nav_groups": nav_groups_for(membership.role) if membership else [],
        "map_tiles_url": settings.MAP_TILES_URL,
        "map_tiles_attribution": settings.MAP_TILES_ATTRIBUTION,
    }


# --- Browser views --------------------------------------------------------------------------------------


class ZoneViewMixin(LoginRequiredMixin):
    """Base for every staff page: the user must be logged in and have a zone; `allowed_roles` says which
    roles may open the page. A user without a zone sees a page that explains it."""

    allowed_roles: Iterable[str] = STAFF_ROLES

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if getattr(request, "zone_not_found", False):
            raise Http404(_("No such zone."))
        if request.membership is None:
            return render(request, "wijken/no_zone.html", status=200)
        if request.membership.role not in set(self.allowed_roles):
            raise PermissionDenied(_("Your role in this zone does not give access to this page."))
        return super().dispatch(request, *args, **kwargs)

    @property
    def zone(self) -> Zone:
        return self.request.zone

    @property
    def membership(self) -> Membership:
        return self.request.membership


# --- API ------------------------------------------------------------------------------------------------


class HasZoneRole(permissions.BasePermission):
    """Read with one of the view's `read_roles`, write with one of its `write_roles`."""

    message = _("Your role in this zone does not allow this.")

    def has_permission(self, request, view) -> bool:
        membership = getattr(request, "membership", None)
        if membership is None:
            return False
        roles = view.read_roles if request.method in permissions.SAFE_METHODS else view.write_roles
        return membership.role in set(roles)


class ZoneScopedAPIMixin:
    """Resolves the zone after DRF has authenticated the user (session or token) and runs the handler
    inside that zone's scope. Shared by the base viewset and by plain API views that need a zone."""

    read_roles: Iterable[str] = STAFF_ROLES
    write_roles: Iterable[str] = MANAGER_ROLES
    _zone_scope = None

    def initial(self, request, *args, **kwargs):
        self.perform_authentication(request)
        membership = membership_for_request(request, user=request.user) if request.user.is_authenticated else None
        if request.user.is_authenticated and membership is None:
            raise drf_exceptions.PermissionDenied(_("You are not a member of any zone."))
        request.membership = membership
        request.zone = membership.zone if membership else None
        if membership is not None:
            self._zone_scope = scope(zone=membership.zone_id)
            self._zone_scope.__enter__()
        super().initial(request, *args, **kwargs)

    def dispatch(self, request, *args, **kwargs):
        # Leave the zone's scope however the handler ends: DRF re-raises an unexpected exception (a 500) before
        # finalize_response, and a scope left open would stay active for the thread's next request.
        try:
            return super().dispatch(request, *args, **kwargs)
        finally:
            if self._zone_scope is not None:
                self._zone_scope.__exit__(None, None, None)
                self._zone_scope = None

    def get_permissions(self):
        return [permissions.IsAuthenticated(), HasZoneRole()]

    @property
    def zone(self) -> Zone:
        return self.request.zone

    @property
    def membership(self) -> Membership:
        return self.request.membership


class ZoneViewSet(ZoneScopedAPIMixin, viewsets.ModelViewSet):
    """The base of every tenant-owned API endpoint. The queryset comes from the model's scoped manager, so
    it holds only the active zone's rows; the zone is injected on create. A viewset declares its
    serializer, filterset and roles, and writes through services where there are business rules."""

    def get_queryset(self):
        # Re-evaluated per request: the scoped manager filters on the zone that is active now.
        return self.queryset.model.objects.all()

    def perform_create(self, serializer):
        serializer.save(zone=self.request.zone)


def api_exception_handler(exc, context):
    """A Django ValidationError raised by a service becomes a 400 with field errors, never a 500."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = drf_exceptions.ValidationError(detail=detail)
    return drf_exception_handler(exc, context)


# --- Celery ---------------------------------------------------------------------------------------------


class ZoneTask(DjangoTask):
    """Base task for zone work: the first argument is the zone id; the body runs inside that zone's scope.

    Tasks are idempotent by claim (see DESIGN §7), so acks_late with reject-on-worker-lost is safe."""

    abstract = True
    acks_late = True
    reject_on_worker_lost = True

    def __call__(self, zone_id: int, *args, **kwargs):
        zone = zone_for_task(zone_id)
        with scope(zone=zone.pk):
            return super().__call__(zone.pk, *args, **kwargs)


__all__ = [
    "ALL_ROLES",
    "MANAGER_ROLES",
    "STAFF_ROLES",
    "ZoneMiddleware",
    "ZoneTask",
    "ZoneViewMixin",
    "ZoneViewSet",
    "membership_for_request",
    "zone_for_task",
]
