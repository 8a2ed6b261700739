"""django-filter filtersets for the staff pages and the staff API of wijken. Choice querysets are callables:
they are evaluated per request, inside the zone scope, so they only ever offer the active zone's rows."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Assignment, Contactpunt, Spreekuur, SpreekuurException, Wijk, Wijkinspecteur


def _yes_no_all():
    return forms.Select(choices=[("", _("All")), ("true", _("Yes")), ("false", _("No"))])


def _wijken(request):
    return Wijk.objects.current().order_by("code") if request is not None else Wijk.objects.none()


def _politiewijken(request):
    return _wijken(request).filter(kind=Wijk.Kind.POLITIEWIJK)


def _officers(request):
    return Wijkinspecteur.objects.all() if request is not None else Wijkinspecteur.objects.none()


def _contactpunten(request):
    return Contactpunt.objects.all() if request is not None else Contactpunt.objects.none()


class WijkFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Wijk.Kind.choices)
    parent = django_filters.ModelChoiceFilter(label=_("Police district"), queryset=_politiewijken)
    current = django_filters.BooleanFilter(label=_("Valid today"), method="filter_current", widget=_yes_no_all())

    class Meta:
        model = Wijk
        fields = ["q", "kind", "parent", "current"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value) | Q(parent__name__icontains=value))

    def filter_current(self, queryset, name, value):
        if value is None:
            return queryset
        today = timezone.localdate()
        current = Q(valid_from__lte=today) & (Q(valid_until__isnull=True) | Q(valid_until__gt=today))
        return queryset.filter(current) if value else queryset.exclude(current)


class WijkinspecteurFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    is_active = django_filters.BooleanFilter(label=_("Active"), widget=_yes_no_all())
    wijk = django_filters.ModelChoiceFilter(
        label=_("Serves wijk"), queryset=_wijken, field_name="assignments__wijk", distinct=True
    )

    class Meta:
        model = Wijkinspecteur
        fields = ["q", "is_active", "wijk"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(display_name__icontains=value) | Q(rank__icontains=value))


class AssignmentFilter(django_filters.FilterSet):
    wijk = django_filters.ModelChoiceFilter(label=_("Wijk"), queryset=_wijken)
    wijkinspecteur = django_filters.ModelChoiceFilter(label=_("Wijkinspecteur"), queryset=_officers)
    role = django_filters.ChoiceFilter(label=_("Role"), choices=Assignment.AssignmentRole.choices)
    active = django_filters.BooleanFilter(label=_("Active today"), method="filter_active", widget=_yes_no_all())

    class Meta:
        model = Assignment
        fields = ["wijk", "wijkinspecteur", "role", "active"]

    def filter_active(self, queryset, name, value):
        if value is None:
            return queryset
        active = queryset.active()
        return active if value else queryset.exclude(pk__in=active.values("pk"))


class ContactpuntFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Contactpunt.Kind.choices)
    wijk = django_filters.ModelChoiceFilter(label=_("Wijk"), queryset=_wijken)
    is_active = django_filters.BooleanFilter(label=_("Active"), widget=_yes_no_all())

    class Meta:
        model = Contactpunt
        fields = ["q", "kind", "wijk", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(street__icontains=value) | Q(municipality__icontains=value))


class SpreekuurFilter(django_filters.FilterSet):
    contactpunt = django_filters.ModelChoiceFilter(label=_("Contact point"), queryset=_contactpunten)
    wijkinspecteur = django_filters.ModelChoiceFilter(label=_("Wijkinspecteur"), queryset=_officers)
    weekday = django_filters.ChoiceFilter(label=_("Weekday"), choices=Spreekuur.Weekday.choices)

    class Meta:
        model = Spreekuur
        fields = ["contactpunt", "wijkinspecteur", "weekday"]


class SpreekuurExceptionFilter(django_filters.FilterSet):
    contactpunt = django_filters.ModelChoiceFilter(label=_("Contact point"), queryset=_contactpunten)
    date_from = django_filters.DateFilter(label=_("From"), field_name="date", lookup_expr="gte")
    date_until = django_filters.DateFilter(label=_("Until"), field_name="date", lookup_expr="lte")

    class Meta:
        model = SpreekuurException
        fields = ["contactpunt", "date_from", "date_until"]
