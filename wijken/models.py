"""Zones (the tenants), memberships and roles, wijken, wijkinspecteurs, contactpunten, spreekuren and the
global address reference table."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.db.models import F, Func, Q, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

LANGUAGE_CHOICES = [("nl", _("Dutch")), ("fr", _("French")), ("en", _("English")), ("de", _("German"))]


class Zone(models.Model):
    """A politiezone (BE) or basisteam (NL): the tenant. Not scoped itself: it is what scopes are made of."""

    class Country(models.TextChoices):
        BE = "BE", _("Belgium")
        NL = "NL", _("Netherlands")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    code = models.CharField(
        _("code"), max_length=40, help_text=_("Belgian zone number (e.g. 5415) or Dutch basisteam code.")
    )
    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    boundary = models.MultiPolygonField(_("boundary"), srid=4326, null=True, blank=True)
    languages = ArrayField(
        models.CharField(max_length=5, choices=LANGUAGE_CHOICES), verbose_name=_("languages"), default=list
    )
    emergency_number = models.CharField(_("emergency number"), max_length=20, default="112")
    non_emergency_number = models.CharField(_("non-emergency number"), max_length=30, blank=True)
    website = models.URLField(_("website"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("zone")
        verbose_name_plural = _("zones")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["country", "code"], name="zone_country_code_unique")]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    BEHEERDER = "beheerder", _("Administrator")
    TEAMCHEF = "teamchef", _("Team leader")
    WIJKINSPECTEUR = "wijkinspecteur", _("Neighbourhood officer")
    MEDEWERKER = "medewerker", _("Staff member")
    BESTUUR = "bestuur", _("Board")
    PARTNER = "partner", _("Partner organisation")


# Roles that see personal data and operational records of the zone.
STAFF_ROLES = frozenset({Role.BEHEERDER, Role.TEAMCHEF, Role.WIJKINSPECTEUR, Role.MEDEWERKER})
# Roles that manage the whole zone (assignments, boundaries, every wijk's records).
MANAGER_ROLES = frozenset({Role.BEHEERDER, Role.TEAMCHEF})
# Roles that write the records of a wijk (partner network, visits, scans); a wijkinspecteur only in the wijken
# they serve (wijken/selectors.py decides which).
EDIT_ROLES = MANAGER_ROLES | {Role.WIJKINSPECTEUR}
ALL_ROLES = frozenset(Role)


class Membership(models.Model):
    """A user's role in one zone. One role per user per zone keeps permissions easy to reason about."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("zone"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    welcomed_at = models.DateTimeField(_("welcome e-mail sent at"), null=True, blank=True)

    objects = ScopedManager(zone="zone")

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["zone__name", "user__username"]
        constraints = [models.UniqueConstraint(fields=["zone", "user"], name="membership_zone_user_unique")]

    def __str__(self) -> str:
        return f"{self.user} · {self.zone} · {self.get_role_display()}"

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_manager(self) -> bool:
        return self.role in MANAGER_ROLES


# --- Wijken -----------------------------------------------------------------------------------------


class WijkQuerySet(models.QuerySet):
    def current(self, on: datetime.date | None = None) -> WijkQuerySet:
        """Boundary versions valid on a day (today by default)."""
        on = on or timezone.localdate()
        return self.filter(Q(valid_from__lte=on) & (Q(valid_until__isnull=True) | Q(valid_until__gt=on)))

    def leaves(self) -> WijkQuerySet:
        return self.filter(kind=Wijk.Kind.WIJK)

    def covering(self, point) -> WijkQuerySet:
        """Wijken whose boundary covers the point (ST_Covers: a point on the boundary counts), with a
        deterministic tie-break so that a point on a shared edge belongs to exactly one wijk first."""
        return self.filter(boundary__covers=point).order_by("code", "pk")


class Wijk(models.Model):
    """A neighbourhood served by a wijkinspecteur; with kind=politiewijk, a group of wijken (via parent)."""

    class Kind(models.TextChoices):
        WIJK = "wijk", _("Neighbourhood")
        POLITIEWIJK = "politiewijk", _("Police district (group of neighbourhoods)")

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="wijken", verbose_name=_("zone"))
    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=40)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.WIJK)
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("police district"),
        limit_choices_to={"kind": "politiewijk"},
    )
    boundary = models.MultiPolygonField(_("boundary"), srid=4326, null=True, blank=True)
    # The boundary as the public answer draws it (simplified to about 5 m, GeoJSON to 6 decimals), computed by
    # PostgreSQL on every write however the row is written: a zone's answers load it as it is.
    boundary_geojson = models.GeneratedField(
        expression=Func(
            Func(F("boundary"), Value(0.00005), function="ST_SimplifyPreserveTopology"),
            Value(6),
            function="ST_AsGeoJSON",
            output_field=models.TextField(),
        ),
        output_field=models.TextField(null=True),
        db_persist=True,
    )
    inhabitants = models.PositiveIntegerField(_("inhabitants"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"), default=datetime.date(2000, 1, 1))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    objects = ScopedManager(zone="zone", _manager_class=models.Manager.from_queryset(WijkQuerySet))

    class Meta:
        verbose_name = _("wijk")
        verbose_name_plural = _("wijken")
        ordering = ["code", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["zone", "code", "valid_from"], name="wijk_zone_code_version_unique"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=models.F("valid_from")),
                name="wijk_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.parent_id and self.parent.zone_id != self.zone_id:
            raise ValidationError({"parent": _("The police district must belong to the same zone.")})
        if self.parent_id and self.parent_id == self.pk:
            raise ValidationError({"parent": _("A wijk cannot be its own police district.")})


class Wijkinspecteur(models.Model):
    """The public and internal profile of a neighbourhood officer. The user account is optional: a profile
    can exist for an officer who never logs in."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="wijkinspecteurs", verbose_name=_("zone"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="wijkinspecteur_profiles",
        verbose_name=_("user account"),
    )
    display_name = models.CharField(_("name"), max_length=200)
    rank = models.CharField(_("rank"), max_length=100, blank=True)
    photo = models.ImageField(_("photo"), upload_to="wijkinspecteurs/", blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    social_links = models.JSONField(
        _("social media links"), default=list, blank=True, help_text=_("A list of web addresses.")
    )
    introduction = models.TextField(_("introduction"), blank=True)
    languages = ArrayField(
        models.CharField(max_length=5, choices=LANGUAGE_CHOICES),
        verbose_name=_("languages spoken"),
        default=list,
        blank=True,
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = ScopedManager(zone="zone")

    class Meta:
        verbose_name = _("wijkinspecteur")
        verbose_name_plural = _("wijkinspecteurs")
        ordering = ["display_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["zone", "user"], condition=Q(user__isnull=False), name="wijkinspecteur_zone_user_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rank} {self.display_name}".strip()


class AssignmentQuerySet(models.QuerySet):
    def active(self, on: datetime.date | None = None) -> AssignmentQuerySet:
        on = on or timezone.localdate()
        return self.filter(Q(starts_on__lte=on) & (Q(ends_on__isnull=True) | Q(ends_on__gte=on)))


class Assignment(models.Model):
    """Who serves which wijk, in which role, from when until when. History is kept when officers rotate."""

    class AssignmentRole(models.TextChoices):
        WIJKINSPECTEUR = "wijkinspecteur", _("Neighbourhood officer")
        WIJKTEAM = "wijkteam", _("Neighbourhood team member")
        STANDIN = "standin", _("Stand-in")

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="+", verbose_name=_("zone"))
    wijkinspecteur = models.ForeignKey(
        Wijkinspecteur, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("wijkinspecteur")
    )
    wijk = models.ForeignKey(Wijk, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("wijk"))
    role = models.CharField(_("role"), max_length=20, choices=AssignmentRole.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = ScopedManager(zone="zone", _manager_class=models.Manager.from_queryset(AssignmentQuerySet))

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["wijk__code", "role", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="assignment_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.wijkinspecteur} → {self.wijk} ({self.get_role_display()})"

    def clean(self) -> None:
        errors = {}
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The end date cannot fall before the start date.")
        if self.wijk_id and self.zone_id and self.wijk.zone_id != self.zone_id:
            errors["wijk"] = _("This wijk belongs to another zone.")
        if self.wijkinspecteur_id and self.zone_id and self.wijkinspecteur.zone_id != self.zone_id:
            errors["wijkinspecteur"] = _("This wijkinspecteur belongs to another zone.")
        if errors:
            raise ValidationError(errors)


# --- Contactpunten and spreekuren --------------------------------------------------------------------


class Contactpunt(models.Model):
    class Kind(models.TextChoices):
        POLITIEKANTOOR = "politiekantoor", _("Police station")
        WIJKKANTOOR = "wijkkantoor", _("Neighbourhood office")
        ANTENNEPUNT = "antennepunt", _("Contact point in a community centre")

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="contactpunten", verbose_name=_("zone"))
    wijk = models.ForeignKey(
        Wijk, on_delete=models.SET_NULL, null=True, blank=True, related_name="contactpunten", verbose_name=_("wijk")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    street = models.CharField(_("street"), max_length=200, blank=True)
    house_number = models.CharField(_("house number"), max_length=20, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    municipality = models.CharField(_("municipality"), max_length=100, blank=True)
    point = models.PointField(_("location"), srid=4326, null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    open_24_7 = models.BooleanField(_("open 24/7"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ScopedManager(zone="zone")

    class Meta:
        verbose_name = _("contact point")
        verbose_name_plural = _("contact points")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def address_line(self) -> str:
        street = f"{self.street} {self.house_number}".strip()
        place = f"{self.postcode} {self.municipality}".strip()
        return ", ".join(part for part in (street, place) if part)


class Spreekuur(models.Model):
    """A weekly recurring office hour at a contactpunt."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="+", verbose_name=_("zone"))
    contactpunt = models.ForeignKey(
        Contactpunt, on_delete=models.CASCADE, related_name="spreekuren", verbose_name=_("contact point")
    )
    wijkinspecteur = models.ForeignKey(
        Wijkinspecteur,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="spreekuren",
        verbose_name=_("wijkinspecteur present"),
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    starts_at = models.TimeField(_("from"))
    ends_at = models.TimeField(_("until"))
    by_appointment = models.BooleanField(_("by appointment only"), default=False)

    objects = ScopedManager(zone="zone")

    class Meta:
        verbose_name = _("office hour")
        verbose_name_plural = _("office hours")
        ordering = ["weekday", "starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="spreekuur_time_range"),
            models.CheckConstraint(condition=Q(weekday__gte=0, weekday__lte=6), name="spreekuur_weekday_range"),
        ]

    def __str__(self) -> str:
        return f"{self.contactpunt} · {self.get_weekday_display()} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The office hour must end after it starts.")})


class SpreekuurException(models.Model):
    """A day on which a contactpunt's usual hours do not apply: closed (holiday) or other hours."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="+", verbose_name=_("zone"))
    contactpunt = models.ForeignKey(
        Contactpunt, on_delete=models.CASCADE, related_name="exceptions", verbose_name=_("contact point")
    )
    date = models.DateField(_("date"))
    closed = models.BooleanField(_("closed all day"), default=True)
    starts_at = models.TimeField(_("from"), null=True, blank=True)
    ends_at = models.TimeField(_("until"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    objects = ScopedManager(zone="zone")

    class Meta:
        verbose_name = _("office hour exception")
        verbose_name_plural = _("office hour exceptions")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["zone", "contactpunt", "date"], name="spreekuurexception_unique_day")
        ]

    def __str__(self) -> str:
        return f"{self.contactpunt} · {self.date}"

    def clean(self) -> None:
        if not self.closed:
            if not (self.starts_at and self.ends_at):
                raise ValidationError(_("Give the hours of that day, or mark it as closed."))
            if self.ends_at <= self.starts_at:
                raise ValidationError({"ends_at": _("The office hour must end after it starts.")})


# --- Citizen messages to a wijkagent -------------------------------------------------------------------


class ContactMessage(models.Model):
    """A message a citizen sends to a wijkagent from "mijn buurt"."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="+", verbose_name=_("zone"))
    wijkinspecteur = models.ForeignKey(
        Wijkinspecteur, on_delete=models.CASCADE, related_name="messages", verbose_name=_("wijkinspecteur")
    )
    wijk = models.ForeignKey(
        Wijk, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("wijk")
    )
    name = models.CharField(_("your name"), max_length=200)
    email = models.EmailField(_("your e-mail address"))
    phone = models.CharField(_("your phone number"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    message = models.TextField(_("message"), max_length=5000)
    language = models.CharField(_("language"), max_length=5, default="nl")
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)
    emailed_at = models.DateTimeField(_("forwarded by e-mail at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = ScopedManager(zone="zone")

    class Meta:
        verbose_name = _("message to a wijkagent")
        verbose_name_plural = _("messages to wijkagenten")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} → {self.wijkinspecteur} ({self.created_at:%Y-%m-%d})"


# --- Addresses (global reference table) -----------------------------------------------------------------


class Address(models.Model):
    """One address point. A global reference table: not owned by a zone (the zone follows from the point)."""

    class Country(models.TextChoices):
        BE = "BE", _("Belgium")
        NL = "NL", _("Netherlands")

    country = models.CharField(_("country"), max_length=2, choices=Country.choices, default=Country.BE)
    street = models.CharField(_("street"), max_length=200)
    house_number = models.CharField(_("house number"), max_length=20)
    box = models.CharField(_("box / addition"), max_length=20, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10)
    municipality = models.CharField(_("municipality"), max_length=100)
    point = models.PointField(_("location"), srid=4326)
    source = models.CharField(_("source"), max_length=100, blank=True)
    # Normalised (lower-case, unaccented) "street number box postcode municipality" for trigram search;
    # filled by the importer in SQL with unaccent() so that search and storage normalise the same way.
    search_text = models.CharField(max_length=400, editable=False, default="")

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering = ["postcode", "street", "house_number"]
        indexes = [
            GinIndex(fields=["search_text"], name="address_search_trgm", opclasses=["gin_trgm_ops"]),
            models.Index(fields=["postcode", "house_number"], name="address_postcode_number"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "postcode", "street", "house_number", "box"], name="address_unique"
            )
        ]

    def __str__(self) -> str:
        number = f"{self.house_number}{' ' + self.box if self.box else ''}"
        return f"{self.street} {number}, {self.postcode} {self.municipality}"


class AddressStreet(models.Model):
    """One street of the address register (distinct country, postcode, street, municipality), for the
    mijn-buurt search: a trigram scan over ~55,000 streets instead of a million addresses, whose common trigrams
    ("str", "aat") make the GIN scan read most of the index (docs/performance.md). Filled by the address importer
    in the same statement as the addresses; a global reference table like Address."""

    country = models.CharField(max_length=2, choices=Address.Country.choices)
    street = models.CharField(max_length=200)
    postcode = models.CharField(max_length=10)
    municipality = models.CharField(max_length=100)
    # lower(unaccent("street postcode municipality")), filled in SQL as Address.search_text is.
    search_text = models.CharField(max_length=400, editable=False, default="")

    class Meta:
        indexes = [GinIndex(fields=["search_text"], name="addressstreet_search_trgm", opclasses=["gin_trgm_ops"])]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "postcode", "street", "municipality"], name="addressstreet_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.street}, {self.postcode} {self.municipality}"
