"""Forms of the partner pages. They validate input; the services in partners/services.py do the writes."""

from __future__ import annotations

from django import forms
from django.contrib.gis.geos import Point
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wijken.models import Wijk, Wijkinspecteur

from .models import ContactPerson, Partner, PartnerType, Visit
from .services import CONTACT_FIELDS


class PartnerFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    wijk = forms.ModelChoiceField(label=_("Wijk"), queryset=Wijk.objects.none(), required=False, empty_label=_("All"))
    partner_type = forms.ModelChoiceField(
        label=_("Type"), queryset=PartnerType.objects.none(), required=False, empty_label=_("All")
    )
    due = forms.ChoiceField(
        label=_("Visit"),
        required=False,
        choices=[("", _("All")), ("overdue", _("Overdue")), ("due", _("Due now")), ("soon", _("Due soon"))],
    )

    def __init__(self, *args, zone, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["wijk"].queryset = Wijk.objects.filter(zone=zone).current().leaves().order_by("name")
        self.fields["partner_type"].queryset = PartnerType.objects.filter(zone=zone, is_active=True)


class PartnerForm(forms.ModelForm):
    # Declared, not generated: a generated field would query the scoped managers at import time.
    partner_type = forms.ModelChoiceField(label=_("Type"), queryset=PartnerType.objects.none())
    wijk = forms.ModelChoiceField(label=_("Wijk"), queryset=Wijk.objects.none(), required=False)
    latitude = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180)

    class Meta:
        model = Partner
        fields = [
            "name",
            "partner_type",
            "street",
            "house_number",
            "postcode",
            "municipality",
            "wijk_overridden",
            "wijk",
            "phone",
            "email",
            "website",
            "notes",
            "is_active",
        ]
        labels = {"wijk_overridden": _("Choose the wijk by hand instead of from the location")}
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, zone, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner_type"].queryset = PartnerType.objects.filter(zone=zone, is_active=True)
        self.fields["wijk"].queryset = Wijk.objects.filter(zone=zone).current().leaves().order_by("name")
        self.fields["wijk"].help_text = _("Only used when the wijk is chosen by hand.")
        if self.instance.point is not None:
            self.initial.setdefault("latitude", round(self.instance.point.y, 6))
            self.initial.setdefault("longitude", round(self.instance.point.x, 6))

    def clean(self):
        data = super().clean()
        lat, lon = data.get("latitude"), data.get("longitude")
        if (lat is None) != (lon is None):
            raise forms.ValidationError(_("Give both latitude and longitude, or neither."))
        data["point"] = Point(lon, lat, srid=4326) if lat is not None else None
        if data.get("wijk_overridden") and not data.get("wijk"):
            self.add_error("wijk", _("Choose the wijk, or let it follow from the location."))
        return data

    def _post_clean(self):
        # The service validates the whole partner (with the derived wijk); the form checks only its fields.
        pass

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        fields = {name: data[name] for name in self.Meta.fields if name not in ("wijk", "wijk_overridden")}
        return {**fields, "point": data["point"], "wijk": data.get("wijk"), "wijk_overridden": data["wijk_overridden"]}


class ContactForm(forms.ModelForm):
    class Meta:
        model = ContactPerson
        fields = list(CONTACT_FIELDS)
        widgets = {
            "consent_note": forms.Textarea(attrs={"rows": 2}),
            "basis_recorded_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }


class VisitForm(forms.Form):
    """Screen 2 of the visit log: everything has a default except what only the officer knows."""

    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), initial=timezone.localdate
    )
    kind = forms.ChoiceField(
        label=_("Kind of visit"), choices=Visit.Kind.choices, initial=Visit.Kind.INFORMATION, widget=forms.RadioSelect
    )
    contacts = forms.ModelMultipleChoiceField(
        label=_("Who did you meet?"),
        queryset=ContactPerson.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    task = forms.CharField(
        label=_("Follow-up task (optional)"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. send the flyer on bike theft")}),
    )
    task_due_on = forms.DateField(
        label=_("Task due on"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    wijkinspecteur = forms.ModelChoiceField(label=_("Visit by"), queryset=Wijkinspecteur.objects.none(), required=True)

    def __init__(self, *args, partner: Partner, profiles, own_profile: Wijkinspecteur | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contacts"].queryset = partner.contacts.filter(is_active=True).order_by("name")
        self.fields["wijkinspecteur"].queryset = profiles
        if own_profile is not None:
            self.fields["wijkinspecteur"].initial = own_profile.pk
            # The officer logs their own visits: no need to ask who they are.
            self.fields["wijkinspecteur"].widget = forms.HiddenInput()

    def clean(self):
        data = super().clean()
        if data.get("task") and not data.get("task_due_on"):
            self.add_error("task_due_on", _("Give a due date for the follow-up task."))
        if data.get("task_due_on") and not data.get("task"):
            self.add_error("task", _("Describe the follow-up task, or clear its due date."))
        return data

    def tasks(self) -> list[tuple[str, object]]:
        data = self.cleaned_data
        return [(data["task"], data["task_due_on"])] if data.get("task") else []
