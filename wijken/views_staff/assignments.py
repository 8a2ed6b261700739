"""Assignments of wijkinspecteurs to wijken: list, create, edit, end."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.generic import FormView, ListView

from ..filters import AssignmentFilter
from ..forms_base import put_errors_on_form
from ..forms_staff import AssignmentEditForm, AssignmentEndForm, AssignmentForm
from ..models import MANAGER_ROLES, STAFF_ROLES, Assignment
from ..services import assignments as assignment_services
from ..tenancy import ZoneViewMixin
from .common import ManagerMixin


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
