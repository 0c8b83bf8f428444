from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from complaints.templatetags.complaint_events import complaint_event_text
from core.admin import ReadOnlyInline, ShownOnlyAdmin

from .models import (
    Complaint,
    ComplaintCooperation,
    ComplaintEvent,
    MassComplaintCluster,
    MassComplaintRule,
    PersonalDataRead,
)


@admin.register(MassComplaintRule)
class MassComplaintRuleAdmin(admin.ModelAdmin):
    """When complaints of one line and city look like a mass event (data)."""

    list_display = ("business_line", "threshold", "window_minutes", "is_active")
    list_filter = ("is_active", "business_line")


class ComplaintCooperationInline(ReadOnlyInline):
    model = ComplaintCooperation
    fields = ("department", "assignment", "created_by", "created_at")
    readonly_fields = fields


class ComplaintEventInline(ReadOnlyInline):
    model = ComplaintEvent
    fields = ("at", "actor", "kind", "change", "reason")
    readonly_fields = fields

    @admin.display(description=_("change"))
    def change(self, event) -> str:
        """What changed, by its labels (the row's codes are for the program)."""
        return complaint_event_text(event)


@admin.register(Complaint)
class ComplaintAdmin(ShownOnlyAdmin):
    """Complaints change only through the workflow; the admin shows them."""

    list_display = ("number", "summary", "state", "department", "city", "created_at")
    list_filter = ("state", "business_line", "channel", "escalation", "severity", "department")
    search_fields = ("number", "summary")
    date_hierarchy = "created_at"
    inlines = [ComplaintCooperationInline, ComplaintEventInline]
    # read on the complaint's page, where the masking rules apply and each read is logged
    exclude = ("customer_name", "customer_phone", "customer_account", "address")

    def get_readonly_fields(self, request, obj=None):
        return [f for f in super().get_readonly_fields(request, obj) if f not in self.exclude]


@admin.register(MassComplaintCluster)
class MassComplaintClusterAdmin(ShownOnlyAdmin):
    list_display = ("detected_at", "city", "business_line", "incident", "dismissed_at")
    list_filter = ("business_line", "city")
    raw_id_fields = ("complaints",)


@admin.register(PersonalDataRead)
class PersonalDataReadAdmin(ShownOnlyAdmin):
    """Who read a customer's full phone number or account (the privacy log)."""

    list_display = ("at", "user", "complaint", "where")
    list_filter = ("where",)
    search_fields = ("complaint__number", "user__username")
    date_hierarchy = "at"
