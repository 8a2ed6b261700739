import django_filters

from .models import Scan


class ScanFilter(django_filters.FilterSet):
    wijk = django_filters.NumberFilter(field_name="wijk_id")
    contact = django_filters.NumberFilter(field_name="contact_id")
    partner = django_filters.NumberFilter(field_name="partner_id")
    wijkinspecteur = django_filters.NumberFilter(field_name="wijkinspecteur_id")
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = Scan
        fields = ["wijk", "contact", "partner", "wijkinspecteur", "date_from", "date_to"]
