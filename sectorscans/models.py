"""Sectorscans: a versioned questionnaire per zone, scans of partner contacts, per-theme results compared with
the contact's previous scan, coverage settings and the daily digest claim."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from partners.models import ContactPerson, Partner, Visit
from wijken.models import Wijk, Wijkinspecteur, Zone


def localized(texts: dict, language: str | None = None) -> str:
    """The text of a {lang: text} dict in the active language, falling back to nl, en, then anything."""
    if not texts:
        return ""
    language = (language or get_language() or "nl")[:2]
    for candidate in (language, "nl", "en"):
        if texts.get(candidate):
            return texts[candidate]
    return next(iter(texts.values()))


class SectorscanSettings(models.Model):
    """Per-zone coverage settings: how often every active contact is scanned and how far ahead the digest looks."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="+", verbose_name=_("zone"))
    interval_months = models.PositiveSmallIntegerField(
        _("scan interval (months)"), default=12, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    digest_days = models.PositiveSmallIntegerField(
        _("digest looks ahead (days)"), default=30, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = ScopedManager(zone="zone")

    class Meta:
        verbose_name = _("sectorscan settings")
        verbose_name_plural = _("sectorscan settings")
        constraints = [models.UniqueConstraint(fields=["zone"], name="sectorscansettings_zone_unique")]

    def __str__(self) -> str:
        return str(_("Every %(months)s months") % {"months": self.interval_months})


class Questionnaire(models.Model):
    """One version of a zone's questionnaire. Published versions are immutable: a change makes a new version,
    so answers given under an old version keep the questions they answered."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="+", verbose_name=_("zone"))
    name = models.CharField(_("name"), max_length=200)
    version = models.PositiveIntegerField(_("version"))
    is_active = models.BooleanField(_("in use for new scans"), default=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("copied from")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(zone="zone")

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["zone", "version"], name="questionnaire_zone_version_unique"),
            models.UniqueConstraint(
                fields=["zone"], condition=Q(is_active=True), name="questionnaire_one_active_per_zone"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class Theme(models.Model):
    """A theme of a questionnaire version. `key` is stable across versions, which is what comparisons and
    aggregates group on."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="+", verbose_name=_("zone"))
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="themes", verbose_name=_("questionnaire")
    )
    key = models.SlugField(_("key"), max_length=50)
    names = models.JSONField(_("names"), default=dict, help_text=_('Per language, e.g. {"nl": "Verkeer"}.'))
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    objects = ScopedManager(zone="zone")

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["order", "key"]
        constraints = [
            models.UniqueConstraint(fields=["zone", "questionnaire", "key"], name="theme_zone_questionnaire_key")
        ]

    def __str__(self) -> str:
        return self.name or self.key

    @property
    def name(self) -> str:
        return localized(self.names) or self.key


class Question(models.Model):
    class Kind(models.TextChoices):
        AGREE_1_5 = "agree_1_5", _("Agreement 1-5")
        SCORE_0_10 = "score_0_10", _("Score 0-10")
        YES_NO = "yes_no", _("Yes / no")
        TEXT = "text", _("Free text")

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="+", verbose_name=_("zone"))
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="questions", verbose_name=_("theme"))
    key = models.SlugField(_("key"), max_length=50)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    texts = models.JSONField(_("texts"), default=dict, help_text=_("Per language."))
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    higher_is_better = models.BooleanField(
        _("a higher value is better"),
        default=True,
        help_text=_("Off for questions where agreeing means things are bad (e.g. 'there is a lot of litter')."),
    )
    counts_for_theme_score = models.BooleanField(_("counts for the theme score"), default=True)
    required = models.BooleanField(_("required"), default=False)

    objects = ScopedManager(zone="zone")

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["order", "key"]
        constraints = [models.UniqueConstraint(fields=["zone", "theme", "key"], name="question_zone_theme_key")]

    def __str__(self) -> str:
        return self.text or self.key

    @property
    def text(self) -> str:
        return localized(self.texts) or self.key

    @property
    def is_scored(self) -> bool:
        return self.counts_for_theme_score and self.kind != self.Kind.TEXT

    def normalise(self, value) -> float | None:
        """A value on 0..1 where 1 is the good end, or None when the answer does not score."""
        if value is None or value == "" or not self.is_scored:
            return None
        if self.kind == self.Kind.AGREE_1_5:
            x = (int(value) - 1) / 4
        elif self.kind == self.Kind.SCORE_0_10:
            x = int(value) / 10
        else:
            x = 1.0 if bool(value) else 0.0
        return x if self.higher_is_better else 1.0 - x


class Status(models.TextChoices):
    NEW = "new", _("New")
    UNCHANGED = "unchanged", _("Unchanged")
    IMPROVED = "improved", _("Improved")
    SOLVED = "solved", _("Solved")
    WORSE = "worse", _("Worse")


class ScanQuerySet(models.QuerySet):
    def for_list(self) -> ScanQuerySet:
        # Names only: the wijk's boundary polygon would otherwise travel with every row.
        return self.select_related("contact", "partner", "wijk", "wijkinspecteur", "questionnaire").defer(
            "wijk__boundary", "partner__point"
        )


class Scan(models.Model):
    """One sectorscan: a visit to a partner contact, answered on one questionnaire version."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="+", verbose_name=_("zone"))
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="scans", verbose_name=_("questionnaire")
    )
    contact = models.ForeignKey(
        ContactPerson, on_delete=models.PROTECT, related_name="sectorscans", verbose_name=_("contact person")
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="sectorscans", verbose_name=_("partner")
    )
    # The wijk at the time of the scan: a partner that moves later does not move its history.
    wijk = models.ForeignKey(
        Wijk, on_delete=models.SET_NULL, null=True, blank=True, related_name="sectorscans", verbose_name=_("wijk")
    )
    # Nullable for scans imported from elsewhere; scans taken here always log their visit.
    visit = models.OneToOneField(
        Visit, on_delete=models.SET_NULL, null=True, blank=True, related_name="sectorscan", verbose_name=_("visit")
    )
    wijkinspecteur = models.ForeignKey(
        Wijkinspecteur, on_delete=models.PROTECT, related_name="sectorscans", verbose_name=_("wijkinspecteur")
    )
    date = models.DateField(_("date"))
    notes = models.TextField(_("notes"), blank=True)
    previous = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("previous scan")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(zone="zone", _manager_class=models.Manager.from_queryset(ScanQuerySet))

    class Meta:
        verbose_name = _("sectorscan")
        verbose_name_plural = _("sectorscans")
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["zone", "contact", "-date"], name="scan_zone_contact_date"),
            models.Index(fields=["zone", "wijk", "date"], name="scan_zone_wijk_date"),
        ]

    def __str__(self) -> str:
        return f"{self.contact} · {self.date}"

    def clean(self) -> None:
        errors = {}
        if self.contact_id and self.partner_id and self.contact.partner_id != self.partner_id:
            errors["contact"] = _("This contact person does not belong to this partner.")
        for name in ("questionnaire", "contact", "partner", "wijkinspecteur"):
            obj = getattr(self, name, None) if getattr(self, f"{name}_id") else None
            if obj is not None and self.zone_id and obj.zone_id != self.zone_id:
                errors[name] = _("This belongs to another zone.")
        if self.questionnaire_id and not self.questionnaire.is_published:
            errors["questionnaire"] = _("Scans can only use a published questionnaire.")
        if errors:
            raise ValidationError(errors)


class Answer(models.Model):
    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="+")
    scan = models.ForeignKey(Scan, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    value_int = models.SmallIntegerField(null=True, blank=True)
    value_bool = models.BooleanField(null=True, blank=True)
    value_text = models.TextField(blank=True)

    objects = ScopedManager(zone="zone")

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [models.UniqueConstraint(fields=["zone", "scan", "question"], name="answer_unique")]

    def __str__(self) -> str:
        return f"{self.question.key}: {self.value}"

    @property
    def value(self):
        if self.value_int is not None:
            return self.value_int
        if self.value_bool is not None:
            return self.value_bool
        return self.value_text or None


class ThemeResult(models.Model):
    """Per scan and theme: the score, the problem noted and the status against the contact's previous scan.
    Date, wijk and contact are copied from the scan so that aggregates read one covering index, not two tables."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="+")
    scan = models.ForeignKey(Scan, on_delete=models.CASCADE, related_name="theme_results")
    theme_key = models.SlugField(_("theme"), max_length=50)
    date = models.DateField(_("date"))
    wijk = models.ForeignKey(Wijk, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    contact = models.ForeignKey(ContactPerson, on_delete=models.PROTECT, related_name="+")
    score = models.FloatField(_("score (0-1, 1 is good)"), null=True, blank=True)
    has_problem = models.BooleanField(_("problem noted"), default=False)
    problem_note = models.TextField(_("problem"), blank=True)
    computed_status = models.CharField(_("computed status"), max_length=12, choices=Status.choices)
    confirmed_status = models.CharField(
        _("status set by the wijkinspecteur"), max_length=12, choices=Status.choices, blank=True
    )
    carried_forward_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("carried from")
    )

    objects = ScopedManager(zone="zone")

    class Meta:
        verbose_name = _("theme result")
        verbose_name_plural = _("theme results")
        ordering = ["scan", "theme_key"]
        constraints = [models.UniqueConstraint(fields=["zone", "scan", "theme_key"], name="themeresult_unique")]
        indexes = [
            # Covering: the aggregates are an index-only scan of the period's rows.
            models.Index(
                fields=["zone", "date"],
                include=["wijk", "theme_key", "score", "has_problem", "contact"],
                name="themeresult_aggregate",
            )
        ]

    def __str__(self) -> str:
        return f"{self.theme_key}: {self.status}"

    @property
    def status(self) -> str:
        return self.confirmed_status or self.computed_status

    @property
    def score10(self) -> float | None:
        return None if self.score is None else round(self.score * 10, 1)


class DigestRun(models.Model):
    """The claim that makes the daily digest idempotent: one row per zone, wijkinspecteur and day."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="+")
    wijkinspecteur = models.ForeignKey(Wijkinspecteur, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    sent_at = models.DateTimeField(null=True, blank=True)
    items = models.PositiveIntegerField(default=0)

    objects = ScopedManager(zone="zone")

    class Meta:
        verbose_name = _("digest run")
        verbose_name_plural = _("digest runs")
        constraints = [
            models.UniqueConstraint(fields=["zone", "wijkinspecteur", "date"], name="digestrun_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.wijkinspecteur} · {self.date}"
