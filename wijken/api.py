"""API of the wijken app. Every tenant-owned endpoint derives from tenancy.ZoneViewSet."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import IsAuthenticated

from . import api_public, api_staff
from .models import Zone
from .tenancy import membership_for_request, memberships_of


class ZoneSerializer(serializers.ModelSerializer):
    role = serializers.SerializerMethodField()

    class Meta:
        model = Zone
        fields = [
            "id",
            "name",
            "slug",
            "code",
            "country",
            "languages",
            "emergency_number",
            "non_emergency_number",
            "website",
            "role",
        ]

    def get_role(self, zone: Zone) -> str:
        return self.context["roles"].get(zone.pk, "")


@extend_schema(tags=["zones"])
class ZoneViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The zones the user is a member of, with the user's role in each. Another zone answers 404."""

    serializer_class = ZoneSerializer
    permission_classes = [IsAuthenticated]
    queryset = Zone.objects.none()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # Not scoped to one zone, but a zone named in the request must still be one of the user's.
        membership_for_request(request, user=request.user)

    def get_queryset(self):
        ids = [m.zone_id for m in memberships_of(self.request.user)]
        return Zone.objects.filter(pk__in=ids).order_by("name")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["roles"] = {m.zone_id: m.role for m in memberships_of(self.request.user)}
        return context


def register(router) -> None:
    router.register("zones", ZoneViewSet, basename="zone")
    api_public.register(router)
    api_staff.register(router)


urlpatterns = api_public.urlpatterns + api_staff.urlpatterns
