from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import ChannelPreference, Delivery, DeliveryState, Endpoint, Notification, SmsGateway


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "recipient", "kind", "subject", "read_at")
    list_filter = ("kind",)
    search_fields = ("subject", "recipient__username", "dedupe_key")
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """The outbox. Failed rows (after every retry) are here for a person to see and retry."""

    list_display = ("created_at", "channel", "address", "event", "state", "attempts", "last_error")
    list_filter = ("state", "channel", "event")
    search_fields = ("address", "dedupe_key", "subject")
    readonly_fields = [f.name for f in Delivery._meta.fields]
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Retry the selected deliveries"))
    def retry(self, request, queryset):
        from django.utils import timezone

        count = queryset.filter(state=DeliveryState.FAILED).update(
            state=DeliveryState.PENDING, next_attempt_at=timezone.now(), attempts=0
        )
        self.message_user(request, _("%(count)d deliveries will be retried.") % {"count": count})


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    list_display = ("name", "channel", "url", "is_active")
    list_filter = ("channel", "is_active")


@admin.register(SmsGateway)
class SmsGatewayAdmin(admin.ModelAdmin):
    list_display = ("name", "backend", "url", "is_active")


@admin.register(ChannelPreference)
class ChannelPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "channel", "enabled")
    list_filter = ("channel", "enabled")
    search_fields = ("user__username",)
