import tempfile
from contextlib import contextmanager
from pathlib import Path

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.gis.admin import GISModelAdmin
from django.core.exceptions import PermissionDenied
from django.db.models.expressions import RawSQL
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _

from .admin_base import NotFoundAdminMixin, ZoneScopedAdmin, ZoneScopedInline
from .importers import ImportFailed, import_adressen, import_wijken
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


# --- Imports from the admin ---------------------------------------------------------------------------------

BOUNDARY_SUFFIXES = (".geojson", ".json", ".zip", ".gpkg")


class BoundaryImportForm(forms.Form):
    file = forms.FileField(
        label=_("boundary file"),
        help_text=_("GeoJSON, a .zip holding a Shapefile (.shp with its .dbf, .shx and .prj), or a GeoPackage."),
    )
    name_field = forms.CharField(label=_("field with the name"), initial="naam", max_length=100)
    code_field = forms.CharField(label=_("field with the code"), initial="code", max_length=100)
    parent_field = forms.CharField(
        label=_("field with the police district code"), required=False, max_length=100, help_text=_("Optional.")
    )
    inhabitants_field = forms.CharField(
        label=_("field with the number of inhabitants"), required=False, max_length=100, help_text=_("Optional.")
    )
    valid_from = forms.DateField(
        label=_("valid from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_(
            "Leave empty to update the current boundaries in place. With a date, the file is a new version: "
            "the current wijken are closed on that day and kept as history."
        ),
    )
    layer = forms.CharField(
        label=_("layer"), required=False, max_length=100, help_text=_("Name or number (from 0); default the first.")
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(BOUNDARY_SUFFIXES):
            raise forms.ValidationError(
                _(
                    "Upload a .geojson, .json, .zip (Shapefile) or .gpkg file. "
                    "A bare .shp needs its other files: zip them."
                )
            )
        return upload


class AddressImportForm(forms.Form):
    file = forms.FileField(
        label=_("address file (CSV)"),
        help_text=_(
            "Belgian layout: street, housenumber, postcode, municipality, lon, lat. Dutch layout: postcode, "
            "huisnummer, huisletter, toevoeging, openbareruimte, woonplaats and lon, lat or x, y (RD New)."
        ),
    )
    source = forms.CharField(label=_("source"), max_length=100, required=False, help_text=_("E.g. CRAB 2024 or BAG."))
    country = forms.ChoiceField(
        label=_("country"),
        required=False,
        choices=[("", _("as the layout says"))] + list(Address.Country.choices),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".txt")):
            raise forms.ValidationError(_("Upload a .csv file."))
        return upload


@contextmanager
def uploaded_path(upload):
    """The upload as a file on disk under its own name: GDAL picks its driver by the suffix, and the
    importer's messages then name the file the person uploaded."""
    name = get_valid_filename(Path(upload.name).name) or "upload"
    with tempfile.TemporaryDirectory(prefix="wijkwerk-import-") as folder:
        target = Path(folder) / name
        with target.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        yield target


def _import_page(model_admin, request, *, form, report, title: str) -> TemplateResponse:
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": title,
        "form": form,
        "report": report,
        "report_lines": report.summary().splitlines() if report else [],
    }
    return TemplateResponse(request, "admin/wijken/import.html", context)


@admin.register(Wijk)
class WijkAdmin(ZoneScopedAdmin, GISModelAdmin):
    list_display = ["code", "name", "kind", "parent", "inhabitants", "valid_from", "valid_until"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]
    inlines = [AssignmentInline]
    change_list_template = "admin/wijken/wijk/change_list.html"

    def get_urls(self):
        view = self.admin_site.admin_view(self.import_view)
        return [path("import/", view, name="wijken_wijk_import"), *super().get_urls()]

    def import_view(self, request):
        """A beheerder uploads a boundary set for the zone they work in; the import runs now and the report
        (repairs, overlaps, gaps) is shown on the same page."""
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        report = None
        form = BoundaryImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                with uploaded_path(data["file"]) as target:
                    report = import_wijken(
                        zone=request.zone,
                        path=target,
                        name_field=data["name_field"],
                        code_field=data["code_field"],
                        parent_field=data["parent_field"] or None,
                        inhabitants_field=data["inhabitants_field"] or None,
                        valid_from=data["valid_from"],
                        layer=data["layer"] or None,
                    )
            except ImportFailed as exc:
                for message in exc.text.splitlines():
                    form.add_error(None, message)
            else:
                self.message_user(request, report.summary().splitlines()[0], messages.SUCCESS)
        return _import_page(self, request, form=form, report=report, title=_("Import wijk boundaries"))


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
    """Addresses are global reference data: anyone with the permission may look, only superusers change or
    import them (a zone's beheerder must not edit another country's addresses)."""

    list_display = ["street", "house_number", "box", "postcode", "municipality", "source"]
    search_fields = ["search_text"]
    search_help_text = _("Street, number, postcode or place; accents and case do not matter.")
    list_filter = ["country", "source"]
    show_full_result_count = False  # a million rows: do not count them twice per page
    change_list_template = "admin/wijken/address/change_list.html"

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def get_search_results(self, request, queryset, search_term):
        """Normalise the query the way the importer normalised search_text (lower(unaccent())), so that the
        trigram index answers and "Aime" finds "Aimé"."""
        words = search_term.split()
        for word in words:
            queryset = queryset.filter(search_text__contains=RawSQL("lower(unaccent(%s))", (word,)))
        return queryset, False

    def get_urls(self):
        view = self.admin_site.admin_view(self.import_view)
        return [path("import/", view, name="wijken_address_import"), *super().get_urls()]

    def import_view(self, request):
        if not request.user.is_superuser:
            raise PermissionDenied
        report = None
        form = AddressImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                with uploaded_path(data["file"]) as target:
                    report = import_adressen(path=target, source=data["source"], country=data["country"] or None)
            except ImportFailed as exc:
                for message in exc.text.splitlines():
                    form.add_error(None, message)
            else:
                self.message_user(request, report.summary().splitlines()[0], messages.SUCCESS)
        return _import_page(self, request, form=form, report=report, title=_("Import addresses"))
