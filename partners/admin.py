from django.contrib import admin
from django.contrib.gis.admin import GISModelAdmin

from wijken.admin_base import ZoneScopedAdmin, ZoneScopedInline

from .models import ContactPerson, FollowUpTask, NetworkSettings, Partner, PartnerType, Visit, VisitContact
from .services import derive_wijk


@admin.register(NetworkSettings)
class NetworkSettingsAdmin(ZoneScopedAdmin):
    list_display = ["__str__", "visit_interval_months", "due_soon_days"]


@admin.register(PartnerType)
class PartnerTypeAdmin(ZoneScopedAdmin):
    list_display = ["name", "key", "order", "color", "is_active"]
    list_editable = ["order", "is_active"]
    search_fields = ["name", "key"]


class ContactPersonInline(ZoneScopedInline):
    model = ContactPerson
    fields = ["name", "function", "phone", "email", "lawful_basis", "consent_note", "basis_recorded_on", "is_active"]


@admin.register(Partner)
class PartnerAdmin(ZoneScopedAdmin, GISModelAdmin):
    list_display = ["name", "partner_type", "wijk", "wijk_overridden", "is_active"]
    list_filter = ["partner_type", "is_active", "wijk_overridden"]
    search_fields = ["name", "street", "municipality"]
    list_select_related = ["partner_type", "wijk"]
    inlines = [ContactPersonInline]

    def save_model(self, request, obj, form, change):
        # The same rule as partners.services: the point decides the wijk unless it was chosen by hand.
        if not change:
            obj.zone = request.zone
        if not obj.wijk_overridden:
            obj.wijk = derive_wijk(zone=obj.zone, point=obj.point)
        super().save_model(request, obj, form, change)


@admin.register(ContactPerson)
class ContactPersonAdmin(ZoneScopedAdmin):
    list_display = ["name", "partner", "function", "lawful_basis", "basis_recorded_on", "is_active"]
    list_filter = ["lawful_basis", "is_active", "preferred_language"]
    search_fields = ["name", "partner__name", "email"]
    list_select_related = ["partner"]
    raw_id_fields = ["partner"]


class VisitContactInline(ZoneScopedInline):
    model = VisitContact
    raw_id_fields = ["contact"]


class FollowUpTaskInline(ZoneScopedInline):
    model = FollowUpTask
    fields = ["description", "due_on", "done_on"]


@admin.register(Visit)
class VisitAdmin(ZoneScopedAdmin):
    list_display = ["date", "partner", "kind", "wijkinspecteur"]
    list_filter = ["kind", "date"]
    search_fields = ["partner__name", "notes"]
    date_hierarchy = "date"
    list_select_related = ["partner", "wijkinspecteur"]
    raw_id_fields = ["partner"]
    readonly_fields = ["created_by", "created_at"]
    inlines = [VisitContactInline, FollowUpTaskInline]


@admin.register(FollowUpTask)
class FollowUpTaskAdmin(ZoneScopedAdmin):
    list_display = ["description", "due_on", "done_on", "visit"]
    list_filter = ["due_on", "done_on"]
    search_fields = ["description", "visit__partner__name"]
    list_select_related = ["visit__partner"]
    raw_id_fields = ["visit"]
    readonly_fields = ["done_by"]
