"""API of the partner network: partner types, partners (with nested contacts on create), contact persons,
visits (logged through services.visit_log, with contacts and tasks) and follow-up tasks.

Staff read the whole zone; managers write everywhere, a wijkinspecteur in their own wijken (the rule lives in
partners.permissions and is enforced by the services); bestuur and partner users get 403 on all of it."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers

from wijken.models import MANAGER_ROLES, STAFF_ROLES, Wijk, Wijkinspecteur
from wijken.tenancy import ZoneViewSet

from . import services
from .filters import ContactPersonFilter, FollowUpTaskFilter, PartnerFilter, PartnerTypeFilter, VisitFilter
from .models import ContactPerson, FollowUpTask, Partner, PartnerType, Visit
from .permissions import EDIT_ROLES, profile_of, require_edit_wijk
from .selectors import visit_policy, with_visit_dates


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related id looked up in the active zone only (another zone's id is "does not exist")."""

    def __init__(self, model=None, **kwargs):
        self.scoped_model = model
        if not kwargs.get("read_only"):
            kwargs["queryset"] = model.objects.none()
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.scoped_model.objects.all()


class PartnerTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = PartnerType
        fields = ["id", "key", "name", "order", "color", "is_active"]

    def validate_key(self, value):
        others = PartnerType.objects.filter(key=value)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise serializers.ValidationError(_("A partner type with this key already exists in this zone."))
        return value


class ContactPersonSerializer(serializers.ModelSerializer):
    partner = ScopedPrimaryKeyRelatedField(Partner)

    class Meta:
        model = ContactPerson
        fields = ["id", "partner", *services.CONTACT_FIELDS]

    def validate(self, attrs):
        if self.instance is not None and "partner" in attrs and attrs["partner"].pk != self.instance.partner_id:
            raise serializers.ValidationError({"partner": _("A contact person cannot move to another partner.")})
        return attrs


class NestedContactSerializer(ContactPersonSerializer):
    class Meta(ContactPersonSerializer.Meta):
        fields = [f for f in ContactPersonSerializer.Meta.fields if f != "partner"]


class PartnerSerializer(serializers.ModelSerializer):
    partner_type = ScopedPrimaryKeyRelatedField(PartnerType)
    wijk = ScopedPrimaryKeyRelatedField(
        Wijk,
        required=False,
        allow_null=True,
        help_text="Set to choose the wijk by hand (wijk_overridden becomes true); otherwise derived from the point.",
    )
    wijk_name = serializers.CharField(source="wijk.name", read_only=True, default=None)
    latitude = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90, write_only=True)
    longitude = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180, write_only=True)
    location = serializers.SerializerMethodField(help_text="The point as GeoJSON (longitude, latitude).")
    last_visit = serializers.DateField(read_only=True)
    next_visit_due = serializers.DateField(read_only=True)
    contacts = NestedContactSerializer(many=True, required=False)

    class Meta:
        model = Partner
        fields = [
            "id",
            "name",
            "partner_type",
            "wijk",
            "wijk_name",
            "wijk_overridden",
            "street",
            "house_number",
            "postcode",
            "municipality",
            "latitude",
            "longitude",
            "location",
            "phone",
            "email",
            "website",
            "notes",
            "is_active",
            "last_visit",
            "next_visit_due",
            "contacts",
        ]
        read_only_fields = ["wijk_overridden"]

    @extend_schema_field(
        {"type": "object", "nullable": True, "example": {"type": "Point", "coordinates": [2.92, 51.23]}}
    )
    def get_location(self, obj):
        return {"type": "Point", "coordinates": [obj.point.x, obj.point.y]} if obj.point else None

    def validate(self, attrs):
        lat, lon = attrs.pop("latitude", ...), attrs.pop("longitude", ...)
        if (lat is ...) != (lon is ...) or ((lat is None) != (lon is None)):
            raise serializers.ValidationError({"latitude": _("Give both latitude and longitude, or neither.")})
        if lat is not ...:
            from django.contrib.gis.geos import Point

            attrs["point"] = Point(lon, lat, srid=4326) if lat is not None else None
        if self.instance is not None and "contacts" in attrs:
            raise serializers.ValidationError({"contacts": _("Change contact persons through /contacts/.")})
        return attrs

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["latitude"] = instance.point.y if instance.point else None
        data["longitude"] = instance.point.x if instance.point else None
        if not hasattr(instance, "last_visit"):
            # Freshly written rows carry no annotation: read them back with it.
            fresh = with_visit_dates(Partner.objects.filter(pk=instance.pk), policy=visit_policy(instance.zone)).get()
            data["last_visit"], data["next_visit_due"] = fresh.last_visit, fresh.next_visit_due
        return data


def _wijk_kwargs(attrs: dict, *, creating: bool) -> dict:
    if "wijk" not in attrs:
        return {"wijk_overridden": False} if creating else {}
    wijk = attrs.pop("wijk")
    return {"wijk": wijk, "wijk_overridden": wijk is not None}


@extend_schema_view(
    list=extend_schema(summary="Partner types of the zone"),
)
class PartnerTypeViewSet(ZoneViewSet):
    serializer_class = PartnerTypeSerializer
    queryset = PartnerType.objects.none()
    filterset_class = PartnerTypeFilter
    read_roles = STAFF_ROLES
    write_roles = MANAGER_ROLES
    http_method_names = ["get", "post", "put", "patch", "head", "options"]


class PartnerViewSet(ZoneViewSet):
    serializer_class = PartnerSerializer
    queryset = Partner.objects.none()
    filterset_class = PartnerFilter
    read_roles = STAFF_ROLES
    write_roles = EDIT_ROLES
    # Partners are deactivated (is_active), not deleted: their visits are history.
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        # The wijk's name only: its boundary polygon (and the zone's, never used here) would travel per row.
        partners = (
            Partner.objects.select_related("partner_type", "wijk").defer("wijk__boundary").prefetch_related("contacts")
        )
        return with_visit_dates(partners, policy=visit_policy(self.request.zone)).order_by("name", "pk")

    def perform_create(self, serializer):
        attrs = dict(serializer.validated_data)
        contacts = attrs.pop("contacts", [])
        wijk = _wijk_kwargs(attrs, creating=True)
        serializer.instance = services.partner_create(
            zone=self.request.zone, actor=self.request.membership, contacts=contacts, **wijk, **attrs
        )

    def perform_update(self, serializer):
        attrs = dict(serializer.validated_data)
        wijk = _wijk_kwargs(attrs, creating=False)
        services.partner_update(partner=serializer.instance, actor=self.request.membership, **wijk, **attrs)
        serializer.instance = Partner.objects.select_related("partner_type", "wijk", "zone").get(
            pk=serializer.instance.pk
        )


class ContactPersonViewSet(ZoneViewSet):
    serializer_class = ContactPersonSerializer
    queryset = ContactPerson.objects.none()
    filterset_class = ContactPersonFilter
    read_roles = STAFF_ROLES
    write_roles = EDIT_ROLES
    # Contacts are deactivated, not deleted, so that past visits still say whom they met.
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return ContactPerson.objects.all().order_by("name", "pk")

    def perform_create(self, serializer):
        attrs = dict(serializer.validated_data)
        serializer.instance = services.contact_create(zone=self.request.zone, actor=self.request.membership, **attrs)

    def perform_update(self, serializer):
        attrs = dict(serializer.validated_data)
        attrs.pop("partner", None)
        serializer.instance = services.contact_update(
            contact=serializer.instance, actor=self.request.membership, **attrs
        )


class NestedTaskSerializer(serializers.ModelSerializer):
    class Meta:
        model = FollowUpTask
        fields = ["id", "description", "due_on", "done_on"]
        read_only_fields = ["done_on"]


class VisitSerializer(serializers.ModelSerializer):
    partner = ScopedPrimaryKeyRelatedField(Partner)
    wijkinspecteur = ScopedPrimaryKeyRelatedField(
        Wijkinspecteur, required=False, help_text="Defaults to the user's own wijkinspecteur profile."
    )
    contacts = ScopedPrimaryKeyRelatedField(ContactPerson, many=True, required=False)
    tasks = NestedTaskSerializer(many=True, required=False)
    date = serializers.DateField(required=False)

    class Meta:
        model = Visit
        fields = ["id", "partner", "wijkinspecteur", "date", "kind", "contacts", "notes", "tasks", "created_at"]
        read_only_fields = ["created_at"]

    def validate(self, attrs):
        if "wijkinspecteur" not in attrs:
            own = profile_of(self.context["request"].membership)
            if own is None:
                raise serializers.ValidationError(
                    {"wijkinspecteur": _("You have no wijkinspecteur profile: say whose visit this was.")}
                )
            attrs["wijkinspecteur"] = own
        attrs.setdefault("date", timezone.localdate())
        return attrs


class VisitViewSet(ZoneViewSet):
    serializer_class = VisitSerializer
    queryset = Visit.objects.none()
    filterset_class = VisitFilter
    read_roles = STAFF_ROLES
    write_roles = EDIT_ROLES
    # A visit is a record of what happened: logged or deleted (a mistake), not edited afterwards.
    http_method_names = ["get", "post", "delete", "head", "options"]

    def get_queryset(self):
        return Visit.objects.prefetch_related("contacts", "tasks").order_by("-date", "-pk")

    def perform_create(self, serializer):
        attrs = serializer.validated_data
        visit = services.visit_log(
            zone=self.request.zone,
            partner=attrs["partner"],
            wijkinspecteur=attrs["wijkinspecteur"],
            by=self.request.user,
            date=attrs["date"],
            kind=attrs.get("kind", Visit.Kind.INFORMATION),
            contacts=attrs.get("contacts", []),
            notes=attrs.get("notes", ""),
            tasks=[(t["description"], t["due_on"]) for t in attrs.get("tasks", [])],
            actor=self.request.membership,
        )
        serializer.instance = Visit.objects.prefetch_related("contacts", "tasks").get(pk=visit.pk)

    def perform_destroy(self, instance):
        require_edit_wijk(self.request.membership, instance.partner.wijk_id)
        instance.delete()


class FollowUpTaskSerializer(serializers.ModelSerializer):
    visit = ScopedPrimaryKeyRelatedField(Visit)
    partner = serializers.IntegerField(source="visit.partner_id", read_only=True)
    done = serializers.BooleanField(required=False, write_only=True, help_text="true marks the task done.")

    class Meta:
        model = FollowUpTask
        fields = ["id", "visit", "partner", "description", "due_on", "done_on", "done", "done_by"]
        read_only_fields = ["done_on", "done_by"]

    def validate(self, attrs):
        if self.instance is not None and set(attrs) - {"done"}:
            raise serializers.ValidationError(_("Only 'done' can change on an existing task."))
        return attrs


class FollowUpTaskViewSet(ZoneViewSet):
    serializer_class = FollowUpTaskSerializer
    queryset = FollowUpTask.objects.none()
    filterset_class = FollowUpTaskFilter
    read_roles = STAFF_ROLES
    write_roles = EDIT_ROLES
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return FollowUpTask.objects.select_related("visit").order_by("due_on", "pk")

    def perform_create(self, serializer):
        attrs = serializer.validated_data
        task = services.task_add(
            visit=attrs["visit"],
            description=attrs["description"],
            due_on=attrs["due_on"],
            actor=self.request.membership,
        )
        if attrs.get("done"):
            services.task_complete(task=task, by=self.request.user, actor=self.request.membership)
        serializer.instance = task

    def perform_update(self, serializer):
        done = serializer.validated_data.get("done")
        if done is not None:
            services.task_complete(
                task=serializer.instance, by=self.request.user, done=done, actor=self.request.membership
            )


def register(router) -> None:
    router.register("partner-types", PartnerTypeViewSet, basename="partner-type")
    router.register("partners", PartnerViewSet, basename="partner")
    router.register("contacts", ContactPersonViewSet, basename="contact")
    router.register("visits", VisitViewSet, basename="visit")
    router.register("follow-up-tasks", FollowUpTaskViewSet, basename="follow-up-task")
