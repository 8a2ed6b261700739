"""Forms of the staff pages. They validate input and offer only the active zone's rows; the rules live in
services (assignments, spreekuren), whose ValidationErrors the views put back on these forms."""

from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import LANGUAGE_CHOICES, Assignment, Contactpunt, Spreekuur, SpreekuurException, Wijk, Wijkinspecteur
from .services.assignments import MAX_SOCIAL_LINKS, validate_photo, validate_social_links
from .services.spreekuren import CONTACTPUNT_FIELDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class AssignmentForm(forms.Form):
    wijk = forms.ModelChoiceField(label=_("Wijk"), queryset=Wijk.objects.none())
    wijkinspecteur = forms.ModelChoiceField(label=_("Wijkinspecteur"), queryset=Wijkinspecteur.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=Assignment.AssignmentRole.choices)
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    ends_on = forms.DateField(
        label=_("Ends on"), required=False, widget=DATE, help_text=_("Leave empty for an open-ended assignment.")
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    replace_current = forms.BooleanField(
        label=_("End the current main wijkinspecteur's assignment the day before"),
        required=False,
        help_text=_("Only for the role neighbourhood officer: the wijk has one main wijkinspecteur at a time."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["wijk"].queryset = Wijk.objects.current().order_by("code")
        self.fields["wijk"].label_from_instance = lambda w: f"{w.code} · {w.name}"
        self.fields["wijkinspecteur"].queryset = Wijkinspecteur.objects.filter(is_active=True)
        self.initial.setdefault("starts_on", timezone.localdate())

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The end date cannot fall before the start date."))
        if data.get("role") == Assignment.AssignmentRole.STANDIN and not ends_on:
            self.add_error("ends_on", _("A stand-in needs an end date."))
        return data


class AssignmentEditForm(forms.Form):
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), required=False, widget=DATE)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class AssignmentEndForm(forms.Form):
    ends_on = forms.DateField(
        label=_("Last day of service"), widget=DATE, help_text=_("The officer serves the wijk up to this day.")
    )


class SocialLinksField(forms.CharField):
    """One web address per line, stored as a list."""

    widget = forms.Textarea(attrs={"rows": 3, "placeholder": "https://"})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]

    def validate(self, value):
        validate_social_links(value)


class WijkinspecteurForm(forms.ModelForm):
    social_links = SocialLinksField(
        label=_("Social media links"),
        required=False,
        help_text=_("One web address per line (at most %(n)s).") % {"n": MAX_SOCIAL_LINKS},
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages spoken"), choices=LANGUAGE_CHOICES, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = Wijkinspecteur
        fields = ["display_name", "rank", "photo", "phone", "email", "introduction", "languages", "social_links"]
        widgets = {"introduction": forms.Textarea(attrs={"rows": 4}), "photo": forms.ClearableFileInput}
        help_texts = {"photo": _("JPEG, PNG or WebP, at most 5 MB.")}

    def __init__(self, *args, manager: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photo"].widget.attrs["accept"] = "image/jpeg,image/png,image/webp"
        if manager:
            self.fields["is_active"] = forms.BooleanField(
                label=_("Active"), required=False, initial=self.instance.is_active if self.instance.pk else True
            )

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if isinstance(photo, UploadedFile):
            validate_photo(photo)
        return photo


class ContactpuntForm(forms.ModelForm):
    # Declared (not generated) so that no query runs when the module loads outside a zone scope.
    wijk = forms.ModelChoiceField(label=_("Wijk"), queryset=Wijk.objects.none(), required=False)
    latitude = forms.FloatField(
        label=_("Latitude"),
        required=False,
        min_value=-90,
        max_value=90,
        widget=forms.NumberInput(attrs={"step": "any"}),
    )
    longitude = forms.FloatField(
        label=_("Longitude"),
        required=False,
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput(attrs={"step": "any"}),
    )

    class Meta:
        model = Contactpunt
        fields = [f for f in CONTACTPUNT_FIELDS if f != "point"]  # the point is latitude and longitude below
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, wijken=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["wijk"].queryset = wijken if wijken is not None else Wijk.objects.current().order_by("code")
        self.fields["wijk"].label_from_instance = lambda w: f"{w.code} · {w.name}"
        if self.instance.pk and self.instance.point:
            self.initial.setdefault("latitude", round(self.instance.point.y, 6))
            self.initial.setdefault("longitude", round(self.instance.point.x, 6))

    def clean(self):
        data = super().clean()
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            self.add_error("longitude", _("Give both latitude and longitude, or neither."))
        return data


class SpreekuurForm(forms.ModelForm):
    wijkinspecteur = forms.ModelChoiceField(
        label=_("Wijkinspecteur present"), queryset=Wijkinspecteur.objects.none(), required=False
    )

    class Meta:
        model = Spreekuur
        fields = ["weekday", "starts_at", "ends_at", "by_appointment", "wijkinspecteur"]
        widgets = {"starts_at": TIME, "ends_at": TIME}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["wijkinspecteur"].queryset = Wijkinspecteur.objects.filter(is_active=True)

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", _("The office hour must end after it starts."))
        return data

    def _post_clean(self):
        # The service runs the model's validation (with the zone and contactpunt set); the form has neither.
        pass


class SpreekuurExceptionForm(forms.ModelForm):
    class Meta:
        model = SpreekuurException
        fields = ["date", "closed", "starts_at", "ends_at", "reason"]
        widgets = {"date": DATE, "starts_at": TIME, "ends_at": TIME}
        help_texts = {"starts_at": _("Only when the contact point opens at other hours that day.")}

    def clean(self):
        data = super().clean()
        if not data.get("closed") and not (data.get("starts_at") and data.get("ends_at")):
            self.add_error("starts_at", _("Give the hours of that day, or mark it as closed."))
        return data

    def _post_clean(self):
        pass
