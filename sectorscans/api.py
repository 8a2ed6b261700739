"""API of the sectorscans app: questionnaires, scans (with their comparison), coverage and aggregates."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from partners.models import ContactPerson
from wijken.models import EDIT_ROLES, MANAGER_ROLES, STAFF_ROLES, Role
from wijken.selectors import may_edit_wijk, wijken_served_by
from wijken.tenancy import ZoneScopedAPIMixin, ZoneViewSet

from . import selectors, services
from .filters import ScanFilter
from .models import Answer, Question, Questionnaire, Scan, Status, Theme, ThemeResult


class ScopedPK(serializers.PrimaryKeyRelatedField):
    """A related field whose choices are read per request, inside the zone scope: another zone's id is
    answered as "does not exist" (400), and nothing is queried at import time."""

    def __init__(self, model, **kwargs):
        self.model = model
        super().__init__(queryset=model.objects.none(), **kwargs)

    def get_queryset(self):
        return self.model.objects.all()


# --- Questionnaires -------------------------------------------------------------------------------------


class QuestionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Question
        fields = ["id", "key", "kind", "texts", "order", "higher_is_better", "counts_for_theme_score", "required"]


class ThemeSerializer(serializers.ModelSerializer):
    questions = QuestionSerializer(many=True, read_only=True)

    class Meta:
        model = Theme
        fields = ["id", "key", "names", "order", "questions"]


class QuestionnaireSerializer(serializers.ModelSerializer):
    themes = ThemeSerializer(many=True, read_only=True)

    class Meta:
        model = Questionnaire
        fields = ["id", "name", "version", "is_active", "published_at", "copied_from", "created_at", "themes"]
        read_only_fields = fields


class QuestionnaireCreateSerializer(serializers.Serializer):
    source = ScopedPK(
        Questionnaire,
        required=False,
        allow_null=True,
        help_text="Version to copy as a new draft; empty installs the default questionnaire (published, in use).",
    )


class QuestionnairePublishSerializer(serializers.Serializer):
    publish = serializers.BooleanField(help_text="true: publish this version and use it for new scans.")


@extend_schema_view(
    create=extend_schema(request=QuestionnaireCreateSerializer, responses=QuestionnaireSerializer),
    partial_update=extend_schema(request=QuestionnairePublishSerializer, responses=QuestionnaireSerializer),
)
@extend_schema(tags=["sectorscans"])
class QuestionnaireViewSet(ZoneViewSet):
    """Questionnaire versions. POST makes a new version (a draft copy of `source`, or the default
    questionnaire); PATCH {"publish": true} publishes a draft. Published versions never change."""

    serializer_class = QuestionnaireSerializer
    queryset = Questionnaire.objects.none()
    read_roles = STAFF_ROLES
    write_roles = MANAGER_ROLES
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return Questionnaire.objects.prefetch_related("themes__questions").order_by("-version")

    def create(self, request, *args, **kwargs):
        data = QuestionnaireCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        source = data.validated_data.get("source")
        if source is None:
            created = services.questionnaire_copy_default(zone=request.zone, by=request.user)
        else:
            created = services.questionnaire_new_version(zone=request.zone, source=source, by=request.user)
        return Response(QuestionnaireSerializer(self.get_queryset().get(pk=created.pk)).data, status=201)

    def partial_update(self, request, *args, **kwargs):
        questionnaire = self.get_object()
        data = QuestionnairePublishSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if not data.validated_data["publish"]:
            raise exceptions.ValidationError({"publish": [_("A published version cannot be withdrawn.")]})
        services.questionnaire_publish(zone=request.zone, questionnaire=questionnaire)
        return Response(QuestionnaireSerializer(self.get_queryset().get(pk=questionnaire.pk)).data)


# --- Scans ----------------------------------------------------------------------------------------------


class AnswerSerializer(serializers.ModelSerializer):
    question = serializers.SerializerMethodField()

    class Meta:
        model = Answer
        fields = ["question", "value_int", "value_bool", "value_text"]

    def get_question(self, answer: Answer) -> str:
        return f"{answer.question.theme.key}.{answer.question.key}"


class ThemeResultSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)

    class Meta:
        model = ThemeResult
        fields = [
            "theme_key",
            "score",
            "has_problem",
            "problem_note",
            "computed_status",
            "confirmed_status",
            "status",
            "carried_forward_from",
        ]


class ScanSerializer(serializers.ModelSerializer):
    contact_name = serializers.CharField(source="contact.name", read_only=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    theme_results = ThemeResultSerializer(many=True, read_only=True)

    class Meta:
        model = Scan
        fields = [
            "id",
            "date",
            "questionnaire",
            "contact",
            "contact_name",
            "partner",
            "partner_name",
            "wijk",
            "wijkinspecteur",
            "visit",
            "previous",
            "notes",
            "theme_results",
        ]
        read_only_fields = fields


class ScanDetailSerializer(ScanSerializer):
    answers = AnswerSerializer(many=True, read_only=True)

    class Meta(ScanSerializer.Meta):
        fields = [*ScanSerializer.Meta.fields, "answers"]
        read_only_fields = fields


class ProblemSerializer(serializers.Serializer):
    has_problem = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ScanCreateSerializer(serializers.Serializer):
    contact = ScopedPK(ContactPerson)
    date = serializers.DateField()
    answers = serializers.DictField(
        child=serializers.JSONField(), help_text='Keyed "theme.question", e.g. {"verkeer.veilig": 7}.'
    )
    problems = serializers.DictField(child=ProblemSerializer(), required=False, default=dict)
    statuses = serializers.DictField(
        child=serializers.ChoiceField(choices=Status.choices), required=False, default=dict
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class ScanConfirmSerializer(serializers.Serializer):
    statuses = serializers.DictField(
        child=serializers.ChoiceField(choices=[*Status.choices, ("", "-")]),
        help_text="Per theme key: the confirmed or corrected status; an empty value withdraws it.",
    )


@extend_schema_view(
    create=extend_schema(request=ScanCreateSerializer, responses=ScanDetailSerializer),
    partial_update=extend_schema(request=ScanConfirmSerializer, responses=ScanDetailSerializer),
    retrieve=extend_schema(responses=ScanDetailSerializer),
)
@extend_schema(tags=["sectorscans"])
class ScanViewSet(ZoneViewSet):
    """Sectorscans. A wijkinspecteur takes and confirms scans of their own wijken; managers of the whole
    zone; staff read the zone. PATCH {"statuses": {...}} confirms or corrects the status per theme."""

    serializer_class = ScanSerializer
    queryset = Scan.objects.none()
    filterset_class = ScanFilter
    read_roles = STAFF_ROLES
    write_roles = EDIT_ROLES
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        qs = Scan.objects.for_list().prefetch_related("theme_results").order_by("-date", "-pk")
        if self.action == "retrieve":
            qs = qs.prefetch_related("answers__question__theme")
        return qs

    def get_serializer_class(self):
        return ScanDetailSerializer if self.action == "retrieve" else ScanSerializer

    def _check_edit(self, wijk_id):
        if not may_edit_wijk(self.request.membership, wijk_id):
            raise exceptions.PermissionDenied(_("You can only edit scans of your own wijken."))

    def create(self, request, *args, **kwargs):
        data = ScanCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        contact = v["contact"]
        self._check_edit(contact.partner.wijk_id)
        inspecteur = selectors.wijkinspecteur_for_scan(user=request.user, wijk_id=contact.partner.wijk_id)
        if inspecteur is None:
            raise exceptions.ValidationError({"contact": [_("No wijkinspecteur serves this wijk.")]})
        scan = services.scan_take(
            zone=request.zone,
            contact=contact,
            wijkinspecteur=inspecteur,
            by=request.user,
            date=v["date"],
            answers=v["answers"],
            problems={k: (p["has_problem"], p.get("note", "")) for k, p in v["problems"].items()},
            statuses=v["statuses"],
            notes=v["notes"],
        )
        scan = Scan.objects.for_list().prefetch_related("theme_results", "answers__question__theme").get(pk=scan.pk)
        return Response(ScanDetailSerializer(scan).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        scan = self.get_object()
        self._check_edit(scan.wijk_id)
        data = ScanConfirmSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.scan_confirm(zone=request.zone, scan=scan, statuses=data.validated_data["statuses"])
        scan = Scan.objects.for_list().prefetch_related("theme_results", "answers__question__theme").get(pk=scan.pk)
        return Response(ScanDetailSerializer(scan).data)

    @extend_schema(
        responses=inline_serializer(
            "ScanComparison",
            {
                "scan": serializers.IntegerField(),
                "previous": serializers.IntegerField(allow_null=True),
                "themes": serializers.ListField(child=serializers.DictField()),
            },
        )
    )
    @action(detail=True, methods=["get"])
    def comparison(self, request, pk=None):
        """Per theme: the previous and the current score (0-1), problem and status."""
        scan = self.get_object()
        now = {r.theme_key: r for r in scan.theme_results.all()}
        before = {r.theme_key: r for r in ThemeResult.objects.filter(scan_id=scan.previous_id)}
        themes = []
        for key in sorted(now, key=lambda k: k):
            r, p = now[key], before.get(key)
            themes.append(
                {
                    "theme_key": key,
                    "previous_score": p.score if p else None,
                    "previous_problem": p.has_problem if p else None,
                    "score": r.score,
                    "has_problem": r.has_problem,
                    "problem_note": r.problem_note,
                    "computed_status": r.computed_status,
                    "confirmed_status": r.confirmed_status,
                    "status": r.status,
                    "carried_forward": r.carried_forward_from_id is not None,
                }
            )
        return Response({"scan": scan.pk, "previous": scan.previous_id, "themes": themes})


# --- Coverage and aggregates ----------------------------------------------------------------------------


def _int_param(request, name):
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError:
        raise exceptions.ValidationError({name: [_("Enter a whole number.")]}) from None


class CoverageView(ZoneScopedAPIMixin, APIView):
    """Active contacts that are never scanned, overdue, or due within the zone's digest horizon, most urgent
    first; and the counts per wijk."""

    read_roles = STAFF_ROLES

    @extend_schema(
        tags=["sectorscans"],
        parameters=[
            OpenApiParameter("wijk", OpenApiTypes.INT, description="Only this wijk."),
            OpenApiParameter("mine", OpenApiTypes.BOOL, description="Only the wijken assigned to me."),
            OpenApiParameter("limit", OpenApiTypes.INT, description="At most this many contacts (default 200)."),
        ],
        responses=inline_serializer(
            "Coverage",
            {
                "interval_months": serializers.IntegerField(),
                "digest_days": serializers.IntegerField(),
                "contacts": serializers.ListField(child=serializers.DictField()),
                "wijken": serializers.ListField(child=serializers.DictField()),
            },
        ),
    )
    def get(self, request):
        conf = services.settings_for(zone=request.zone)
        wijk = _int_param(request, "wijk")
        limit = _int_param(request, "limit")
        limit = 200 if limit is None else limit
        if not 1 <= limit <= 5000:
            raise exceptions.ValidationError({"limit": [_("Enter a number from 1 to 5000.")]})
        wijk_ids = None
        if wijk:
            wijk_ids = {wijk}
        elif request.query_params.get("mine") in ("1", "true", "True"):
            wijk_ids = wijken_served_by(request.user)
        rows = selectors.coverage_rows(zone=request.zone, wijk_ids=wijk_ids, settings=conf, limit=limit)
        summary = selectors.coverage_by_wijk(zone=request.zone, wijk_ids=wijk_ids, settings=conf)
        return Response(
            {
                "interval_months": conf.interval_months,
                "digest_days": conf.digest_days,
                "contacts": [
                    {
                        "contact": r.contact_id,
                        "contact_name": r.contact_name,
                        "partner": r.partner_id,
                        "partner_name": r.partner_name,
                        "wijk": r.wijk_id,
                        "last_scan": r.last_scan,
                        "due_on": r.due_on,
                        "state": r.state,
                    }
                    for r in rows
                ],
                "wijken": [
                    {
                        "wijk": s.wijk_id,
                        "wijk_name": s.wijk_name,
                        "contacts": s.contacts,
                        "never": s.never,
                        "overdue": s.overdue,
                        "due": s.due,
                    }
                    for s in summary
                ],
            }
        )


class AggregatesView(ZoneScopedAPIMixin, APIView):
    """Per wijk and theme for a quarter or year and the period before: mean score (0-10), share of contacts
    reporting a problem (%), and n scans behind each figure. Open to the bestuur: no names of people."""

    read_roles = STAFF_ROLES | {Role.BESTUUR}

    @extend_schema(
        tags=["sectorscans"],
        parameters=[
            OpenApiParameter("period_kind", OpenApiTypes.STR, enum=["quarter", "year"]),
            OpenApiParameter(
                "period", OpenApiTypes.STR, description="e.g. 2025-Q3 or 2025; default the last complete one."
            ),
        ],
        responses=inline_serializer(
            "Aggregates",
            {
                "period": serializers.CharField(),
                "previous_period": serializers.CharField(),
                "themes": serializers.ListField(child=serializers.DictField()),
                "wijken": serializers.ListField(child=serializers.DictField()),
                "zone": serializers.DictField(),
            },
        ),
    )
    def get(self, request):
        kind = request.query_params.get("period_kind", "quarter")
        if kind not in selectors.PERIOD_KINDS:
            raise exceptions.ValidationError({"period_kind": [_("Choose quarter or year.")]})
        key = request.query_params.get("period")
        try:
            period = selectors.Period.parse(kind, key) if key else selectors.default_period(kind)
        except (ValueError, TypeError):
            raise exceptions.ValidationError({"period": [_("Use 2025-Q3 for a quarter or 2025 for a year.")]}) from None
        figures = selectors.aggregate_figures(zone=request.zone, period=period)

        def cells(row):
            return {
                key: {
                    "mean": c.mean,
                    "share_problem": c.share,
                    "n": c.n,
                    "contacts": c.contacts,
                    "previous_mean": c.prev_mean,
                    "previous_share_problem": c.prev_share,
                    "previous_n": c.prev_n,
                    "change_mean": c.change_mean,
                    "change_share_problem": c.change_share,
                }
                for key, c in row.cells.items()
            }

        return Response(
            {
                "period": period.key,
                "previous_period": period.previous.key,
                "themes": [{"key": k, "name": n} for k, n in selectors.theme_names(zone=request.zone)],
                "wijken": [{"wijk": r.wijk_id, "wijk_name": r.wijk_name, "themes": cells(r)} for r in figures["rows"]],
                "zone": {"themes": cells(figures["total"])},
            }
        )


def register(router) -> None:
    router.register("sectorscans/questionnaires", QuestionnaireViewSet, basename="sectorscan-questionnaire")
    router.register("sectorscans/scans", ScanViewSet, basename="sectorscan")


urlpatterns = [
    path("sectorscans/coverage/", CoverageView.as_view(), name="sectorscan-coverage"),
    path("sectorscans/aggregates/", AggregatesView.as_view(), name="sectorscan-aggregates"),
]
