"""Pages of the sectorscans app. Views validate, call a service or selector and render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, ListView, TemplateView, View

from partners.models import ContactPerson
from wijken.forms_base import put_errors_on_form
from wijken.models import MANAGER_ROLES, STAFF_ROLES, Role, Wijk
from wijken.selectors import may_edit_wijk, wijken_served_by
from wijken.tenancy import ZoneViewMixin

from . import selectors, services
from .forms import ScanForm, SettingsForm, statuses_from
from .models import Answer, Question, Questionnaire, Scan, Status, Theme, ThemeResult

FIGURE_ROLES = STAFF_ROLES | {Role.BESTUUR}


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class ScanListView(ZoneViewMixin, ListView):
    model = Scan
    paginate_by = 50
    template_name = "sectorscans/scan_list.html"

    def get_queryset(self):
        qs = Scan.objects.for_list().order_by("-date", "-pk")
        self.wijk_id = _int_or_none(self.request.GET.get("wijk"))
        self.mine = self.request.GET.get("mine") == "1"
        if self.wijk_id:
            qs = qs.filter(wijk_id=self.wijk_id)
        if self.mine:
            qs = qs.filter(wijk_id__in=wijken_served_by(self.request.user))
        return qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["wijken"] = Wijk.objects.current().leaves().order_by("name").only("pk", "name")
        ctx["wijk_id"] = self.wijk_id
        ctx["mine"] = self.mine
        ctx["questionnaire"] = services.active_questionnaire(zone=self.zone)
        ctx["is_manager"] = self.membership.role in MANAGER_ROLES
        return ctx


class TakePickView(ZoneViewMixin, TemplateView):
    """Step 1 of taking a scan: pick a contact, the due and overdue ones of my wijken first."""

    template_name = "sectorscans/take_pick.html"
    allowed_roles = MANAGER_ROLES | {Role.WIJKINSPECTEUR}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        is_manager = self.membership.role in MANAGER_ROLES
        wijk_ids = None if is_manager else wijken_served_by(self.request.user)
        query = self.request.GET.get("q", "").strip()[:100]
        ctx["query"] = query
        ctx["questionnaire"] = services.active_questionnaire(zone=self.zone)
        ctx["due"] = selectors.coverage_rows(zone=self.zone, wijk_ids=wijk_ids, limit=50)
        if query:
            found = ContactPerson.objects.filter(is_active=True).filter(
                Q(name__icontains=query) | Q(partner__name__icontains=query)
            )
            if wijk_ids is not None:
                found = found.filter(partner__wijk_id__in=wijk_ids)
            ctx["found"] = (
                found.select_related("partner", "partner__wijk")
                .defer("partner__wijk__boundary")
                .order_by("partner__name", "name")[:30]
            )
        ctx["has_wijken"] = is_manager or bool(wijk_ids)
        return ctx


class TakeScanView(ZoneViewMixin, View):
    """Steps 2 and 3: the questionnaire by theme, then the comparison with the previous scan to confirm or
    correct per theme, then save. The answers travel in the form between the steps (nothing half-saved)."""

    model = ContactPerson
    allowed_roles = MANAGER_ROLES | {Role.WIJKINSPECTEUR}

    def setup_scan(self, contactperson_pk):
        self.contact = get_object_or_404(
            ContactPerson.objects.select_related("partner", "partner__wijk"), pk=contactperson_pk
        )
        if not may_edit_wijk(self.membership, self.contact.partner.wijk_id):
            raise PermissionDenied(_("You can only take scans of contacts in your own wijken."))
        self.questionnaire = services.active_questionnaire(zone=self.zone)
        self.themes = (
            list(Theme.objects.filter(questionnaire=self.questionnaire).prefetch_related("questions"))
            if self.questionnaire
            else []
        )
        self.previous = Scan.objects.filter(contact=self.contact).order_by("-date", "-pk").first()
        self.previous_results = (
            {r.theme_key: r for r in ThemeResult.objects.filter(scan=self.previous)} if self.previous else {}
        )

    def render_form(self, form, status=200):
        return render(
            self.request,
            "sectorscans/take_form.html",
            {"form": form, "contact": self.contact, "questionnaire": self.questionnaire, "previous": self.previous},
            status=status,
        )

    def get(self, request, contactperson_pk):
        self.setup_scan(contactperson_pk)
        if self.questionnaire is None:
            return render(request, "sectorscans/no_questionnaire.html", {"is_manager": self.membership.is_manager})
        return self.render_form(ScanForm(themes=self.themes, previous_results=self.previous_results))

    def post(self, request, contactperson_pk):
        self.setup_scan(contactperson_pk)
        if self.questionnaire is None:
            return render(request, "sectorscans/no_questionnaire.html", {"is_manager": self.membership.is_manager})
        form = ScanForm(request.POST, themes=self.themes, previous_results=self.previous_results)
        stage = request.POST.get("stage", "review")
        if not form.is_valid() or stage == "edit":
            return self.render_form(form, status=200 if stage == "edit" else 400)
        try:
            outcomes, previous = services.scan_evaluate(
                zone=self.zone,
                questionnaire=self.questionnaire,
                contact=self.contact,
                date=form.cleaned_data["date"],
                answers=form.answers(),
                problems=form.problems(),
            )
        except ValidationError as exc:
            put_errors_on_form(form, exc)
            return self.render_form(form, status=400)
        if stage == "save":
            inspecteur = selectors.wijkinspecteur_for_scan(user=request.user, wijk_id=self.contact.partner.wijk_id)
            if inspecteur is None:
                form.add_error(None, _("No wijkinspecteur serves this wijk: assign one before taking a scan."))
                return self.render_form(form, status=400)
            try:
                scan = services.scan_take(
                    zone=self.zone,
                    contact=self.contact,
                    wijkinspecteur=inspecteur,
                    by=request.user,
                    date=form.cleaned_data["date"],
                    answers=form.answers(),
                    problems=form.problems(),
                    statuses=statuses_from(request.POST, [o.theme.key for o in outcomes]),
                    notes=form.cleaned_data["notes"],
                    questionnaire=self.questionnaire,
                )
            except ValidationError as exc:
                put_errors_on_form(form, exc)
                return self.render_form(form, status=400)
            messages.success(request, _("The sectorscan was saved and the visit logged."))
            return redirect("sectorscans:scan-detail", pk=scan.pk)
        hidden = [
            (k, v)
            for k in request.POST
            if k not in {"csrfmiddlewaretoken", "stage"} and not k.startswith("status.")
            for v in request.POST.getlist(k)
        ]
        return render(
            request,
            "sectorscans/take_review.html",
            {
                "contact": self.contact,
                "questionnaire": self.questionnaire,
                "outcomes": outcomes,
                "previous": previous,
                "hidden": hidden,
                "status_choices": Status.choices,
                "date": form.cleaned_data["date"],
            },
        )


def comparison_rows(scan: Scan) -> list[dict]:
    """Per theme: this scan's and the previous scan's result and answers, side by side (question keys match
    across versions). Five queries whatever the questionnaire's size."""
    results = {r.theme_key: r for r in ThemeResult.objects.filter(scan=scan)}
    prev_results = (
        {r.theme_key: r for r in ThemeResult.objects.filter(scan_id=scan.previous_id)} if scan.previous_id else {}
    )
    answers = {}
    for a in Answer.objects.filter(scan_id__in=[scan.pk, scan.previous_id or 0]).select_related("question__theme"):
        answers[(a.scan_id, a.question.theme.key, a.question.key)] = a
    themes = list(Theme.objects.filter(questionnaire_id=scan.questionnaire_id).prefetch_related("questions"))
    rows = []
    for theme in themes:
        questions = []
        for q in theme.questions.all():
            now = answers.get((scan.pk, theme.key, q.key))
            before = answers.get((scan.previous_id, theme.key, q.key)) if scan.previous_id else None
            questions.append({"question": q, "now": _shown(q, now), "before": _shown(q, before)})
        rows.append(
            {
                "theme": theme,
                "result": results.get(theme.key),
                "previous": prev_results.get(theme.key),
                "questions": questions,
            }
        )
    return rows


def _shown(question: Question, answer: Answer | None) -> str:
    if answer is None:
        return "–"
    if question.kind == Question.Kind.YES_NO:
        return _("Yes") if answer.value_bool else _("No")
    if question.kind == Question.Kind.AGREE_1_5:
        return f"{answer.value_int} / 5"
    if question.kind == Question.Kind.SCORE_0_10:
        return f"{answer.value_int} / 10"
    return answer.value_text


class ScanDetailView(ZoneViewMixin, DetailView):
    model = Scan
    template_name = "sectorscans/scan_detail.html"

    def get_queryset(self):
        return Scan.objects.for_list().select_related("previous", "visit")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["rows"] = comparison_rows(self.object)
        ctx["can_edit"] = may_edit_wijk(self.membership, self.object.wijk_id)
        ctx["status_choices"] = Status.choices
        return ctx


class ScanConfirmView(ZoneViewMixin, View):
    """Confirm or correct the computed status per theme of a saved scan."""

    model = Scan
    allowed_roles = MANAGER_ROLES | {Role.WIJKINSPECTEUR}
    http_method_names = ["post"]

    def post(self, request, pk):
        scan = get_object_or_404(Scan, pk=pk)
        if not may_edit_wijk(self.membership, scan.wijk_id):
            raise PermissionDenied(_("You can only edit scans of your own wijken."))
        keys = list(ThemeResult.objects.filter(scan=scan).values_list("theme_key", flat=True))
        try:
            services.scan_confirm(zone=self.zone, scan=scan, statuses=statuses_from(request.POST, keys))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(reverse("sectorscans:scan-detail", args=[scan.pk]))
        messages.success(request, _("The statuses were saved."))
        return HttpResponseRedirect(reverse("sectorscans:scan-detail", args=[scan.pk]))


class CoverageView(ZoneViewMixin, TemplateView):
    """Who is due: 'my' contacts for a wijkinspecteur, a chosen wijk, or the whole zone per wijk."""

    template_name = "sectorscans/coverage.html"
    LIMIT = 200

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        conf = services.settings_for(zone=self.zone)
        mine = wijken_served_by(self.request.user)
        wijk_id = _int_or_none(self.request.GET.get("wijk"))
        show = self.request.GET.get("show") or ("mine" if mine and not wijk_id else "zone")
        if wijk_id:
            show = "wijk"
        wijk_ids = {wijk_id} if show == "wijk" else (mine if show == "mine" else None)
        summary = selectors.coverage_by_wijk(zone=self.zone, wijk_ids=wijk_ids, settings=conf)
        rows = selectors.coverage_rows(
            zone=self.zone, wijk_ids=wijk_ids, settings=conf, limit=self.LIMIT, states={"never", "overdue", "due"}
        )
        ctx.update(
            conf=conf,
            show=show,
            wijk_id=wijk_id,
            has_mine=bool(mine),
            summary=summary,
            rows=rows,
            limit=self.LIMIT,
            totals={
                "contacts": sum(s.contacts for s in summary),
                "never": sum(s.never for s in summary),
                "overdue": sum(s.overdue for s in summary),
                "due": sum(s.due for s in summary),
            },
            wijken=Wijk.objects.current().leaves().order_by("name").values("pk", "name"),
            can_take=self.membership.role in MANAGER_ROLES or self.membership.role == Role.WIJKINSPECTEUR,
            mine=mine,
            is_manager=self.membership.role in MANAGER_ROLES,
            settings_form=SettingsForm(instance=conf) if self.membership.role in MANAGER_ROLES else None,
        )
        return ctx


class SettingsView(ZoneViewMixin, View):
    allowed_roles = MANAGER_ROLES
    http_method_names = ["post"]

    def post(self, request):
        form = SettingsForm(request.POST)
        if not form.is_valid():
            messages.error(
                request,
                _("Settings not saved: %(errors)s")
                % {
                    "errors": "; ".join(
                        f"{form.fields[f].label}: {' '.join(e)}" for f, e in form.errors.items() if f in form.fields
                    )
                },
            )
            return redirect("sectorscans:coverage")
        try:
            services.settings_update(zone=self.zone, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("sectorscans:coverage")
        messages.success(request, _("The coverage settings were saved."))
        return redirect("sectorscans:coverage")


class FiguresView(ZoneViewMixin, TemplateView):
    """Aggregates per wijk and period, for staff and the bestuur: no names of contacts or partners."""

    template_name = "sectorscans/figures.html"
    allowed_roles = FIGURE_ROLES

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        kind = self.request.GET.get("period_kind", "quarter")
        if kind not in selectors.PERIOD_KINDS:
            kind = "quarter"
        choices = selectors.period_choices(zone=self.zone, kind=kind)
        period = selectors.default_period(kind)
        error = ""
        if self.request.GET.get("period"):
            try:
                period = selectors.Period.parse(kind, self.request.GET["period"])
            except ValueError:
                error = _("Unknown period: showing the last complete one.")
        themes = selectors.theme_names(zone=self.zone)
        theme_key = self.request.GET.get("theme") or (themes[0][0] if themes else "")
        if themes and theme_key not in dict(themes):
            theme_key = themes[0][0]
        figures = selectors.aggregate_figures(zone=self.zone, period=period)
        ctx.update(
            kind=kind,
            period=period,
            choices=choices,
            themes=themes,
            theme_key=theme_key,
            theme_name=dict(themes).get(theme_key, theme_key),
            figures=figures,
            rows=[(row, [(key, row.cells.get(key)) for key, _n in themes]) for row in figures["rows"]],
            total=[(key, figures["total"].cells.get(key)) for key, _n in themes],
            geojson=selectors.figures_map(zone=self.zone, figures=figures, theme_key=theme_key),
            legend=[(low, min(high, 10), color) for low, high, color in selectors.SCORE_CLASSES],
            no_data_color=selectors.NO_DATA_COLOR,
            error=error,
            map_label=gettext_lazy("Map of the wijken coloured by the mean score of the chosen theme"),
        )
        return ctx


class QuestionnaireListView(ZoneViewMixin, ListView):
    model = Questionnaire
    template_name = "sectorscans/questionnaire_list.html"
    allowed_roles = MANAGER_ROLES

    def get_queryset(self):
        return Questionnaire.objects.order_by("-version")


class QuestionnaireDetailView(ZoneViewMixin, DetailView):
    model = Questionnaire
    template_name = "sectorscans/questionnaire_detail.html"
    allowed_roles = MANAGER_ROLES

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["themes"] = Theme.objects.filter(questionnaire=self.object).prefetch_related("questions")
        ctx["scan_count"] = Scan.objects.filter(questionnaire=self.object).count()
        ctx["editable"] = services.questionnaire_is_editable(self.object)
        return ctx


class QuestionnaireCopyDefaultView(ZoneViewMixin, View):
    allowed_roles = MANAGER_ROLES
    http_method_names = ["post"]

    def post(self, request):
        questionnaire = services.questionnaire_copy_default(zone=self.zone, by=request.user)
        messages.success(
            request, _("The default questionnaire was installed as version %(v)s.") % {"v": questionnaire.version}
        )
        return redirect("sectorscans:questionnaire-detail", pk=questionnaire.pk)


class QuestionnaireNewVersionView(ZoneViewMixin, View):
    model = Questionnaire
    allowed_roles = MANAGER_ROLES
    http_method_names = ["post"]

    def post(self, request, pk):
        source = get_object_or_404(Questionnaire, pk=pk)
        draft = services.questionnaire_new_version(zone=self.zone, source=source, by=request.user)
        messages.success(
            request, _("Draft version %(v)s was created: adapt it, then publish it.") % {"v": draft.version}
        )
        return redirect("sectorscans:questionnaire-detail", pk=draft.pk)


class QuestionnairePublishView(ZoneViewMixin, View):
    model = Questionnaire
    allowed_roles = MANAGER_ROLES
    http_method_names = ["post"]

    def post(self, request, pk):
        questionnaire = get_object_or_404(Questionnaire, pk=pk)
        try:
            services.questionnaire_publish(zone=self.zone, questionnaire=questionnaire)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Version %(v)s is now used for new scans.") % {"v": questionnaire.version})
        return redirect("sectorscans:questionnaire-detail", pk=questionnaire.pk)
