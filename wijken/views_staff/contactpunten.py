"""Contactpunten and their spreekuren and exceptions (htmx partials on the detail page)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, FormView, ListView, View

from .. import selectors
from ..filters import ContactpuntFilter
from ..forms_base import put_errors_on_form
from ..forms_staff import ContactpuntForm, SpreekuurExceptionForm, SpreekuurForm
from ..models import MANAGER_ROLES, STAFF_ROLES, Contactpunt, Spreekuur, SpreekuurException, Wijk
from ..services import spreekuren as spreekuur_services
from ..tenancy import ZoneViewMixin
from .common import ManagerMixin


class ContactpuntRightsMixin:
    def may_edit(self, contactpunt: Contactpunt | None) -> bool:
        # Creating one (no contactpunt, so no wijk) is for managers.
        return selectors.may_edit_wijk(self.request.membership, contactpunt.wijk_id if contactpunt else None)

    def require_edit(self, contactpunt: Contactpunt | None) -> None:
        if not self.may_edit(contactpunt):
            raise PermissionDenied(_("You can only edit contact points in the wijken you serve."))


class ContactpuntListView(ZoneViewMixin, ManagerMixin, ContactpuntRightsMixin, ListView):
    template_name = "wijken/staff/contactpunt_list.html"
    allowed_roles = STAFF_ROLES
    paginate_by = 50
    context_object_name = "contactpunten"

    @cached_property
    def filterset(self):
        return ContactpuntFilter(self.request.GET, queryset=Contactpunt.objects.all(), request=self.request)

    def get_queryset(self):
        from django.db.models import Count

        qs = self.filterset.qs if self.filterset.is_valid() else Contactpunt.objects.none()
        return qs.select_related("wijk").annotate(n_spreekuren=Count("spreekuren")).order_by("name")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(filterset=self.filterset, **kwargs)
        for c in context["contactpunten"]:
            c.editable = self.may_edit(c)
        features = [
            {
                "type": "Feature",
                "geometry": json.loads(c.point.geojson),
                "properties": {"label": c.name, "url": reverse("contactpunt-detail", args=[c.pk])},
            }
            for c in context["contactpunten"]
            if c.point
        ]
        if self.zone.boundary:
            # The zone outline keeps the map's extent sensible when there are few points.
            outline = {"color": "#6c757d", "fillOpacity": 0.02, "weight": 1}
            features.insert(
                0, {"type": "Feature", "geometry": json.loads(self.zone.boundary.geojson), "properties": outline}
            )
        context["features"] = {"type": "FeatureCollection", "features": features}
        return context


class ContactpuntDetailView(ZoneViewMixin, ManagerMixin, ContactpuntRightsMixin, DetailView):
    model = Contactpunt
    template_name = "wijken/staff/contactpunt_detail.html"
    context_object_name = "contactpunt"
    allowed_roles = STAFF_ROLES

    def get_queryset(self):
        return Contactpunt.objects.select_related("wijk")

    def get_context_data(self, **kwargs):
        c = self.object
        features = []
        if c.wijk_id and c.wijk.boundary:
            # The wijk around the point gives the map its extent (a lone point has none).
            features.append(
                {
                    "type": "Feature",
                    "geometry": json.loads(c.wijk.boundary.geojson),
                    "properties": {"label": c.wijk.name, "fillOpacity": 0.05},
                }
            )
        if c.point:
            features.append(
                {
                    "type": "Feature",
                    "geometry": json.loads(c.point.geojson),
                    "properties": {"label": c.name, "color": "#dc3545"},
                }
            )
        return super().get_context_data(
            **spreekuren_context(c, editable=self.may_edit(c)),
            features={"type": "FeatureCollection", "features": features},
            **kwargs,
        )


def spreekuren_context(contactpunt: Contactpunt, *, editable: bool, form=None, exception_form=None) -> dict:
    return {
        "contactpunt": contactpunt,
        "editable": editable,
        "spreekuren": contactpunt.spreekuren.select_related("wijkinspecteur").order_by("weekday", "starts_at"),
        "exceptions": contactpunt.exceptions.order_by("date"),
        "spreekuur_form": form or SpreekuurForm(),
        "exception_form": exception_form or SpreekuurExceptionForm(),
    }


class ContactpuntFormView(ZoneViewMixin, ContactpuntRightsMixin, FormView):
    template_name = "wijken/staff/contactpunt_form.html"
    form_class = ContactpuntForm
    instance: Contactpunt | None = None

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.instance is not None:
            kwargs["instance"] = self.instance
        if self.request.membership.role not in MANAGER_ROLES:
            # A wijkinspecteur cannot move a contactpunt out of the wijken they serve.
            served = selectors.wijken_editable_by(self.request.membership)
            kwargs["wijken"] = Wijk.objects.filter(pk__in=served).order_by("code")
        return kwargs

    def fields_of(self, form) -> dict:
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("latitude", "longitude")}
        data["point"] = spreekuur_services.point_from(
            latitude=form.cleaned_data.get("latitude"), longitude=form.cleaned_data.get("longitude")
        )
        return data

    def get_context_data(self, **kwargs):
        zone_boundary = self.zone.boundary
        features = []
        if zone_boundary:
            features.append(
                {
                    "type": "Feature",
                    "geometry": json.loads(zone_boundary.geojson),
                    "properties": {"fillOpacity": 0.03, "color": "#6c757d"},
                }
            )
        if self.instance is not None and self.instance.point:
            features.append({"type": "Feature", "geometry": json.loads(self.instance.point.geojson), "properties": {}})
        return super().get_context_data(
            contactpunt=self.instance, features={"type": "FeatureCollection", "features": features}, **kwargs
        )

    def form_valid(self, form):
        try:
            data = self.fields_of(form)
            if self.instance is None:
                contactpunt = spreekuur_services.contactpunt_create(zone=self.zone, **data)
            else:
                contactpunt = spreekuur_services.contactpunt_update(contactpunt=self.instance, **data)
        except ValidationError as exc:
            put_errors_on_form(form, exc, {"point": "latitude"})
            return self.form_invalid(form)
        messages.success(self.request, _("Contact point saved."))
        return redirect("contactpunt-detail", pk=contactpunt.pk)


class ContactpuntCreateView(ContactpuntFormView):
    allowed_roles = MANAGER_ROLES


class ContactpuntUpdateView(ContactpuntFormView):
    model = Contactpunt
    allowed_roles = STAFF_ROLES

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and getattr(request, "membership", None) is not None:
            self.instance = get_object_or_404(Contactpunt.objects.all(), pk=kwargs["pk"])
            if request.membership.role in STAFF_ROLES:
                self.require_edit(self.instance)
        return super().dispatch(request, *args, **kwargs)


class SpreekuurEditMixin(ZoneViewMixin, ContactpuntRightsMixin):
    """Shared by the spreekuur and exception views: find the contactpunt, check the right to edit it, answer
    htmx requests with the refreshed section and other requests with a redirect or the full form page."""

    allowed_roles = STAFF_ROLES
    partial_template = "wijken/staff/_spreekuren.html"
    contactpunt: Contactpunt

    def load(self, request, kwargs) -> None:
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and getattr(request, "membership", None) is not None:
            self.load(request, kwargs)
            if request.membership.role in STAFF_ROLES:
                self.require_edit(self.contactpunt)
        return super().dispatch(request, *args, **kwargs)

    def done(self, message: str, **context) -> HttpResponse:
        if self.request.htmx:
            from django.shortcuts import render

            context = {**spreekuren_context(self.contactpunt, editable=True, **context), "flash": message}
            return render(self.request, self.partial_template, context)
        messages.success(self.request, message)
        return redirect("contactpunt-detail", pk=self.contactpunt.pk)


class SpreekuurFormMixin(SpreekuurEditMixin, FormView):
    template_name = "wijken/staff/spreekuur_form.html"
    object = None

    def form_invalid(self, form):
        if self.request.htmx:
            from django.shortcuts import render

            key = "form" if isinstance(form, SpreekuurForm) else "exception_form"
            context = spreekuren_context(self.contactpunt, editable=True, **{key: form})
            return render(self.request, self.partial_template, context)
        return super().form_invalid(form)

    def get_context_data(self, **kwargs):
        return super().get_context_data(contactpunt=self.contactpunt, object=self.object, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.object is not None:
            kwargs["instance"] = self.object
        return kwargs


class SpreekuurCreateView(SpreekuurFormMixin):
    form_class = SpreekuurForm
    title = gettext_lazy("New office hour")

    def load(self, request, kwargs):
        self.contactpunt = get_object_or_404(Contactpunt.objects.all(), pk=kwargs["contactpunt_pk"])

    def form_valid(self, form):
        try:
            spreekuur_services.spreekuur_create(contactpunt=self.contactpunt, **form.cleaned_data)
        except ValidationError as exc:
            put_errors_on_form(form, exc)
            return self.form_invalid(form)
        return self.done(_("Office hour added."))


class SpreekuurUpdateView(SpreekuurFormMixin):
    model = Spreekuur
    form_class = SpreekuurForm
    title = gettext_lazy("Edit office hour")

    def load(self, request, kwargs):
        self.object = get_object_or_404(Spreekuur.objects.select_related("contactpunt"), pk=kwargs["pk"])
        self.contactpunt = self.object.contactpunt

    def form_valid(self, form):
        try:
            spreekuur_services.spreekuur_update(spreekuur=self.object, **form.cleaned_data)
        except ValidationError as exc:
            put_errors_on_form(form, exc)
            return self.form_invalid(form)
        return self.done(_("Office hour saved."))


class SpreekuurExceptionCreateView(SpreekuurFormMixin):
    form_class = SpreekuurExceptionForm
    title = gettext_lazy("New exception")

    def load(self, request, kwargs):
        self.contactpunt = get_object_or_404(Contactpunt.objects.all(), pk=kwargs["contactpunt_pk"])

    def form_valid(self, form):
        try:
            spreekuur_services.spreekuur_exception_create(contactpunt=self.contactpunt, **form.cleaned_data)
        except ValidationError as exc:
            put_errors_on_form(form, exc)
            return self.form_invalid(form)
        return self.done(_("Exception added."))


class SpreekuurExceptionUpdateView(SpreekuurFormMixin):
    model = SpreekuurException
    form_class = SpreekuurExceptionForm
    title = gettext_lazy("Edit exception")

    def load(self, request, kwargs):
        self.object = get_object_or_404(SpreekuurException.objects.select_related("contactpunt"), pk=kwargs["pk"])
        self.contactpunt = self.object.contactpunt

    def form_valid(self, form):
        try:
            spreekuur_services.spreekuur_exception_update(exception=self.object, **form.cleaned_data)
        except ValidationError as exc:
            put_errors_on_form(form, exc)
            return self.form_invalid(form)
        return self.done(_("Exception saved."))


class SpreekuurDeleteView(SpreekuurEditMixin, View):
    model = Spreekuur
    http_method_names = ["post"]

    def load(self, request, kwargs):
        self.object = get_object_or_404(Spreekuur.objects.select_related("contactpunt"), pk=kwargs["pk"])
        self.contactpunt = self.object.contactpunt

    def post(self, request, *args, **kwargs):
        spreekuur_services.spreekuur_delete(spreekuur=self.object)
        return self.done(_("Office hour deleted."))


class SpreekuurExceptionDeleteView(SpreekuurEditMixin, View):
    model = SpreekuurException
    http_method_names = ["post"]

    def load(self, request, kwargs):
        self.object = get_object_or_404(SpreekuurException.objects.select_related("contactpunt"), pk=kwargs["pk"])
        self.contactpunt = self.object.contactpunt

    def post(self, request, *args, **kwargs):
        spreekuur_services.spreekuur_exception_delete(exception=self.object)
        return self.done(_("Exception deleted."))
