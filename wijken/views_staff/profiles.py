"""Wijkinspecteur profiles: list, detail, create, edit (own profile or a manager)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.shortcuts import get_object_or_404, redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView, ListView

from ..filters import WijkinspecteurFilter
from ..forms_base import put_errors_on_form
from ..forms_staff import WijkinspecteurForm
from ..models import MANAGER_ROLES, STAFF_ROLES, Assignment, Wijkinspecteur
from ..services import assignments as assignment_services
from ..tenancy import ZoneViewMixin
from .common import ManagerMixin


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
