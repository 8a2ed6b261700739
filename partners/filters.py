"""Filtersets of the partners API. Related-object choices are built per request, inside the zone scope."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from wijken.models import Wijk, Wijkinspecteur

from .models import ContactPerson, FollowUpTask, Partner, PartnerType, Visit
from .selectors import DUE_FILTERS, search_q


def _wijken(request):
    return Wijk.objects.all()


def _types(request):
    return PartnerType.objects.all()


def _partners(request):
    return Partner.objects.all()


# Every filter is declared: django-filter's generated filters query the default manager at import time,
# which django-scopes refuses outside a zone scope.


class PartnerTypeFilter(django_filters.FilterSet):
    key = django_filters.CharFilter(label=_("Key"))
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = PartnerType
        fields = []


class PartnerFilter(django_filters.FilterSet):
    wijk = django_filters.ModelChoiceFilter(queryset=_wijken, label=_("Wijk"))
    partner_type = django_filters.ModelChoiceFilter(queryset=_types, label=_("Type"))
    due = django_filters.ChoiceFilter(
        choices=[("overdue", _("Overdue")), ("due", _("Due now")), ("soon", _("Due soon"))],
        method="filter_due",
        label=_("Visit due"),
    )
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    is_active = django_filters.BooleanFilter(label=_("Active"))
    wijk_overridden = django_filters.BooleanFilter(label=_("Wijk chosen by hand"))

    class Meta:
        model = Partner
        fields = []

    def filter_due(self, queryset, name, value):
        # The viewset annotates due_state (partners.selectors.with_visit_dates).
        return queryset.filter(DUE_FILTERS[value]) if value in DUE_FILTERS else queryset

    def filter_q(self, queryset, name, value):
        return queryset.filter(search_q(value)) if value.strip() else queryset


class ContactPersonFilter(django_filters.FilterSet):
    partner = django_filters.ModelChoiceFilter(queryset=_partners, label=_("Partner"))
    is_active = django_filters.BooleanFilter(label=_("Active"))
    lawful_basis = django_filters.ChoiceFilter(choices=ContactPerson.LawfulBasis.choices, label=_("Lawful basis"))
    preferred_language = django_filters.CharFilter(label=_("Preferred language"))

    class Meta:
        model = ContactPerson
        fields = []


class VisitFilter(django_filters.FilterSet):
    partner = django_filters.ModelChoiceFilter(queryset=_partners, label=_("Partner"))
    wijk = django_filters.ModelChoiceFilter(field_name="partner__wijk", queryset=_wijken, label=_("Wijk"))
    wijkinspecteur = django_filters.ModelChoiceFilter(
        queryset=lambda request: Wijkinspecteur.objects.all(), label=_("Wijkinspecteur")
    )
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("From"))
    date_until = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("Until"))
    kind = django_filters.ChoiceFilter(choices=Visit.Kind.choices, label=_("Kind"))

    class Meta:
        model = Visit
        fields = []


class FollowUpTaskFilter(django_filters.FilterSet):
    visit = django_filters.ModelChoiceFilter(queryset=lambda request: Visit.objects.all(), label=_("Visit"))
    open = django_filters.BooleanFilter(field_name="done_on", lookup_expr="isnull", label=_("Open"))
    partner = django_filters.ModelChoiceFilter(field_name="visit__partner", queryset=_partners, label=_("Partner"))
    due_before = django_filters.DateFilter(field_name="due_on", lookup_expr="lte", label=_("Due on or before"))
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("Only tasks of my visits"))

    class Meta:
        model = FollowUpTask
        fields = []

    def filter_mine(self, queryset, name, value):
        if value:
            return queryset.filter(visit__wijkinspecteur__user=self.request.user)
        return queryset
