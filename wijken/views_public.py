"""The public "mijn buurt" pages (no login) and the staff inbox of citizens' messages."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView
from django_scopes import scope
from rest_framework.throttling import BaseThrottle

from . import lookup
from .forms_public import AddressSearchForm, ContactForm, PointForm
from .models import LANGUAGE_CHOICES, STAFF_ROLES, ContactMessage, Contactpunt
from .services.contact import (
    contact_message_create,
    contact_message_mark_read,
    contact_messages_visible_to,
    contact_rate_limited,
)
from .tenancy import ZoneViewMixin

_IDENT = BaseThrottle()


def client_address(request) -> str:
    """The citizen's address for per-client limits, by the same rule as the public API's throttle
    (REST_FRAMEWORK["NUM_PROXIES"]): X-Forwarded-For only as far back as the proxies we run."""
    return _IDENT.get_ident(request) or "unknown"


def initials(name: str) -> str:
    parts = [part for part in name.replace("-", " ").split() if part[:1].isalpha()]
    return "".join(part[0] for part in (parts[:1] + parts[-1:] if len(parts) > 1 else parts)).upper()


def _prepare(answer: dict) -> dict:
    """Make the JSON answer ready for the template: dates as dates (formatted in the page's language),
    labels for codes, initials for officers without a photo."""
    language_names = dict(LANGUAGE_CHOICES)
    kinds = dict(Contactpunt.Kind.choices)
    for contactpunt in answer["contactpunten"]:
        contactpunt["kind_label"] = kinds.get(contactpunt["kind"], "")
        metres = contactpunt["distance_m"]
        contactpunt["distance"] = f"{metres} m" if metres < 1000 else f"{formats.number_format(metres / 1000, 1)} km"
        for slot in contactpunt["spreekuren"]:
            slot["date"] = datetime.date.fromisoformat(slot["date"])
        for closed in contactpunt["closed"]:
            closed["date"] = datetime.date.fromisoformat(closed["date"])
    for officer in answer["officers"] + answer["away"] + answer["team"]:
        if officer.get("until"):
            officer["until"] = datetime.date.fromisoformat(officer["until"])
        officer["initials"] = initials(officer["name"])
        officer["language_names"] = [str(language_names.get(code, code)) for code in officer["languages"] or []]
    return answer


def answer_map(answer: dict) -> dict:
    """The answer drawn on a map: the wijk, the address and the nearest contactpunten."""
    features = []
    if answer["wijk"]:
        features.append(
            {
                "type": "Feature",
                "geometry": answer["wijk"]["boundary"],
                "properties": {"label": answer["wijk"]["name"], "color": "#0d6efd"},
            }
        )
    point = answer["point"]
    features.append(
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [point["lon"], point["lat"]]},
            "properties": {
                "label": answer["address"]["label"] if answer["address"] else _("Your location"),
                "color": "#dc3545",
                "radius": 8,
            },
        }
    )
    for contactpunt in answer["contactpunten"]:
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [contactpunt["lon"], contactpunt["lat"]]},
                "properties": {"label": contactpunt["name"], "color": "#198754", "radius": 6},
            }
        )
    return {"type": "FeatureCollection", "features": features}


class MijnBuurtView(View):
    """One search box (or a point from the map or the browser's location) and the answer. Works without
    JavaScript: the form submits q, and the page answers server-side."""

    template_name = "wijken/public/mijn_buurt.html"

    def get(self, request):
        context: dict = {"form": AddressSearchForm(), "answer": None, "candidates": None}
        if "address" in request.GET:
            context.update(self._for_address(request.GET["address"]))
        elif "lat" in request.GET or "lon" in request.GET:
            context.update(self._for_point(request.GET))
        elif "q" in request.GET:
            context.update(self._for_query(request.GET))
        answer = context["answer"]
        if answer:
            context["answer"] = _prepare(answer)
            context["map_geojson"] = answer_map(answer)
            context["contact_address"] = answer["address"]["label"] if answer["address"] else ""
        else:
            context["map_geojson"] = lookup.zones_overview()
        status = 400 if context.get("error") else 200
        return render(request, self.template_name, context, status=status)

    def _for_address(self, value: str) -> dict:
        if not value.isdigit():
            return {"error": _("That address is not known. Search for it again, please.")}
        answer = lookup.neighbourhood_for_address(int(value))
        if answer is None:
            return {"error": _("That address is not known. Search for it again, please.")}
        return {"answer": answer}

    def _for_point(self, data) -> dict:
        form = PointForm(data)
        if not form.is_valid():
            return {"error": _("That location could not be read. Search for your address instead, please.")}
        return {"answer": lookup.neighbourhood_at((form.cleaned_data["lat"], form.cleaned_data["lon"]))}

    def _for_query(self, data) -> dict:
        form = AddressSearchForm(data)
        if not form.is_valid():
            return {"form": form}
        candidates = lookup.search_addresses(form.cleaned_data["q"])
        match = lookup.unambiguous_match(candidates)
        if match:
            return {"form": form, "answer": lookup.neighbourhood_for_candidate(match)}
        return {"form": form, "candidates": candidates}


class ContactView(View):
    """The form to write to a wijkagent. Public for every active wijkinspecteur assigned to a wijk today (that
    is public information); anyone else answers 404, in every zone alike."""

    template_name = "wijken/public/contact.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.officer = lookup.contactable_wijkinspecteur(kwargs["wijkinspecteur_pk"])
        if self.officer is None:
            raise Http404(_("This wijkagent cannot be reached here."))

    def get(self, request, wijkinspecteur_pk: int):
        form = ContactForm(initial={"address": request.GET.get("adres", "")[:300]})
        return self._render(form)

    def post(self, request, wijkinspecteur_pk: int):
        form = ContactForm(request.POST)
        if form.is_spam:
            # Robots get the same confirmation as people, so that they learn nothing; nothing is stored.
            return HttpResponseRedirect(self._sent_url())
        if not form.is_valid():
            return self._render(form, status=400)
        if contact_rate_limited(client=client_address(request)):
            form.add_error(
                None,
                _("You have sent several messages in a short time. Please try again later, or call the number below."),
            )
            return self._render(form, status=429)
        officer = self.officer
        # The citizen has no zone; the message is filed in the officer's zone.
        with scope(zone=officer.zone_id):
            contact_message_create(
                wijkinspecteur=officer,
                wijk=lookup.current_wijk_of(officer),
                language=get_language() or "nl",
                **{key: form.cleaned_data[key] for key in ("name", "email", "phone", "address", "message")},
            )
        return HttpResponseRedirect(self._sent_url())

    def _sent_url(self) -> str:
        return reverse("mijn-buurt-contact-sent", kwargs={"wijkinspecteur_pk": self.officer.pk})

    def _render(self, form, status: int = 200):
        return render(
            request=self.request,
            template_name=self.template_name,
            status=status,
            context={"form": form, "officer": self.officer, "zone": self.officer.zone},
        )


class ContactSentView(ContactView):
    template_name = "wijken/public/contact_sent.html"

    def get(self, request, wijkinspecteur_pk: int):
        return render(request, self.template_name, {"officer": self.officer, "zone": self.officer.zone})

    def post(self, request, wijkinspecteur_pk: int):
        return self.get(request, wijkinspecteur_pk)


# --- Staff inbox ----------------------------------------------------------------------------------------


class InboxListView(ZoneViewMixin, ListView):
    """Messages citizens sent: a wijkinspecteur sees those addressed to them, managers all of the zone."""

    model = ContactMessage
    allowed_roles = STAFF_ROLES
    template_name = "wijken/inbox/list.html"
    context_object_name = "contact_messages"
    paginate_by = 25

    def get_queryset(self):
        messages = contact_messages_visible_to(membership=self.membership)
        self.visible = messages
        if self.request.GET.get("status") == "unread":
            messages = messages.filter(read_at__isnull=True)
        query = self.request.GET.get("q", "").strip()[:100]
        if query:
            messages = messages.filter(
                Q(name__icontains=query) | Q(message__icontains=query) | Q(address__icontains=query)
            )
        return messages.order_by("-created_at", "-pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["unread_count"] = self.visible.filter(read_at__isnull=True).count()
        context["status"] = self.request.GET.get("status", "")
        context["query"] = self.request.GET.get("q", "")[:100]
        return context


class InboxDetailView(ZoneViewMixin, DetailView):
    """One message; opening it marks it read. Another officer's message answers 404, as another zone's does."""

    model = ContactMessage
    allowed_roles = STAFF_ROLES
    template_name = "wijken/inbox/detail.html"
    context_object_name = "contact"

    def get_queryset(self):
        return contact_messages_visible_to(membership=self.membership)

    def get_object(self, queryset=None):
        return contact_message_mark_read(contact=super().get_object(queryset))
