from django.contrib import admin

from wijken.admin_base import ZoneScopedAdmin, ZoneScopedInline

from .models import DigestRun, Question, Questionnaire, Scan, SectorscanSettings, Theme, ThemeResult


class ReadOnlyWhenPublished:
    """Published questionnaire versions are immutable: answers given under them keep their meaning."""

    def _published(self, obj) -> bool:
        questionnaire = getattr(obj, "questionnaire", None) or getattr(
            getattr(obj, "theme", None), "questionnaire", obj
        )
        return bool(obj is not None and getattr(questionnaire, "published_at", None))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._published(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._published(obj)


class ThemeInline(ReadOnlyWhenPublished, ZoneScopedInline):
    model = Theme
    fields = ["key", "names", "order"]

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not self._published(obj)


@admin.register(Questionnaire)
class QuestionnaireAdmin(ReadOnlyWhenPublished, ZoneScopedAdmin):
    list_display = ["name", "version", "is_active", "published_at", "copied_from"]
    readonly_fields = ["published_at", "is_active", "copied_from", "version"]
    inlines = [ThemeInline]

    def save_model(self, request, obj, form, change):
        if not change and not obj.version:
            from .services import _next_version

            obj.version = _next_version(request.zone)
        super().save_model(request, obj, form, change)


class QuestionInline(ReadOnlyWhenPublished, ZoneScopedInline):
    model = Question
    fields = ["key", "kind", "texts", "order", "higher_is_better", "counts_for_theme_score", "required"]

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not self._published(obj)


@admin.register(Theme)
class ThemeAdmin(ReadOnlyWhenPublished, ZoneScopedAdmin):
    list_display = ["key", "questionnaire", "order"]
    list_filter = ["questionnaire"]
    inlines = [QuestionInline]


class ThemeResultInline(ZoneScopedInline):
    model = ThemeResult
    fields = ["theme_key", "score", "has_problem", "problem_note", "computed_status", "confirmed_status"]
    readonly_fields = ["theme_key", "score", "computed_status"]
    can_delete = False


@admin.register(Scan)
class ScanAdmin(ZoneScopedAdmin):
    list_display = ["date", "contact", "partner", "wijk", "wijkinspecteur", "questionnaire"]
    list_filter = ["wijk"]
    date_hierarchy = "date"
    list_select_related = ["contact", "partner", "wijk", "wijkinspecteur", "questionnaire"]
    readonly_fields = ["questionnaire", "contact", "partner", "wijk", "visit", "wijkinspecteur", "previous", "date"]
    inlines = [ThemeResultInline]

    def has_add_permission(self, request):
        return False  # scans are taken through the scan page or the API, which log the visit


@admin.register(SectorscanSettings)
class SectorscanSettingsAdmin(ZoneScopedAdmin):
    list_display = ["interval_months", "digest_days"]


@admin.register(DigestRun)
class DigestRunAdmin(ZoneScopedAdmin):
    list_display = ["date", "wijkinspecteur", "sent_at", "items"]
    readonly_fields = ["date", "wijkinspecteur", "sent_at", "items"]
