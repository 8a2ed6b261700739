"""Partner organisations in the wijk network, their contact persons and the wijkinspecteur's visit log."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.gis.db import models
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from wijken.models import LANGUAGE_CHOICES, Wijk, Wijkinspecteur, Zone


class PartnerType(models.Model):
    """A kind of partner organisation. Configurable per zone; `key` is stable for the default types so that
    reports can compare zones."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="+", verbose_name=_("zone"))
    key = models.SlugField(_("key"), max_length=50)
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    color = models.CharField(
        _("colour on maps"),
        max_length=7,
        default="#0d6efd",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a colour like #1a2b3c."))],
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = ScopedManager(zone="zone")

    class Meta:
        verbose_name = _("partner type")
        verbose_name_plural = _("partner types")
        ordering = ["order", "name"]
        constraints = [models.UniqueConstraint(fields=["zone", "key"], name="partnertype_zone_key_unique")]

    def __str__(self) -> str:
        return self.name


DEFAULT_VISIT_INTERVAL_MONTHS = 12
DEFAULT_DUE_SOON_DAYS = 30


class NetworkSettings(models.Model):
    """How often a zone wants each partner visited. One row per zone at most; without a row the defaults
    apply (see `partners.selectors.visit_policy`). The sectorscan cycle reads the same interval."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="+", verbose_name=_("zone"))
    visit_interval_months = models.PositiveSmallIntegerField(
        _("visit interval (months)"),
        default=DEFAULT_VISIT_INTERVAL_MONTHS,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("A partner is due for a visit this many months after the last one."),
    )
    due_soon_days = models.PositiveSmallIntegerField(
        _("due soon (days)"),
        default=DEFAULT_DUE_SOON_DAYS,
        validators=[MaxValueValidator(365)],
        help_text=_("A visit counts as due soon this many days before it is due."),
    )

    objects = ScopedManager(zone="zone")

    class Meta:
        verbose_name = _("network settings")
        verbose_name_plural = _("network settings")
        constraints = [models.UniqueConstraint(fields=["zone"], name="networksettings_zone_unique")]

    def __str__(self) -> str:
        return str(_("Visit every %(months)s months") % {"months": self.visit_interval_months})


class PartnerQuerySet(models.QuerySet):
    def active(self) -> PartnerQuerySet:
        return self.filter(is_active=True)


class Partner(models.Model):
    """An organisation in a wijk's network: a buurtcomité, a school, a shop association, a social service..."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="+", verbose_name=_("zone"))
    wijk = models.ForeignKey(
        Wijk, on_delete=models.SET_NULL, null=True, blank=True, related_name="partners", verbose_name=_("wijk")
    )
    # False: the wijk follows from the point; True: a person chose it and a moved point does not change it.
    wijk_overridden = models.BooleanField(_("wijk chosen by hand"), default=False)
    partner_type = models.ForeignKey(
        PartnerType, on_delete=models.PROTECT, related_name="partners", verbose_name=_("type")
    )
    name = models.CharField(_("name"), max_length=200)
    street = models.CharField(_("street"), max_length=200, blank=True)
    house_number = models.CharField(_("house number"), max_length=20, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    municipality = models.CharField(_("municipality"), max_length=100, blank=True)
    point = models.PointField(_("location"), srid=4326, null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(zone="zone", _manager_class=models.Manager.from_queryset(PartnerQuerySet))

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["name"]
        indexes = [models.Index(fields=["zone", "wijk", "is_active"], name="partner_zone_wijk_active")]

    def __str__(self) -> str:
        return self.name

    @property
    def address_line(self) -> str:
        street = f"{self.street} {self.house_number}".strip()
        place = f"{self.postcode} {self.municipality}".strip()
        return ", ".join(part for part in (street, place) if part)

    def clean(self) -> None:
        if self.partner_type_id and self.zone_id and self.partner_type.zone_id != self.zone_id:
            raise ValidationError({"partner_type": _("This type belongs to another zone.")})
        if self.wijk_id and self.zone_id and self.wijk.zone_id != self.zone_id:
            raise ValidationError({"wijk": _("This wijk belongs to another zone.")})


class ContactPerson(models.Model):
    """A person at a partner organisation. Personal data: seen by the zone's staff, never by bestuur."""

    class LawfulBasis(models.TextChoices):
        CONSENT = "consent", _("Consent")
        PUBLIC_TASK = "public_task", _("Public task")
        LEGITIMATE_INTEREST = "legitimate_interest", _("Legitimate interest")

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="+", verbose_name=_("zone"))
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("partner"))
    name = models.CharField(_("name"), max_length=200)
    function = models.CharField(_("function"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    preferred_language = models.CharField(_("preferred language"), max_length=5, choices=LANGUAGE_CHOICES, default="nl")
    lawful_basis = models.CharField(_("lawful basis"), max_length=30, choices=LawfulBasis.choices)
    consent_note = models.TextField(
        _("note on the lawful basis / consent"),
        blank=True,
        help_text=_("How and when consent was given, or why the basis applies. Required for consent."),
    )
    basis_recorded_on = models.DateField(_("recorded on"), null=True, blank=True, default=datetime.date.today)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ScopedManager(zone="zone")

    class Meta:
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")
        ordering = ["name"]
        indexes = [models.Index(fields=["zone", "partner", "is_active"], name="contact_zone_partner_active")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.lawful_basis == self.LawfulBasis.CONSENT:
            # Consent is only lawful when we can show how and when it was given (GDPR art. 7(1)).
            if not self.consent_note.strip():
                errors["consent_note"] = _("Consent needs a note on how it was given.")
            if not self.basis_recorded_on:
                errors["basis_recorded_on"] = _("Consent needs the date it was recorded.")
        if self.basis_recorded_on and self.basis_recorded_on > timezone.localdate():
            errors["basis_recorded_on"] = _("This date lies in the future.")
        if self.partner_id and self.zone_id and self.partner.zone_id != self.zone_id:
            errors["partner"] = _("This partner belongs to another zone.")
        if errors:
            raise ValidationError(errors)


class Visit(models.Model):
    class Kind(models.TextChoices):
        SECTORSCAN = "sectorscan", _("Sectorscan")
        FOLLOW_UP = "follow_up", _("Follow-up")
        INFORMATION = "information", _("Information")
        OTHER = "other", _("Other")

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="+", verbose_name=_("zone"))
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="visits", verbose_name=_("partner"))
    wijkinspecteur = models.ForeignKey(
        Wijkinspecteur, on_delete=models.PROTECT, related_name="visits", verbose_name=_("wijkinspecteur")
    )
    contacts = models.ManyToManyField(
        ContactPerson, through="VisitContact", related_name="visits", verbose_name=_("contact persons"), blank=True
    )
    date = models.DateField(_("date"), default=datetime.date.today)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.INFORMATION)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(zone="zone")

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["zone", "partner", "-date"], name="visit_zone_partner_date")]

    def __str__(self) -> str:
        return f"{self.partner} · {self.date}"

    def clean(self) -> None:
        errors = {}
        if self.date and self.date > timezone.localdate():
            errors["date"] = _("A visit cannot be logged in the future.")
        if self.partner_id and self.zone_id and self.partner.zone_id != self.zone_id:
            errors["partner"] = _("This partner belongs to another zone.")
        if self.wijkinspecteur_id and self.zone_id and self.wijkinspecteur.zone_id != self.zone_id:
            errors["wijkinspecteur"] = _("This wijkinspecteur belongs to another zone.")
        if errors:
            raise ValidationError(errors)


class VisitContact(models.Model):
    """Explicit through table so that it carries zone_id like every tenant-owned table (DESIGN §2)."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="+")
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="visit_contacts")
    contact = models.ForeignKey(ContactPerson, on_delete=models.CASCADE, related_name="visit_contacts")

    objects = ScopedManager(zone="zone")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["zone", "visit", "contact"], name="visitcontact_unique")]


class FollowUpTaskQuerySet(models.QuerySet):
    def open(self) -> FollowUpTaskQuerySet:
        return self.filter(done_on__isnull=True)


class FollowUpTask(models.Model):
    """Something to do after a visit, with a due date."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="+", verbose_name=_("zone"))
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("visit"))
    description = models.CharField(_("what"), max_length=300)
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )

    objects = ScopedManager(zone="zone", _manager_class=models.Manager.from_queryset(FollowUpTaskQuerySet))

    class Meta:
        verbose_name = _("follow-up task")
        verbose_name_plural = _("follow-up tasks")
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.description

    @property
    def is_overdue(self) -> bool:
        return self.done_on is None and self.due_on < timezone.localdate()

    def clean(self) -> None:
        if self.visit_id and self.due_on and self.due_on < self.visit.date:
            raise ValidationError({"due_on": _("The due date cannot fall before the visit.")})
