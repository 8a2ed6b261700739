"""Public mijn-buurt API (no login, throttled per client) and the staff API of citizens' messages."""

from __future__ import annotations

import functools
import json
import math
import time
from urllib.parse import parse_qsl

import django_filters
from django.core.cache import cache
from django.http import HttpResponse
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from . import lookup
from .models import STAFF_ROLES, ContactMessage
from .services.contact import contact_message_mark_read, contact_messages_visible_to
from .tenancy import ZoneViewSet


@functools.cache
def _parsed_rate(rate: str) -> tuple[int, int]:
    return ScopedRateThrottle.parse_rate(None, rate)


def public_throttle_window(ident: str, scope: str = "public") -> tuple[str, int, int, float] | None:
    """The client's fixed window under `scope`: (counter name, allowed requests, seconds the counter lives,
    seconds until the window ends), or None when the scope has no rate."""
    rate = api_settings.DEFAULT_THROTTLE_RATES.get(scope)
    if rate is None:
        return None
    num_requests, duration = _parsed_rate(rate)
    now = time.time()
    window = int(now // duration)
    return f"throttle-fw:{scope}:{ident}:{window}", num_requests, duration + 1, duration - (now % duration)


class PublicThrottle(ScopedRateThrottle):
    """A per-client fixed-window counter: one pipelined Redis round trip (INCR + EXPIRE) per request, where DRF's
    sliding window reads and rewrites a pickled list of timestamps (two round trips, growing with the rate). The
    rate is read when the throttle runs (DRF binds it at import), so settings changed at run time apply."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        self.scope = getattr(view, self.scope_attr, None)
        self.rate = self.get_rate()
        if not self.scope or self.rate is None:
            return True
        name, self.num_requests, lifetime, self.retry_after = public_throttle_window(
            self.get_ident(request), self.scope
        )
        client = lookup.redis_client()
        if client is not None:
            key = cache.make_and_validate_key(name)
            pipe = client.pipeline(transaction=False)
            pipe.incr(key)
            pipe.expire(key, lifetime)
            count = pipe.execute()[0]
        else:  # a cache without Redis (never in production): the portable way
            cache.add(name, 0, lifetime)
            count = cache.incr(name)
        return count <= self.num_requests

    def wait(self):
        return self.retry_after


# --- Request and response shapes (the responses are built as JSON in PostgreSQL; these document them) ----


class LookupParamsSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, max_length=lookup.MAX_QUERY_LENGTH, trim_whitespace=True)
    address = serializers.IntegerField(required=False, min_value=1)
    lat = serializers.FloatField(required=False, min_value=-90, max_value=90)
    lon = serializers.FloatField(required=False, min_value=-180, max_value=180)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=50, default=lookup.DEFAULT_LIMIT)

    def validate(self, attrs):
        modes = [name for name in ("q", "address") if name in attrs]
        has_point = "lat" in attrs or "lon" in attrs
        if has_point:
            missing = [name for name in ("lat", "lon") if name not in attrs]
            if missing:
                raise serializers.ValidationError({name: ["Give both lat and lon."] for name in missing})
            modes.append("point")
        if not modes:
            raise serializers.ValidationError({"q": ["Give q (an address), address (an id) or lat and lon."]})
        if len(modes) > 1:
            raise serializers.ValidationError({"non_field_errors": ["Give only one of q, address or lat/lon."]})
        attrs["mode"] = modes[0]
        return attrs


class AutocompleteParamsSerializer(serializers.Serializer):
    q = serializers.CharField(max_length=lookup.MAX_QUERY_LENGTH, trim_whitespace=True)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=50, default=lookup.DEFAULT_LIMIT)


class AddressCandidateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField()
    country = serializers.CharField()
    street = serializers.CharField()
    house_number = serializers.CharField()
    box = serializers.CharField()
    postcode = serializers.CharField()
    municipality = serializers.CharField()
    lat = serializers.FloatField()
    lon = serializers.FloatField()
    score = serializers.FloatField(help_text="Trigram word similarity of the query to the address (0–1).")
    number_match = serializers.BooleanField(help_text="The house number matches what was typed.")
    street_score = serializers.FloatField(help_text="Trigram similarity of the street name alone (0–1).")
    exact = serializers.BooleanField(help_text="Street (or postcode) and house number match exactly.")


class MijnBuurtZoneSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    country = serializers.CharField()
    website = serializers.URLField(allow_null=True)
    emergency_number = serializers.CharField()
    non_emergency_number = serializers.CharField(allow_null=True)
    languages = serializers.ListField(child=serializers.CharField())


class MijnBuurtWijkSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    politiewijk = serializers.CharField(allow_null=True)
    boundary = serializers.JSONField(help_text="GeoJSON MultiPolygon, simplified to about 5 m.")


class MijnBuurtOfficerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    role = serializers.ChoiceField(choices=["wijkinspecteur", "standin", "wijkteam"])
    name = serializers.CharField()
    rank = serializers.CharField()
    photo_url = serializers.CharField(allow_null=True)
    introduction = serializers.CharField()
    phone = serializers.CharField(allow_null=True)
    has_email = serializers.BooleanField(help_text="The address itself is never shown: write via contact_url.")
    social_links = serializers.JSONField()
    languages = serializers.ListField(child=serializers.CharField())
    until = serializers.DateField(allow_null=True)
    note = serializers.CharField(allow_null=True)
    contact_url = serializers.CharField()


class MijnBuurtSpreekuurSerializer(serializers.Serializer):
    date = serializers.DateField()
    weekday = serializers.IntegerField(help_text="0 = Monday")
    starts_at = serializers.CharField()
    ends_at = serializers.CharField()
    by_appointment = serializers.BooleanField()
    changed = serializers.BooleanField(help_text="Other hours than usual on this day (an exception).")
    reason = serializers.CharField(allow_null=True)
    wijkinspecteur = serializers.CharField(allow_null=True)


class MijnBuurtContactpuntSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    name = serializers.CharField()
    street = serializers.CharField()
    house_number = serializers.CharField()
    postcode = serializers.CharField()
    municipality = serializers.CharField()
    phone = serializers.CharField(allow_null=True)
    open_24_7 = serializers.BooleanField()
    notes = serializers.CharField(allow_null=True)
    lat = serializers.FloatField()
    lon = serializers.FloatField()
    distance_m = serializers.IntegerField()
    spreekuren = MijnBuurtSpreekuurSerializer(many=True, help_text="The next seven days, today included.")
    closed = inline_serializer(
        "MijnBuurtClosedDay",
        {"date": serializers.DateField(), "reason": serializers.CharField(allow_null=True)},
        many=True,
    )


class MijnBuurtAnswerSerializer(serializers.Serializer):
    found = serializers.BooleanField(help_text="A wijk covers the point.")
    covered = serializers.BooleanField(help_text="A zone of this service covers the point.")
    country = serializers.CharField(allow_null=True)
    point = inline_serializer("MijnBuurtPoint", {"lat": serializers.FloatField(), "lon": serializers.FloatField()})
    address = serializers.JSONField(allow_null=True)
    zone = MijnBuurtZoneSerializer(allow_null=True)
    wijk = MijnBuurtWijkSerializer(allow_null=True)
    standin_active = serializers.BooleanField(help_text="The wijkagent is away; `officers` holds the stand-in.")
    officers = MijnBuurtOfficerSerializer(many=True, help_text="On duty today.")
    away = MijnBuurtOfficerSerializer(many=True, help_text="The wijkagent(s) away while a stand-in serves.")
    team = MijnBuurtOfficerSerializer(many=True)
    contactpunten = MijnBuurtContactpuntSerializer(many=True)
    numbers = inline_serializer(
        "MijnBuurtNumbers",
        {
            "emergency": serializers.CharField(),
            "police_emergency": serializers.CharField(help_text="Belgium: 101; empty elsewhere."),
            "non_emergency": serializers.CharField(
                help_text="Empty where there is none (outside our zones in Belgium)."
            ),
        },
    )
    national_numbers = serializers.BooleanField(help_text="No zone covers the point: the national numbers.")


class MijnBuurtLookupSerializer(serializers.Serializer):
    candidates = AddressCandidateSerializer(many=True, allow_null=True)
    answer = MijnBuurtAnswerSerializer(allow_null=True)


def client_ident(meta: dict) -> str | None:
    """The client's address as DRF's throttles see it (BaseThrottle.get_ident, REST_FRAMEWORK["NUM_PROXIES"]),
    without building a throttle: this runs on every hot-path request."""
    remote_addr = meta.get("REMOTE_ADDR")
    xff = meta.get("HTTP_X_FORWARDED_FOR")
    num_proxies = api_settings.NUM_PROXIES
    if num_proxies is not None:
        if num_proxies == 0 or xff is None:
            return remote_addr
        addrs = xff.split(",")
        return addrs[-min(num_proxies, len(addrs))].strip()
    return "".join(xff.split()) if xff else remote_addr


def _json(payload: str) -> HttpResponse:
    return HttpResponse(payload, content_type="application/json")


def _answer_body(candidates_json: str, answer_json: str) -> HttpResponse:
    return _json(f'{{"candidates":{candidates_json},"answer":{answer_json}}}')


class PublicAPIView(APIView):
    authentication_classes: list = []  # anonymous by design: no session, no CSRF, nothing personal
    permission_classes = [AllowAny]
    parser_classes: list = []  # GET only: no request body to parse
    renderer_classes = [JSONRenderer]
    throttle_classes = [PublicThrottle]
    throttle_scope = "public"
    _renderer = JSONRenderer()

    def perform_content_negotiation(self, request, force=False):
        # One format: skip DRF's negotiation (a measurable share of a cached answer's time).
        return (self._renderer, self._renderer.media_type)


@extend_schema(
    tags=["mijn-buurt"],
    summary="Find the wijk, the wijkagent and the spreekuren for an address or a point",
    parameters=[
        OpenApiParameter("q", OpenApiTypes.STR, description='An address: "Kerkstraat 12" or "7411 AB 12a".'),
        OpenApiParameter("address", OpenApiTypes.INT, description="An address id from the candidates."),
        OpenApiParameter("lat", OpenApiTypes.DOUBLE, description="Latitude (WGS84), with lon."),
        OpenApiParameter("lon", OpenApiTypes.DOUBLE, description="Longitude (WGS84), with lat."),
        OpenApiParameter("limit", OpenApiTypes.INT, description="Most candidates to return (1–50)."),
    ],
    responses={200: MijnBuurtLookupSerializer, 400: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT},
    description="With q: the candidates, and the full answer when the best match is unambiguous. With address or "
    "lat/lon: the answer (candidates null). Outside every zone the answer carries the national numbers.",
)
class MijnBuurtAPIView(PublicAPIView):
    @classmethod
    def as_view(cls, **initkwargs):
        """DRF's view behind a hot path for the requests a map or a search box sends: a well-formed point,
        address or query costs at most one Redis round trip (the per-client count, with the cached address or
        candidates when this worker lacks them), often none; the answer comes from the worker's read model, and
        no DRF machinery runs. Everything else, and every refusal, goes through DRF, which explains it."""
        view = super().as_view(**initkwargs)

        def hot_path(request, *args, **kwargs):
            if request.method == "GET":
                response = cls._hot_get(request)
                if response is not None:
                    return response
            return view(request, *args, **kwargs)

        hot_path.cls, hot_path.initkwargs, hot_path.csrf_exempt = view.cls, view.initkwargs, True
        hot_path.__name__ = hot_path.__qualname__ = view.__name__
        return hot_path

    @classmethod
    def _hot_get(cls, request) -> HttpResponse | None:
        query_string = request.META.get("QUERY_STRING", "")
        if len(query_string) > 1000 or not query_string.isascii():
            return None  # QueryDict's limits and decoding rules apply
        data = cls._fast_params(dict(parse_qsl(query_string, keep_blank_values=True)))
        if data is None:
            return None
        window = public_throttle_window(client_ident(request.META))
        if window is None:
            return None
        name, allowed, lifetime, _ = window
        if data["mode"] == "point":
            within, _ = lookup.count_and_fetch(name, lifetime, allowed)
            if not within:
                return None  # refused: DRF's throttle answers 429 with Retry-After
            return _answer_body("null", lookup.neighbourhood_json_at(data["lat"], data["lon"]))
        if data["mode"] == "address":
            within, record = lookup.count_and_fetch(name, lifetime, allowed, lookup.address_key(data["address"]))
            if not within:
                return None
            record = record or lookup.address_record(data["address"], look_in_cache=False)
            if record is None:
                return None  # DRF's view explains the 404
            return _answer_body("null", lookup.neighbourhood_json_for_address(data["address"], record=record))
        within, candidates = lookup.count_and_fetch(
            name, lifetime, allowed, lookup.search_key(data["q"], data["limit"])
        )
        if not within:
            return None
        return cls._search_body(data["q"], data["limit"], candidates)

    @staticmethod
    def _search_body(q: str, limit: int, candidates_json: str | None = None) -> HttpResponse:
        """The candidates, and the answer for the best one when it is unambiguous. `candidates_json`: the
        candidates when the caller found them in the cache."""
        if candidates_json is None:
            candidates_json, match = lookup.search_candidates(q, limit, look_in_cache=False)
        else:
            match = lookup.match_of(lookup.unambiguous_match(json.loads(candidates_json)))
        answer = lookup.neighbourhood_json_for_match(match) if match else "null"
        return _answer_body(candidates_json, answer)

    def get(self, request):
        data = self._fast_params(request.GET)
        if data is None:
            params = LookupParamsSerializer(data=request.query_params)
            params.is_valid(raise_exception=True)
            data = params.validated_data
        if data["mode"] == "address":
            answer = lookup.neighbourhood_json_for_address(data["address"])
            if answer is None:
                return Response({"address": ["No such address."]}, status=status.HTTP_404_NOT_FOUND)
            return _answer_body("null", answer)
        if data["mode"] == "point":
            return _answer_body("null", lookup.neighbourhood_json_at(data["lat"], data["lon"]))
        return self._search_body(data["q"], data["limit"])

    @staticmethod
    def _fast_params(query) -> dict | None:
        """The two shapes a map or a result list sends (address=<id>, or lat and lon), checked without a
        serializer: this is the hot path. Anything else, or anything wrong, goes to the serializer, which
        explains what is wrong."""
        keys = set(query)
        try:
            if keys == {"q"} or keys == {"q", "limit"}:
                # As the serializer would accept it: trimmed, not blank, not too long, no NUL; a plain limit.
                q, limit = query["q"].strip(), query.get("limit", str(lookup.DEFAULT_LIMIT))
                if q and len(q) <= lookup.MAX_QUERY_LENGTH and "\x00" not in q and limit.isdigit():
                    if 1 <= int(limit) <= 50:
                        return {"mode": "q", "q": q, "limit": int(limit)}
            elif keys == {"address"}:
                value = query["address"]
                if value.isdigit() and 0 < int(value) < 2**63:
                    return {"mode": "address", "address": int(value)}
            elif keys == {"lat", "lon"}:
                lat, lon = float(query["lat"]), float(query["lon"])
                if math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180:
                    return {"mode": "point", "lat": lat, "lon": lon}
        except ValueError:
            pass
        return None


@extend_schema(
    tags=["mijn-buurt"],
    summary="Address autocomplete",
    parameters=[
        OpenApiParameter("q", OpenApiTypes.STR, required=True, description="What the citizen typed so far."),
        OpenApiParameter("limit", OpenApiTypes.INT, description="Most candidates to return (1–50)."),
    ],
    responses={
        200: inline_serializer("MijnBuurtAddressCandidates", {"candidates": AddressCandidateSerializer(many=True)}),
        400: OpenApiTypes.OBJECT,
    },
)
class AddressAutocompleteAPIView(PublicAPIView):
    def get(self, request):
        params = AutocompleteParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        candidates = lookup.search_addresses(params.validated_data["q"], params.validated_data["limit"])
        return _json(json.dumps({"candidates": candidates}, separators=(",", ":")))


# --- Staff: citizens' messages --------------------------------------------------------------------------


class ContactMessageSerializer(serializers.ModelSerializer):
    wijkinspecteur_name = serializers.CharField(source="wijkinspecteur.display_name", read_only=True)
    wijk_name = serializers.CharField(source="wijk.name", read_only=True, default=None)

    class Meta:
        model = ContactMessage
        fields = [
            "id",
            "wijkinspecteur",
            "wijkinspecteur_name",
            "wijk",
            "wijk_name",
            "name",
            "email",
            "phone",
            "address",
            "message",
            "language",
            "created_at",
            "emailed_at",
            "read_at",
        ]
        read_only_fields = fields


class ContactMessageFilter(django_filters.FilterSet):
    # Plain ids rather than model choices: a choice field would query the scoped managers when the class is
    # built (outside any zone), and the viewset's queryset already limits what can be found.
    wijkinspecteur = django_filters.NumberFilter(field_name="wijkinspecteur_id")
    wijk = django_filters.NumberFilter(field_name="wijk_id")
    unread = django_filters.BooleanFilter(field_name="read_at", lookup_expr="isnull", label="Only unread messages")

    class Meta:
        model = ContactMessage
        fields: list[str] = []


@extend_schema(tags=["contact-messages"])
class ContactMessageViewSet(ZoneViewSet):
    """Messages citizens sent to a wijkagent: a wijkinspecteur reads those addressed to them, managers all of
    the zone. Read-only, except for marking a message read."""

    serializer_class = ContactMessageSerializer
    queryset = ContactMessage.objects.none()
    filterset_class = ContactMessageFilter
    read_roles = STAFF_ROLES
    write_roles = STAFF_ROLES
    http_method_names = ["get", "post", "put", "head", "options"]

    def get_queryset(self):
        return contact_messages_visible_to(membership=self.request.membership).order_by("-created_at", "-pk")

    def create(self, request, *args, **kwargs):
        raise MethodNotAllowed(request.method)

    def update(self, request, *args, **kwargs):
        raise MethodNotAllowed(request.method)

    @extend_schema(request=None, responses=ContactMessageSerializer)
    @action(detail=True, methods=["post", "put"], url_path="mark-read")
    def mark_read(self, request, pk=None):
        contact = contact_message_mark_read(contact=self.get_object())
        return Response(self.get_serializer(contact).data)


def register(router) -> None:
    router.register("contact-messages", ContactMessageViewSet, basename="contact-message")


urlpatterns = [
    path("mijn-buurt/", MijnBuurtAPIView.as_view(), name="api-mijn-buurt"),
    path("mijn-buurt/adressen/", AddressAutocompleteAPIView.as_view(), name="api-mijn-buurt-adressen"),
]
