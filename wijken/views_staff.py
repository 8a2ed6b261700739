"""Staff pages: wijken with who serves them and the norm check, assignments, wijkinspecteur profiles,
contactpunten and their spreekuren. Views validate, call a service and render; the rules live in services."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, FormView, ListView, TemplateView, View

from . import selectors
from .filters import AssignmentFilter, ContactpuntFilter, WijkFilter, WijkinspecteurFilter
from .forms_staff import (
    AssignmentEditForm,
    AssignmentEndForm,
    AssignmentForm,
    ContactpuntForm,
    SpreekuurExceptionForm,
    SpreekuurForm,
    WijkinspecteurForm,
)
from .models import (
    MANAGER_ROLES,
    STAFF_ROLES,
    Assignment,
    Contactpunt,
    Role,
    Spreekuur,
    SpreekuurException,
    Wijk,
    Wijkinspecteur,
)
from .services import assignments as assignment_services
from .services import spreekuren as spreekuur_services
from .tenancy import ZoneViewMixin

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


# --- Wijken and the norm --------------------------------------------------------------------------------


class WijkListView(ZoneViewMixin, ManagerMixin, TemplateView):
    """All current wijken grouped by politiewijk, on a map and in a table with who serves them today."""

    template_name = "wijken/staff/wijk_list.html"
    allowed_roles = STAFF_ROLES

    def get_context_data(self, **kwargs):
        filterset = WijkFilter(self.request.GET or None, queryset=Wijk.objects.all(), request=self.request)
        wijken = filterset.qs if filterset.is_bound and filterset.is_valid() else Wijk.objects.all()
        overview = selectors.wijk_overview(wijken=wijken, with_geometry=True)
        only_shortfall = self.request.GET.get("shortfall") == "1"
        if only_shortfall:
            for group in overview.groups:
                group.rows = [r for r in group.rows if r.norm.status == selectors.NormStatus.SHORTFALL]
            overview.groups = [g for g in overview.groups if g.rows]
        features = []
        for row in overview.rows:
            if row.geojson:
                status = row.norm.status
                features.append(
                    {
                        "type": "Feature",
                        "geometry": json.loads(row.geojson),
                        "properties": {
                            "label": f"{row.wijk.code} · {row.wijk.name}",
                            "url": reverse("wijk-detail", args=[row.wijk.pk]),
                            "color": STATUS_COLORS[status],
                        },
                    }
                )
        return super().get_context_data(
            filterset=filterset,
            overview=overview,
            only_shortfall=only_shortfall,
            features={"type": "FeatureCollection", "features": features},
            **kwargs,
        )


class WijkDetailView(ZoneViewMixin, ManagerMixin, DetailView):
    model = Wijk
    template_name = "wijken/staff/wijk_detail.html"
    context_object_name = "wijk"
    allowed_roles = STAFF_ROLES

    def get_queryset(self):
        return Wijk.objects.select_related("parent")

    def get_context_data(self, **kwargs):
        wijk = self.object
        overview = selectors.wijk_overview(wijken=Wijk.objects.filter(pk=wijk.pk))
        row = next((r for r in overview.rows if r.wijk.pk == wijk.pk), None)
        if row is None and overview.groups and overview.groups[0].politiewijk:
            row = overview.groups[0].politiewijk
        return super().get_context_data(row=row, **selectors.wijk_detail(wijk=wijk), **kwargs)


class NormView(ZoneViewMixin, TemplateView):
    """Inhabitants per wijkinspecteur against the norm. Aggregates only (no officer names), so the bestuur
    may see it too."""

    template_name = "wijken/staff/norm.html"
    allowed_roles = NORM_ROLES

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            overview=selectors.norm_check(),
            per_inhabitants=selectors.INHABITANTS_PER_WIJKINSPECTEUR,
            tolerance=selectors.NORM_TOLERANCE_FTE,
            **kwargs,
        )


# --- Assignments ----------------------------------------------------------------------------------------


class AssignmentListView(ZoneViewMixin, ManagerMixin, ListView):
    """Every assignment of the zone; managers manage them, other staff read them."""

    template_name = "wijken/staff/assignment_list.html"
    allowed_roles = STAFF_ROLES
    paginate_by = 50
    context_object_name = "assignments"

    @cached_property
    def filterset(self):
        data = self.request.GET.copy()
        data.setdefault("active", "true")
        qs = Assignment.objects.select_related("wijk", "wijkinspecteur").order_by("wijk__code", "role", "starts_on")
        return AssignmentFilter(data, queryset=qs, request=self.request)

    def get_queryset(self):
        return self.filterset.qs if self.filterset.is_valid() else self.filterset.queryset.none()

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(filterset=self.filterset, query=query.urlencode(), **kwargs)


class AssignmentCreateView(ZoneViewMixin, FormView):
    template_name = "wijken/staff/assignment_form.html"
    allowed_roles = MANAGER_ROLES
    form_class = AssignmentForm

    def get_initial(self):
        initial = super().get_initial()
        for name in ("wijk", "wijkinspecteur", "role"):
            if self.request.GET.get(name):
                initial[name] = self.request.GET[name]
        return initial

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            if data["role"] == Assignment.AssignmentRole.STANDIN:
                assignment = assignment_services.standin_set(
                    zone=self.zone,
                    wijk=data["wijk"],
                    wijkinspecteur=data["wijkinspecteur"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    note=data["note"],
                )
            else:
                assignment = assignment_services.assignment_create(
                    zone=self.zone,
                    wijk=data["wijk"],
                    wijkinspecteur=data["wijkinspecteur"],
                    role=data["role"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    note=data["note"],
                    replace_current=data["replace_current"],
                )
        except ValidationError as exc:
            put_errors_on_form(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Assignment saved: %(a)s.") % {"a": assignment})
        return redirect("wijk-detail", pk=assignment.wijk_id)

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("New assignment"), **kwargs)


class AssignmentObjectMixin(ZoneViewMixin):
    model = Assignment
    allowed_roles = MANAGER_ROLES

    @cached_property
    def object(self) -> Assignment:
        return get_object_or_404(Assignment.objects.select_related("wijk", "wijkinspecteur"), pk=self.kwargs["pk"])

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and getattr(request, "membership", None) is not None:
            _ = self.object  # another zone's assignment answers 404 before any role check
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(assignment=self.object, **kwargs)


class AssignmentUpdateView(AssignmentObjectMixin, FormView):
    template_name = "wijken/staff/assignment_form.html"
    form_class = AssignmentEditForm

    def get_initial(self):
        a = self.object
        return {"starts_on": a.starts_on, "ends_on": a.ends_on, "note": a.note}

    def form_valid(self, form):
        try:
            assignment_services.assignment_update(assignment=self.object, **form.cleaned_data)
        except ValidationError as exc:
            put_errors_on_form(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Assignment updated."))
        return redirect("wijk-detail", pk=self.object.wijk_id)

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Edit assignment"), **kwargs)


class AssignmentEndView(AssignmentObjectMixin, FormView):
    template_name = "wijken/staff/assignment_end.html"
    form_class = AssignmentEndForm

    def get_initial(self):
        from django.utils import timezone

        return {"ends_on": timezone.localdate()}

    def form_valid(self, form):
        try:
            assignment_services.assignment_end(assignment=self.object, ends_on=form.cleaned_data["ends_on"])
        except ValidationError as exc:
            put_errors_on_form(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Assignment ended."))
        return redirect("wijk-detail", pk=self.object.wijk_id)


# --- Wijkinspecteurs ------------------------------------------------------------------------------------


class WijkinspecteurListView(ZoneViewMixin, ManagerMixin, ListView):
    template_name = "wijken/staff/wijkinspecteur_list.html"
    allowed_roles = STAFF_ROLES
    paginate_by = 50
    context_object_name = "officers"

    @cached_property
    def filterset(self):
        return WijkinspecteurFilter(self.request.GET, queryset=Wijkinspecteur.objects.all(), request=self.request)

    def get_queryset(self):
        from django.db.models import Prefetch

        qs = self.filterset.qs if self.filterset.is_valid() else Wijkinspecteur.objects.none()
        return qs.prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.active().select_related("wijk").order_by("wijk__code"),
                to_attr="active_assignments",
            )
        ).order_by("-is_active", "display_name")

    def get_context_data(self, **kwargs):
        return super().get_context_data(filterset=self.filterset, **kwargs)


class WijkinspecteurDetailView(ZoneViewMixin, ManagerMixin, DetailView):
    model = Wijkinspecteur
    template_name = "wijken/staff/wijkinspecteur_detail.html"
    context_object_name = "officer"
    allowed_roles = STAFF_ROLES

    def get_context_data(self, **kwargs):
        officer = self.object
        return super().get_context_data(
            assignments=officer.assignments.select_related("wijk").order_by("-starts_on"),
            spreekuren=officer.spreekuren.select_related("contactpunt"),
            may_edit=self.is_manager or (officer.user_id and officer.user_id == self.request.user.pk),
            **kwargs,
        )


class WijkinspecteurFormMixin(ZoneViewMixin):
    template_name = "wijken/staff/wijkinspecteur_form.html"
    form_class = WijkinspecteurForm

    def profile_fields(self, form) -> dict:
        data = {k: v for k, v in form.cleaned_data.items() if k != "photo"}
        photo = form.cleaned_data.get("photo")
        if isinstance(photo, UploadedFile):
            data["photo"] = photo
        elif photo is False:  # "clear" ticked
            data["photo"] = ""
        return data


class WijkinspecteurCreateView(WijkinspecteurFormMixin, FormView):
    allowed_roles = MANAGER_ROLES

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "manager": True}

    def form_valid(self, form):
        data = self.profile_fields(form)
        try:
            officer = assignment_services.wijkinspecteur_create(zone=self.zone, **data)
        except ValidationError as exc:
            put_errors_on_form(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Profile saved."))
        return redirect("wijkinspecteur-detail", pk=officer.pk)


class WijkinspecteurUpdateView(WijkinspecteurFormMixin, FormView):
    """A wijkinspecteur edits their own profile; a manager any profile of the zone."""

    model = Wijkinspecteur
    allowed_roles = STAFF_ROLES

    @cached_property
    def object(self) -> Wijkinspecteur:
        return get_object_or_404(Wijkinspecteur.objects.all(), pk=self.kwargs["pk"])

    @property
    def is_manager(self) -> bool:
        return self.request.membership.role in MANAGER_ROLES

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and getattr(request, "membership", None) is not None:
            officer = self.object  # 404 for another zone's profile before any 403
            own = officer.user_id is not None and officer.user_id == request.user.pk
            if request.membership.role in STAFF_ROLES and not (own or self.is_manager):
                raise PermissionDenied(_("You can only edit your own profile."))
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.object, "manager": self.is_manager}

    def form_valid(self, form):
        try:
            assignment_services.wijkinspecteur_update(wijkinspecteur=self.object, **self.profile_fields(form))
        except ValidationError as exc:
            put_errors_on_form(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Profile saved."))
        return redirect("wijkinspecteur-detail", pk=self.object.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(officer=self.object, **kwargs)


# --- Contactpunten and spreekuren ------------------------------------------------------------------------


class ContactpuntRightsMixin:
    @cached_property
    def served(self) -> set[int]:
        return selectors.wijk_ids_served_by(user=self.request.user)

    def may_edit(self, contactpunt: Contactpunt | None) -> bool:
        return spreekuur_services.may_edit_contactpunt(
            membership=self.request.membership, contactpunt=contactpunt, served=self.served
        )

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
            kwargs["wijken"] = Wijk.objects.filter(pk__in=self.served).order_by("code")
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
