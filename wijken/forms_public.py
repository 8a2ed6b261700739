"""Forms of the public mijn-buurt pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .lookup import MAX_QUERY_LENGTH


class AddressSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Your address"),
        max_length=MAX_QUERY_LENGTH,
        help_text=_('Street and house number (e.g. "Kerkstraat 12"), or postcode and house number ("7411 AB 12").'),
        widget=forms.TextInput(
            attrs={"autocomplete": "street-address", "placeholder": _("e.g. Vlaanderenstraat 20"), "type": "search"}
        ),
    )

    def clean_q(self) -> str:
        q = self.cleaned_data["q"].strip()
        if not any(ch.isalnum() for ch in q):
            raise forms.ValidationError(_("Type a street and house number, or a postcode and house number."))
        return q


class PointForm(forms.Form):
    lat = forms.FloatField(min_value=-90, max_value=90)
    lon = forms.FloatField(min_value=-180, max_value=180)


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_("Your wijkagent answers you at this address. It is not shown to anyone else."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Your phone number (optional)"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    address = forms.CharField(
        label=_("Your address"),
        max_length=300,
        required=False,
        help_text=_("Helps your wijkagent to place your message."),
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    message = forms.CharField(
        label=_("Your message"),
        max_length=5000,
        min_length=10,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    # A honeypot: hidden from people (and from screen readers), filled in by form-spamming robots.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("website"))
