from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import ChannelPreference, Circuit, Delivery, Endpoint, Notification, SmsGateway
from .services import deliveries_redrive


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
    """The outbox. Undeliverable rows (retried until their horizon) are here for a person to
    see and re-drive, one by one or all those of an outage at once."""

    list_display = ("created_at", "channel", "address", "event", "state", "attempts", "give_up_at")
    list_filter = ("state", "channel", "event")
    search_fields = ("address", "dedupe_key", "subject")
    # the payload is the program's (a robot's JSON, the keys of a message); the subject,
    # body and link say what was sent
    exclude = ("payload",)
    readonly_fields = [f.name for f in Delivery._meta.fields if f.name != "payload"]
    actions = ["redrive"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Re-drive the selected undeliverable deliveries"))
    def redrive(self, request, queryset):
        count = deliveries_redrive(delivery_ids=queryset.values_list("pk", flat=True))
        self.message_user(request, _("%(count)d deliveries will be retried.") % {"count": count})


@admin.register(Circuit)
class CircuitAdmin(admin.ModelAdmin):
    """Channels paused after failing again and again; they reopen by themselves."""

    list_display = ("key", "failures", "open_until", "last_error", "updated_at")
    readonly_fields = [f.name for f in Circuit._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    list_display = ("name", "channel", "url", "is_active")
    list_filter = ("channel", "is_active")


@admin.register(SmsGateway)
class SmsGatewayAdmin(admin.ModelAdmin):
    list_display = ("name", "backend", "url", "batch_size", "is_active")


@admin.register(ChannelPreference)
class ChannelPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "channel", "enabled")
    list_filter = ("channel", "enabled")
    search_fields = ("user__username",)
