from django.contrib import admin

from core.admin import ReadOnlyInline, ShownOnlyAdmin

from .models import PlannedWork, PlannedWorkEvent


class PlannedWorkEventInline(ReadOnlyInline):
    model = PlannedWorkEvent
    fields = ("at", "actor", "kind", "from_state", "to_state", "reason")
    readonly_fields = fields


@admin.register(PlannedWork)
class PlannedWorkAdmin(ShownOnlyAdmin):
    """Planned work changes only through its approval (the pages and the API); shown here."""

    list_display = ("number", "title", "state", "owning_department", "starts_at", "ends_at", "late")
    list_filter = ("state", "kind", "late", "owning_department", "cities")
    search_fields = ("number", "title", "external_id")
    date_hierarchy = "starts_at"
    inlines = [PlannedWorkEventInline]
