from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.gis.admin import GISModelAdmin
from django.utils.translation import gettext_lazy as _

from .admin_base import NotFoundAdminMixin, ZoneScopedAdmin, ZoneScopedInline
from .models import (
    Address,
    Assignment,
    ContactMessage,
    Contactpunt,
    Membership,
    Spreekuur,
    SpreekuurException,
    Wijk,
    Wijkinspecteur,
    Zone,
)


@admin.register(Zone)
class ZoneAdmin(NotFoundAdminMixin, GISModelAdmin):
    list_display = ["name", "code", "country", "slug"]
    search_fields = ["name", "code", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        # A beheerder administers the zone they work in; superusers see every zone.
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(pk=getattr(request.zone, "pk", None))


class MembershipAddForm(forms.ModelForm):
    """A beheerder adds a person by e-mail address: users of other zones are never listed to pick from."""

    email = forms.EmailField(label=_("e-mail address"))
    first_name = forms.CharField(label=_("first name"), required=False)
    last_name = forms.CharField(label=_("last name"), required=False)

    class Meta:
        model = Membership
        fields = ["role"]

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        # Runs inside the zone scope: this looks only at the active zone's members.
        if Membership.objects.filter(user__email__iexact=email).exists():
            raise forms.ValidationError(_("This person is already a member of this zone."))
        return email


@admin.register(Membership)
class MembershipAdmin(ZoneScopedAdmin):
    list_display = ["user", "role", "is_active", "created_at", "welcomed_at"]
    list_filter = ["role", "is_active"]
    search_fields = ["user__username", "user__email", "user__last_name"]
    readonly_fields = ["user", "welcomed_at"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = MembershipAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["email", "first_name", "last_name", "role"]
        return ["user", "role", "is_active", "welcomed_at"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        from .services.membership import membership_create

        email = form.cleaned_data["email"]
        User = get_user_model()
        user = User.objects.filter(email__iexact=email).order_by("pk").first() or User.objects.create_user(
            username=email,
            email=email,
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
        )
        created = membership_create(zone=request.zone, user=user, role=form.cleaned_data["role"])
        obj.pk = created.pk


class AssignmentInline(ZoneScopedInline):
    model = Assignment
    fk_name = "wijk"


@admin.register(Wijk)
class WijkAdmin(ZoneScopedAdmin, GISModelAdmin):
    list_display = ["code", "name", "kind", "parent", "inhabitants", "valid_from", "valid_until"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]
    inlines = [AssignmentInline]


@admin.register(Wijkinspecteur)
class WijkinspecteurAdmin(ZoneScopedAdmin):
    list_display = ["display_name", "rank", "phone", "email", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["display_name", "email"]


@admin.register(Assignment)
class AssignmentAdmin(ZoneScopedAdmin):
    list_display = ["wijk", "wijkinspecteur", "role", "starts_on", "ends_on"]
    list_filter = ["role"]


class SpreekuurInline(ZoneScopedInline):
    model = Spreekuur


class SpreekuurExceptionInline(ZoneScopedInline):
    model = SpreekuurException


@admin.register(Contactpunt)
class ContactpuntAdmin(ZoneScopedAdmin, GISModelAdmin):
    list_display = ["name", "kind", "wijk", "open_24_7", "is_active"]
    list_filter = ["kind", "open_24_7", "is_active"]
    search_fields = ["name", "street"]
    inlines = [SpreekuurInline, SpreekuurExceptionInline]


@admin.register(ContactMessage)
class ContactMessageAdmin(ZoneScopedAdmin):
    list_display = ["created_at", "name", "wijkinspecteur", "emailed_at", "read_at"]
    readonly_fields = ["created_at", "emailed_at"]


@admin.register(Address)
class AddressAdmin(GISModelAdmin):
    list_display = ["street", "house_number", "box", "postcode", "municipality", "source"]
    search_fields = ["street", "postcode", "municipality"]
    list_filter = ["country"]
