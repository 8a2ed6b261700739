"""Staff API for wijken, wijkinspecteurs, assignments, contactpunten, spreekuren and the norm check.

Everything derives from tenancy.ZoneViewSet (zone filter, zone injected, roles). Writes with rules go through
the services; a service's ValidationError becomes a 400 with field errors (tenancy.api_exception_handler).
Wijkinspecteurs may write their own profile and the spreekuren of contactpunten in the wijken they serve:
object-level checks (`OwnObjectOrManager`), since their role is in write_roles only for those viewsets.
"""

from __future__ import annotations

import json

from django.contrib.gis.db.models.functions import AsGeoJSON
from django.core.files.uploadedfile import UploadedFile
from django.db.models import CharField, Value
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import permissions, serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors
from .filters import (
    AssignmentFilter,
    ContactpuntFilter,
    SpreekuurExceptionFilter,
    SpreekuurFilter,
    WijkFilter,
    WijkinspecteurFilter,
)
from .models import (
    LANGUAGE_CHOICES,
    MANAGER_ROLES,
    STAFF_ROLES,
    Assignment,
    Contactpunt,
    Role,
    Spreekuur,
    SpreekuurException,
    Wijk,
    Wijkinspecteur,
)
from .services import assignments as assignment_services
from .services import spreekuren as spreekuur_services
from .tenancy import HasZoneRole, ZoneScopedAPIMixin, ZoneViewSet

WRITERS_WITH_OWN = MANAGER_ROLES | {Role.WIJKINSPECTEUR}
READ_ONLY = ["get", "head", "options"]


def _scoped(model):
    """A related field's queryset, evaluated per request inside the zone scope (so another zone's id is
    'does not exist', a 400, never a leak)."""

    class Field(serializers.PrimaryKeyRelatedField):
        def get_queryset(self):
            return model.objects.all()

    return Field


# --- Wijken ---------------------------------------------------------------------------------------------


class WijkSerializer(serializers.ModelSerializer):
    parent = serializers.PrimaryKeyRelatedField(read_only=True)
    boundary = serializers.SerializerMethodField()

    class Meta:
        model = Wijk
        fields = ["id", "code", "name", "kind", "parent", "inhabitants", "valid_from", "valid_until", "boundary"]

    @extend_schema_field({"type": "object", "nullable": True, "description": "GeoJSON geometry (EPSG:4326)"})
    def get_boundary(self, wijk: Wijk):
        text = getattr(wijk, "boundary_json", None)
        if text is not None:
            return json.loads(text)
        return json.loads(wijk.boundary.geojson) if wijk.boundary else None


@extend_schema(tags=["wijken"])
@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("geometry", OpenApiTypes.BOOL, description="false: leave out the boundary")]
    )
)
class WijkViewSet(ZoneViewSet):
    """The zone's wijken and politiewijken with their boundary as a GeoJSON geometry. Read-only: boundaries
    come from the importer, which keeps their versions (valid_from / valid_until)."""

    serializer_class = WijkSerializer
    queryset = Wijk.objects.none()
    filterset_class = WijkFilter
    read_roles = STAFF_ROLES
    write_roles = MANAGER_ROLES
    http_method_names = READ_ONLY

    def get_queryset(self):
        qs = Wijk.objects.order_by("code", "valid_from")
        if self.request.query_params.get("geometry") in ("false", "0"):
            return qs.defer("boundary").annotate(boundary_json=Value("null", output_field=CharField()))
        # The database writes the GeoJSON: cheaper than building GEOS objects per row.
        return qs.defer("boundary").annotate(boundary_json=AsGeoJSON("boundary", precision=6))


# --- Wijkinspecteurs ------------------------------------------------------------------------------------


class OwnObjectOrManager(permissions.BasePermission):
    """Managers write every object; a wijkinspecteur only objects the view says are theirs."""

    message = "You can only change your own records."

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in permissions.SAFE_METHODS or request.membership.role in MANAGER_ROLES:
            return True
        return view.is_own(obj)


class OwnWritesMixin:
    def get_permissions(self):
        return [*super().get_permissions(), OwnObjectOrManager()]

    def is_own(self, obj) -> bool:
        raise NotImplementedError

    def require_manager(self) -> None:
        if self.request.membership.role not in MANAGER_ROLES:
            raise PermissionDenied(HasZoneRole.message)


class WijkinspecteurSerializer(serializers.ModelSerializer):
    languages = serializers.ListField(
        child=serializers.ChoiceField(choices=LANGUAGE_CHOICES), required=False, allow_empty=True
    )
    social_links = serializers.ListField(child=serializers.CharField(), required=False, allow_empty=True)
    photo = serializers.ImageField(required=False, allow_null=True)

    class Meta:
        model = Wijkinspecteur
        fields = ["id", *assignment_services.PROFILE_FIELDS, "user"]
        read_only_fields = ["user"]

    def validate_social_links(self, value):
        try:
            return assignment_services.validate_social_links(value)
        except Exception as exc:  # a Django ValidationError, shown as this field's error
            raise serializers.ValidationError(getattr(exc, "messages", [str(exc)])) from exc

    def validate_photo(self, value):
        if isinstance(value, UploadedFile):
            try:
                assignment_services.validate_photo(value)
            except Exception as exc:
                raise serializers.ValidationError(getattr(exc, "messages", [str(exc)])) from exc
        return value

    def create(self, validated_data):
        return assignment_services.wijkinspecteur_create(zone=self.context["request"].zone, **validated_data)

    def update(self, instance, validated_data):
        if validated_data.get("photo", "") is None:
            validated_data["photo"] = ""
        return assignment_services.wijkinspecteur_update(wijkinspecteur=instance, **validated_data)


@extend_schema(tags=["wijkinspecteurs"])
class WijkinspecteurViewSet(OwnWritesMixin, ZoneViewSet):
    """Officer profiles. Managers create and edit any; a wijkinspecteur edits their own (user = you).
    Profiles are deactivated (is_active), not deleted: history refers to them."""

    serializer_class = WijkinspecteurSerializer
    queryset = Wijkinspecteur.objects.none()
    filterset_class = WijkinspecteurFilter
    read_roles = STAFF_ROLES
    write_roles = WRITERS_WITH_OWN
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def is_own(self, obj) -> bool:
        return obj.user_id is not None and obj.user_id == self.request.user.pk

    def get_queryset(self):
        return Wijkinspecteur.objects.order_by("display_name", "pk")

    def perform_create(self, serializer):
        self.require_manager()
        serializer.save()

    def perform_update(self, serializer):
        if self.request.membership.role not in MANAGER_ROLES and "is_active" in serializer.validated_data:
            # Switching a profile off is a manager's decision.
            serializer.validated_data.pop("is_active")
        serializer.save()


# --- Assignments ----------------------------------------------------------------------------------------


class AssignmentSerializer(serializers.ModelSerializer):
    wijk = _scoped(Wijk)()
    wijkinspecteur = _scoped(Wijkinspecteur)()
    replace_current = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text="End the wijk's current main wijkinspecteur the day before starts_on.",
    )

    class Meta:
        model = Assignment
        fields = ["id", "wijk", "wijkinspecteur", "role", "starts_on", "ends_on", "note", "replace_current"]

    def validate(self, attrs):
        starts_on = attrs.get("starts_on", getattr(self.instance, "starts_on", None))
        ends_on = attrs.get("ends_on", getattr(self.instance, "ends_on", None))
        if starts_on and ends_on and ends_on < starts_on:
            raise serializers.ValidationError({"ends_on": "The end date cannot fall before the start date."})
        if self.instance is not None:
            for name in ("wijk", "wijkinspecteur", "role"):
                if name in attrs and attrs[name] != getattr(self.instance, name):
                    raise serializers.ValidationError(
                        {name: "Cannot be changed; end this assignment and create a new one."}
                    )
        return attrs

    def create(self, validated_data):
        zone = self.context["request"].zone
        data = dict(validated_data)
        replace_current = data.pop("replace_current", False)
        if data["role"] == Assignment.AssignmentRole.STANDIN:
            return assignment_services.standin_set(
                zone=zone,
                wijk=data["wijk"],
                wijkinspecteur=data["wijkinspecteur"],
                starts_on=data["starts_on"],
                ends_on=data.get("ends_on"),
                note=data.get("note", ""),
            )
        return assignment_services.assignment_create(zone=zone, replace_current=replace_current, **data)

    def update(self, instance, validated_data):
        data = {k: v for k, v in validated_data.items() if k not in ("wijk", "wijkinspecteur", "role")}
        data.pop("replace_current", None)
        if set(data) == {"ends_on"} and data["ends_on"] is not None:
            # Only an end date: this is "ending" the assignment.
            return assignment_services.assignment_end(assignment=instance, ends_on=data["ends_on"])
        return assignment_services.assignment_update(
            assignment=instance,
            starts_on=data.get("starts_on", instance.starts_on),
            ends_on=data.get("ends_on", instance.ends_on),
            note=data.get("note", instance.note),
        )


@extend_schema(tags=["assignments"])
class AssignmentViewSet(ZoneViewSet):
    """Who serves which wijk. Create through the rules of services.assignments (one main wijkinspecteur per
    wijk at a time, stand-ins with an end date); end an assignment with PATCH {"ends_on": "YYYY-MM-DD"}.
    Assignments are history and are not deleted."""

    serializer_class = AssignmentSerializer
    queryset = Assignment.objects.none()
    filterset_class = AssignmentFilter
    read_roles = STAFF_ROLES
    write_roles = MANAGER_ROLES
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return Assignment.objects.order_by("wijk__code", "role", "starts_on", "pk")

    def perform_create(self, serializer):
        serializer.save()


# --- Contactpunten and spreekuren -----------------------------------------------------------------------


def _point_as_lat_lon(fields) -> list[str]:
    """The model's point travels as latitude and longitude, in its place."""
    return [name for f in fields for name in (("latitude", "longitude") if f == "point" else (f,))]


class ContactpuntSerializer(serializers.ModelSerializer):
    wijk = _scoped(Wijk)(required=False, allow_null=True)
    latitude = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    longitude = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180)

    class Meta:
        model = Contactpunt
        fields = ["id", *_point_as_lat_lon(spreekuur_services.CONTACTPUNT_FIELDS)]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["latitude"] = instance.point.y if instance.point else None
        data["longitude"] = instance.point.x if instance.point else None
        return data

    def _fields(self, validated_data) -> dict:
        data = dict(validated_data)
        if "latitude" in data or "longitude" in data:
            current = self.instance.point if self.instance is not None else None
            lat = data.pop("latitude", current.y if current else None)
            lon = data.pop("longitude", current.x if current else None)
            data["point"] = spreekuur_services.point_from(latitude=lat, longitude=lon)
        return data

    def create(self, validated_data):
        data = self._fields(validated_data)
        return spreekuur_services.contactpunt_create(zone=self.context["request"].zone, **data)

    def update(self, instance, validated_data):
        return spreekuur_services.contactpunt_update(contactpunt=instance, **self._fields(validated_data))


class ServedWijkenMixin(OwnWritesMixin):
    def contactpunt_is_own(self, contactpunt: Contactpunt | None) -> bool:
        # Creating one (no contactpunt, so no wijk) is for managers.
        return selectors.may_edit_wijk(self.request.membership, contactpunt.wijk_id if contactpunt else None)


@extend_schema(tags=["contactpunten"])
class ContactpuntViewSet(ServedWijkenMixin, ZoneViewSet):
    """Contact points (police stations, wijkkantoren, antennepunten). Managers create and delete them; a
    wijkinspecteur edits those in the wijken they serve."""

    serializer_class = ContactpuntSerializer
    queryset = Contactpunt.objects.none()
    filterset_class = ContactpuntFilter
    read_roles = STAFF_ROLES
    write_roles = WRITERS_WITH_OWN

    def is_own(self, obj) -> bool:
        return self.contactpunt_is_own(obj)

    def get_queryset(self):
        return Contactpunt.objects.order_by("name", "pk")

    def perform_create(self, serializer):
        self.require_manager()
        serializer.save()

    def perform_update(self, serializer):
        wijk = serializer.validated_data.get("wijk", serializer.instance.wijk)
        if not selectors.may_edit_wijk(self.request.membership, wijk):
            raise PermissionDenied("You can only place contact points in the wijken you serve.")
        serializer.save()

    def perform_destroy(self, instance):
        self.require_manager()
        instance.delete()


class SpreekuurSerializer(serializers.ModelSerializer):
    contactpunt = _scoped(Contactpunt)()
    wijkinspecteur = _scoped(Wijkinspecteur)(required=False, allow_null=True)

    class Meta:
        model = Spreekuur
        fields = ["id", "contactpunt", "weekday", "starts_at", "ends_at", "by_appointment", "wijkinspecteur"]

    def validate(self, attrs):
        if self.instance is not None and "contactpunt" in attrs and attrs["contactpunt"] != self.instance.contactpunt:
            raise serializers.ValidationError({"contactpunt": "Cannot be changed; delete and create instead."})
        starts_at = attrs.get("starts_at", getattr(self.instance, "starts_at", None))
        ends_at = attrs.get("ends_at", getattr(self.instance, "ends_at", None))
        if starts_at and ends_at and ends_at <= starts_at:
            raise serializers.ValidationError({"ends_at": "The office hour must end after it starts."})
        return attrs

    def create(self, validated_data):
        data = dict(validated_data)
        return spreekuur_services.spreekuur_create(contactpunt=data.pop("contactpunt"), **data)

    def update(self, instance, validated_data):
        data = {k: v for k, v in validated_data.items() if k != "contactpunt"}
        return spreekuur_services.spreekuur_update(spreekuur=instance, **data)


class ContactpuntChildViewSet(ServedWijkenMixin, ZoneViewSet):
    read_roles = STAFF_ROLES
    write_roles = WRITERS_WITH_OWN

    def is_own(self, obj) -> bool:
        return self.contactpunt_is_own(obj.contactpunt)

    def perform_create(self, serializer):
        if not self.contactpunt_is_own(serializer.validated_data["contactpunt"]):
            raise PermissionDenied("You can only change the office hours of contact points in your wijken.")
        serializer.save()

    def perform_destroy(self, instance):
        getattr(spreekuur_services, self.delete_service)(**{self.delete_kwarg: instance})


@extend_schema(tags=["spreekuren"])
class SpreekuurViewSet(ContactpuntChildViewSet):
    """Weekly office hours of the contact points (no overlaps on one day at one contact point)."""

    serializer_class = SpreekuurSerializer
    queryset = Spreekuur.objects.none()
    filterset_class = SpreekuurFilter
    delete_service, delete_kwarg = "spreekuur_delete", "spreekuur"

    def get_queryset(self):
        return Spreekuur.objects.select_related("contactpunt").order_by("contactpunt_id", "weekday", "starts_at")


class SpreekuurExceptionSerializer(serializers.ModelSerializer):
    contactpunt = _scoped(Contactpunt)()

    class Meta:
        model = SpreekuurException
        fields = ["id", "contactpunt", "date", "closed", "starts_at", "ends_at", "reason"]
        validators = []  # the service checks the one-per-day rule with a clear message

    def validate(self, attrs):
        if self.instance is not None and "contactpunt" in attrs and attrs["contactpunt"] != self.instance.contactpunt:
            raise serializers.ValidationError({"contactpunt": "Cannot be changed; delete and create instead."})
        return attrs

    def create(self, validated_data):
        data = dict(validated_data)
        return spreekuur_services.spreekuur_exception_create(contactpunt=data.pop("contactpunt"), **data)

    def update(self, instance, validated_data):
        data = {k: v for k, v in validated_data.items() if k != "contactpunt"}
        return spreekuur_services.spreekuur_exception_update(exception=instance, **data)


@extend_schema(tags=["spreekuren"])
class SpreekuurExceptionViewSet(ContactpuntChildViewSet):
    """Days on which a contact point's usual hours do not apply: closed, or other hours."""

    serializer_class = SpreekuurExceptionSerializer
    queryset = SpreekuurException.objects.none()
    filterset_class = SpreekuurExceptionFilter
    delete_service, delete_kwarg = "spreekuur_exception_delete", "exception"

    def get_queryset(self):
        return SpreekuurException.objects.select_related("contactpunt").order_by("date", "pk")


# --- The norm -------------------------------------------------------------------------------------------


class NormFiguresSerializer(serializers.Serializer):
    inhabitants = serializers.IntegerField(allow_null=True)
    fte_needed = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True, coerce_to_string=False)
    fte_assigned = serializers.DecimalField(max_digits=8, decimal_places=1, coerce_to_string=False)
    shortfall = serializers.DecimalField(max_digits=8, decimal_places=1, coerce_to_string=False)
    inhabitants_per_fte = serializers.IntegerField(allow_null=True)
    status = serializers.ChoiceField(choices=["ok", "shortfall", "unknown"])


class NormWijkSerializer(NormFiguresSerializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class NormGroupSerializer(serializers.Serializer):
    politiewijk = NormWijkSerializer(allow_null=True)
    totals = NormFiguresSerializer()
    wijken = NormWijkSerializer(many=True)


class NormSerializer(serializers.Serializer):
    date = serializers.DateField()
    inhabitants_per_wijkinspecteur = serializers.IntegerField()
    tolerance_fte = serializers.DecimalField(max_digits=4, decimal_places=1, coerce_to_string=False)
    zone = NormFiguresSerializer()
    groups = NormGroupSerializer(many=True)


def _wijk_norm(row) -> dict:
    return {"id": row.wijk.pk, "code": row.wijk.code, "name": row.wijk.name, **row.norm.as_dict()}


def norm_payload(overview: selectors.Overview) -> dict:
    """The norm check as plain values: aggregates only, never an officer's name (the bestuur reads it)."""
    return {
        "date": overview.on,
        "inhabitants_per_wijkinspecteur": selectors.INHABITANTS_PER_WIJKINSPECTEUR,
        "tolerance_fte": selectors.NORM_TOLERANCE_FTE,
        "zone": overview.norm.as_dict(),
        "groups": [
            {
                "politiewijk": _wijk_norm(g.politiewijk) if g.politiewijk else None,
                "totals": g.norm.as_dict(),
                "wijken": [_wijk_norm(r) for r in g.rows],
            }
            for g in overview.groups
        ],
    }


@extend_schema(tags=["wijken"], responses=NormSerializer)
class NormView(ZoneScopedAPIMixin, APIView):
    """Inhabitants per wijkinspecteur against the norm (1 per 4,000), per wijk, per politiewijk and for the
    zone. Aggregates only, so the bestuur may read it too."""

    read_roles = STAFF_ROLES | {Role.BESTUUR}
    write_roles = frozenset()

    def get(self, request):
        return Response(NormSerializer(norm_payload(selectors.norm_check())).data)


urlpatterns = [path("norm/", NormView.as_view(), name="api-norm")]


def register(router) -> None:
    router.register("wijken", WijkViewSet, basename="api-wijk")
    router.register("wijkinspecteurs", WijkinspecteurViewSet, basename="api-wijkinspecteur")
    router.register("assignments", AssignmentViewSet, basename="api-assignment")
    router.register("contactpunten", ContactpuntViewSet, basename="api-contactpunt")
    router.register("spreekuren", SpreekuurViewSet, basename="api-spreekuur")
    router.register("spreekuur-exceptions", SpreekuurExceptionViewSet, basename="api-spreekuur-exception")
