from django.contrib import admin

from core.admin import ShownOnlyAdmin

from .models import Attachment


@admin.register(Attachment)
class AttachmentAdmin(ShownOnlyAdmin):
    """Attachments as uploaded: shown, never changed or deleted here (part of the record's
    history); the file itself is read from the record's page."""

    list_display = (
        "name",
        "record_kind",
        "record_id",
        "content_type",
        "size",
        "uploaded_by",
        "uploaded_at",
    )
    list_filter = ("record_kind", "content_type")
    search_fields = ("name", "sha256")
    date_hierarchy = "uploaded_at"
    list_select_related = ("uploaded_by",)
