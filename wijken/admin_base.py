"""Admin for tenant-owned models: the admin runs inside the zone scope the middleware resolved, so a
beheerder sees and picks only rows of the active zone; the zone is set on save, never chosen."""

from __future__ import annotations

from django.contrib import admin
from django.http import Http404
from django.utils.translation import gettext as _


class NotFoundAdminMixin:
    """Another zone's object answers 404 in the admin too, instead of the admin's redirect with a message."""

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(_("No such object in this zone."))
        return obj


class ZoneScopedAdmin(NotFoundAdminMixin, admin.ModelAdmin):
    exclude = ("zone",)

    def _has_zone(self, request) -> bool:
        return getattr(request, "zone", None) is not None

    def has_module_permission(self, request):
        return self._has_zone(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._has_zone(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return self._has_zone(request) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return self._has_zone(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._has_zone(request) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.zone = request.zone
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        for instance in formset.save(commit=False):
            if hasattr(instance, "zone_id") and not instance.zone_id:
                instance.zone = request.zone
            instance.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


class ZoneScopedInline(admin.TabularInline):
    exclude = ("zone",)
    extra = 0
