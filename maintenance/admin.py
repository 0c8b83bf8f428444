from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyInline, ShownOnlyAdmin

from .models import PlannedWork, PlannedWorkEvent, PlannedWorkState


class PlannedWorkEventInline(ReadOnlyInline):
    model = PlannedWorkEvent
    fields = ("at", "actor", "kind", "change", "reason")
    readonly_fields = fields

    @admin.display(description=_("change"))
    def change(self, event) -> str:
        """The states by their labels (the row's codes are for the program)."""
        if not event.from_state:
            return ""
        states = dict(PlannedWorkState.choices)
        return f"{states.get(event.from_state, '')} → {states.get(event.to_state, '')}"


@admin.register(PlannedWork)
class PlannedWorkAdmin(ShownOnlyAdmin):
    """Planned work changes only through its approval (the pages and the API); shown here."""

    list_display = ("number", "title", "state", "owning_department", "starts_at", "ends_at", "late")
    list_filter = ("state", "kind", "late", "owning_department", "cities")
    search_fields = ("number", "title", "external_id")
    date_hierarchy = "starts_at"
    inlines = [PlannedWorkEventInline]
