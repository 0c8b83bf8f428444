from django.contrib import admin

from core.admin import ReadOnlyInline, ShownOnlyAdmin

from .models import HqWarning, Report, ReportDelivery, ReportRecipient


@admin.register(ReportRecipient)
class ReportRecipientAdmin(admin.ModelAdmin):
    list_display = ["kind", "name", "email", "endpoint", "is_active"]
    list_filter = ["kind", "is_active"]
    list_editable = ["is_active"]
    search_fields = ["name", "email"]


@admin.register(HqWarning)
class HqWarningAdmin(ShownOnlyAdmin):
    list_display = ["reference", "level", "title", "sent_at", "received_at", "intake", "incident"]
    list_filter = ["level", "intake"]
    search_fields = ["reference", "title"]
    exclude = ["raw", "attachment"]  # binary: the incident page shows them

    def get_readonly_fields(self, request, obj=None):
        return [f for f in super().get_readonly_fields(request, obj) if f not in self.exclude]


class DeliveryInline(ReadOnlyInline):
    model = ReportDelivery
    exclude = ["endpoint"]


@admin.register(Report)
class ReportAdmin(ShownOnlyAdmin):
    list_display = ["incident", "kind", "state", "prepared_at", "approved_at", "sent_at"]
    list_filter = ["kind", "state"]
    search_fields = ["incident__number", "title"]
    inlines = [DeliveryInline]
