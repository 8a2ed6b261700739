"""Staff pages of the partner network. Views validate, call a service or selector and render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView, TemplateView

from wijken.forms_base import put_errors_on_form
from wijken.models import STAFF_ROLES, Wijk, Wijkinspecteur
from wijken.selectors import may_edit_wijk
from wijken.tenancy import ZoneViewMixin

from . import services
from .forms import ContactForm, PartnerFilterForm, PartnerForm, VisitForm
from .models import ContactPerson, FollowUpTask, Partner, PartnerType, Visit
from .permissions import EDIT_ROLES, can_edit_any, profile_of, require_edit_wijk
from .selectors import (
    open_tasks,
    partner_list,
    partners_for_visit_log,
    partners_geojson,
    visit_policy,
    wijk_network,
    wijken_outline_geojson,
    with_visit_dates,
)


class PartnerListView(ZoneViewMixin, TemplateView):
    template_name = "partners/partner_list.html"
    allowed_roles = STAFF_ROLES
    paginate_by = 50

    def get_context_data(self, **kwargs):
        form = PartnerFilterForm(self.request.GET or None, zone=self.zone)
        filters = form.cleaned_data if form.is_valid() else {}
        partners = partner_list(
            zone=self.zone,
            wijk=filters.get("wijk"),
            partner_type=filters.get("partner_type"),
            due=filters.get("due") or None,
            search=filters.get("q", ""),
        )
        page = Paginator(partners, self.paginate_by).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(
            form=form,
            page=page,
            partners=page.object_list,
            query=query.urlencode(),
            can_create=can_edit_any(self.membership),
            today=timezone.localdate(),
            **kwargs,
        )


class NetworkIndexView(ZoneViewMixin, TemplateView):
    """Every wijk with the size of its network and how many partners are due: where to look first."""

    template_name = "partners/network_index.html"
    allowed_roles = STAFF_ROLES

    def get_context_data(self, **kwargs):
        wijken = list(Wijk.objects.filter(zone=self.zone).current().leaves().order_by("name"))
        counts: dict[int | None, list[int]] = {}
        for partner in partner_list(zone=self.zone).values("wijk_id", "due_state"):
            row = counts.setdefault(partner["wijk_id"], [0, 0])
            row[0] += 1
            row[1] += partner["due_state"] <= 1
        rows = [(wijk, *counts.get(wijk.pk, [0, 0])) for wijk in wijken]
        return super().get_context_data(rows=rows, without_wijk=counts.get(None, [0, 0]), **kwargs)


class WijkNetworkView(ZoneViewMixin, TemplateView):
    """The network of one wijk: partners by type, on a map coloured by type, with last and next visits."""

    template_name = "partners/wijk_network.html"
    allowed_roles = STAFF_ROLES

    def get_context_data(self, **kwargs):
        wijk = get_object_or_404(Wijk.objects.select_related("zone"), pk=self.kwargs["wijk_pk"])
        network = wijk_network(wijk=wijk)
        legend = [(g.partner_type, len(g.partners)) for g in network.groups]
        return super().get_context_data(
            wijk=wijk,
            network=network,
            legend=legend,
            geojson=partners_geojson(network.partners, boundary=wijk),
            can_edit=may_edit_wijk(self.membership, wijk.pk),
            today=timezone.localdate(),
            **kwargs,
        )


class PartnerDetailView(ZoneViewMixin, DetailView):
    model = Partner
    template_name = "partners/partner_detail.html"
    context_object_name = "partner"
    allowed_roles = STAFF_ROLES

    def get_queryset(self):
        return with_visit_dates(
            Partner.objects.select_related("partner_type", "wijk"), policy=visit_policy(self.zone)
        ).prefetch_related(
            Prefetch("contacts", queryset=ContactPerson.objects.order_by("-is_active", "name")),
            Prefetch(
                "visits",
                queryset=Visit.objects.select_related("wijkinspecteur").prefetch_related("contacts", "tasks"),
            ),
        )

    def get_context_data(self, **kwargs):
        partner = self.object
        tasks = [t for visit in partner.visits.all() for t in visit.tasks.all() if t.done_on is None]
        return super().get_context_data(
            can_edit=may_edit_wijk(self.membership, partner.wijk_id),
            open_tasks=sorted(tasks, key=lambda t: (t.due_on, t.pk)),
            geojson=partners_geojson([partner], boundary=partner.wijk),
            today=timezone.localdate(),
            **kwargs,
        )


class PartnerFormMixin(ZoneViewMixin):
    form_class = PartnerForm
    template_name = "partners/partner_form.html"
    allowed_roles = EDIT_ROLES

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "zone": self.zone}

    def get_context_data(self, **kwargs):
        return super().get_context_data(pick_geojson=wijken_outline_geojson(self.zone), **kwargs)


class PartnerCreateView(PartnerFormMixin, FormView):
    def get_initial(self):
        type_key = self.request.GET.get("type")
        return {"partner_type": PartnerType.objects.filter(key=type_key).first()} if type_key else {}

    def get(self, request, *args, **kwargs):
        services.partner_types_ensure_defaults(self.zone)
        return super().get(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            partner = services.partner_create(zone=self.zone, actor=self.membership, **form.service_kwargs())
        except ValidationError as exc:
            put_errors_on_form(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Partner %(name)s added.") % {"name": partner.name})
        return redirect("partners:detail", pk=partner.pk)


class PartnerUpdateView(PartnerFormMixin, FormView):
    model = Partner

    def dispatch(self, request, *args, **kwargs):
        self.object = None
        return super().dispatch(request, *args, **kwargs)

    def setup_object(self):
        if self.object is None:
            self.object = get_object_or_404(Partner.objects.select_related("wijk"), pk=self.kwargs["pk"])
            require_edit_wijk(self.membership, self.object.wijk_id)
        return self.object

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.setup_object()}

    def get_context_data(self, **kwargs):
        return super().get_context_data(partner=self.setup_object(), **kwargs)

    def form_valid(self, form):
        partner = self.setup_object()
        try:
            services.partner_update(partner=partner, actor=self.membership, **form.service_kwargs())
        except ValidationError as exc:
            put_errors_on_form(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Partner %(name)s saved.") % {"name": partner.name})
        return redirect("partners:detail", pk=partner.pk)


class ContactCreateView(ZoneViewMixin, FormView):
    form_class = ContactForm
    template_name = "partners/contact_form.html"
    allowed_roles = EDIT_ROLES

    def dispatch(self, request, *args, **kwargs):
        self._partner = None
        return super().dispatch(request, *args, **kwargs)

    @property
    def partner(self) -> Partner:
        if self._partner is None:
            self._partner = get_object_or_404(Partner, pk=self.kwargs["partner_pk"])
            require_edit_wijk(self.membership, self._partner.wijk_id)
        return self._partner

    def get_context_data(self, **kwargs):
        return super().get_context_data(partner=self.partner, **kwargs)

    def get_initial(self):
        return {"basis_recorded_on": timezone.localdate(), "preferred_language": (self.zone.languages or ["nl"])[0]}

    def form_valid(self, form):
        try:
            contact = services.contact_create(
                zone=self.zone, partner=self.partner, actor=self.membership, **form.cleaned_data
            )
        except ValidationError as exc:
            put_errors_on_form(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Contact person %(name)s added.") % {"name": contact.name})
        return redirect("partners:detail", pk=self.partner.pk)


class ContactUpdateView(ZoneViewMixin, FormView):
    model = ContactPerson
    form_class = ContactForm
    template_name = "partners/contact_form.html"
    allowed_roles = EDIT_ROLES

    def dispatch(self, request, *args, **kwargs):
        self._contact = None
        return super().dispatch(request, *args, **kwargs)

    @property
    def contact(self) -> ContactPerson:
        if self._contact is None:
            self._contact = get_object_or_404(ContactPerson.objects.select_related("partner"), pk=self.kwargs["pk"])
            require_edit_wijk(self.membership, self._contact.partner.wijk_id)
        return self._contact

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.contact}

    def get_context_data(self, **kwargs):
        return super().get_context_data(partner=self.contact.partner, contact=self.contact, **kwargs)

    def form_valid(self, form):
        contact = self.contact
        try:
            services.contact_update(contact=contact, actor=self.membership, **form.cleaned_data)
        except ValidationError as exc:
            put_errors_on_form(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Contact person %(name)s saved.") % {"name": contact.name})
        return redirect("partners:detail", pk=contact.partner_id)


class VisitPickView(ZoneViewMixin, TemplateView):
    """Visit log, screen 1 of 2: pick the partner. The partners most due come first; a search narrows."""

    template_name = "partners/visit_pick.html"
    allowed_roles = EDIT_ROLES

    def get_template_names(self):
        if self.request.htmx:
            return ["partners/_visit_pick_results.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        search = self.request.GET.get("q", "").strip()[:100]
        return super().get_context_data(
            search=search,
            partners=partners_for_visit_log(membership=self.membership, search=search),
            today=timezone.localdate(),
            **kwargs,
        )


class VisitLogView(ZoneViewMixin, FormView):
    """Visit log, screen 2 of 2: date (today), kind, contacts met, notes, an optional task. Saving returns to
    screen 1, ready for the next visit."""

    form_class = VisitForm
    template_name = "partners/visit_form.html"
    allowed_roles = EDIT_ROLES

    def dispatch(self, request, *args, **kwargs):
        self._partner = None
        return super().dispatch(request, *args, **kwargs)

    @property
    def partner(self) -> Partner:
        if self._partner is None:
            self._partner = get_object_or_404(
                Partner.objects.select_related("partner_type", "wijk"), pk=self.kwargs["partner_pk"]
            )
            if not may_edit_wijk(self.membership, self._partner.wijk_id):
                raise PermissionDenied(_("You can only log visits in your own wijken."))
        return self._partner

    def get_form_kwargs(self):
        own = profile_of(self.membership)
        if own is not None:
            profiles = Wijkinspecteur.objects.filter(pk=own.pk)
        elif self.membership.is_manager:
            profiles = Wijkinspecteur.objects.filter(is_active=True)
        else:
            profiles = Wijkinspecteur.objects.none()
        return {**super().get_form_kwargs(), "partner": self.partner, "profiles": profiles, "own_profile": own}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", self.get_form())
        last = self.partner.visits.order_by("-date", "-pk").first()
        return super().get_context_data(partner=self.partner, last_visit=last, **kwargs)

    def get(self, request, *args, **kwargs):
        partner = self.partner
        if profile_of(self.membership) is None and not self.membership.is_manager:
            messages.error(request, _("You have no wijkinspecteur profile in this zone: ask the beheerder to add one."))
            return redirect("partners:detail", pk=partner.pk)
        return super().get(request, *args, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            visit = services.visit_log(
                zone=self.zone,
                partner=self.partner,
                wijkinspecteur=data["wijkinspecteur"],
                by=self.request.user,
                date=data["date"],
                kind=data["kind"],
                contacts=data["contacts"],
                notes=data["notes"],
                tasks=form.tasks(),
                actor=self.membership,
            )
        except ValidationError as exc:
            put_errors_on_form(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Visit to %(partner)s on %(date)s logged.") % {"partner": visit.partner.name, "date": visit.date},
        )
        return redirect("partners:visit-pick")


class TaskListView(ZoneViewMixin, TemplateView):
    """Open follow-up tasks: my own by default; managers may look at the whole zone."""

    template_name = "partners/task_list.html"
    allowed_roles = STAFF_ROLES

    def get_context_data(self, **kwargs):
        whole_zone = self.membership.is_manager and self.request.GET.get("all") == "1"
        tasks = list(open_tasks(zone=self.zone, user=None if whole_zone else self.request.user)[:200])
        return super().get_context_data(tasks=tasks, whole_zone=whole_zone, today=timezone.localdate(), **kwargs)


class TaskDoneView(ZoneViewMixin, View):
    """Mark a follow-up task done (or open again with done=0). With htmx, answers the task's new row."""

    model = FollowUpTask
    allowed_roles = EDIT_ROLES
    http_method_names = ["post"]

    def post(self, request, pk: int):
        task = get_object_or_404(FollowUpTask.objects.select_related("visit__partner__partner_type"), pk=pk)
        done = request.POST.get("done", "1") != "0"
        try:
            services.task_complete(task=task, by=request.user, done=done, actor=self.membership)
        except ValidationError as exc:
            return HttpResponse("; ".join(exc.messages), status=400)
        if request.htmx:
            from django.template.loader import render_to_string

            html = render_to_string(
                "partners/_task_row.html", {"task": task, "today": timezone.localdate()}, request=request
            )
            return HttpResponse(html)
        messages.success(request, _("Task marked done.") if done else _("Task opened again."))
        next_url = request.POST.get("next") or reverse("partners:tasks")
        if not next_url.startswith("/") or next_url.startswith("//"):
            next_url = reverse("partners:tasks")
        return redirect(next_url)
