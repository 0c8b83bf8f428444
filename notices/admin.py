from django.contrib import admin

from .models import Broadcast, BroadcastRecipient, NoticeVersion, OptOut, PublicNotice


class NoticeVersionInline(admin.TabularInline):
    model = NoticeVersion
    extra = 0
    can_delete = False
    fields = ["sequence", "kind", "state", "title_zh", "next_update_at", "drafted_by",
              "approved_by", "approved_at"]  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PublicNotice)
class PublicNoticeAdmin(admin.ModelAdmin):
    """Read-only: notices are written and approved on the incident page."""

    list_display = ["incident", "state", "published_at", "resolved_at"]
    list_filter = ["state"]
    search_fields = ["incident__number"]
    readonly_fields = ["incident", "public_id", "state", "business_line", "affected_since",
                       "published_at", "updated_at", "resolved_at", "created_at"]  # fmt: skip
    exclude = ["cities"]
    inlines = [NoticeVersionInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Broadcast)
class BroadcastAdmin(admin.ModelAdmin):
    list_display = ["incident", "state", "rate", "created_by", "created_at", "finished_at"]
    list_filter = ["state"]
    readonly_fields = ["incident", "state", "text", "rate", "created_by", "created_at",
                       "started_by", "started_at", "finished_at"]  # fmt: skip

    def has_add_permission(self, request):
        return False


@admin.register(BroadcastRecipient)
class BroadcastRecipientAdmin(admin.ModelAdmin):
    list_display = ["phone", "broadcast", "state", "sent_at", "error"]
    list_filter = ["state"]
    search_fields = ["phone"]
    readonly_fields = ["broadcast", "phone", "state", "claimed_at", "sent_at", "error"]

    def has_add_permission(self, request):
        return False


@admin.register(OptOut)
class OptOutAdmin(admin.ModelAdmin):
    """The numbers never sent to: those who replied TD, and those an administrator enters."""

    list_display = ["phone", "source", "created_at"]
    list_filter = ["source"]
    search_fields = ["phone"]
    fields = ["phone", "source"]
