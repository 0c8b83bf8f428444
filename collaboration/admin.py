from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import ShownOnlyAdmin

from . import records
from .models import Attachment, Comment, CommentRevision


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


class CommentRevisionInline(admin.TabularInline):
    model = CommentRevision
    extra = 0
    can_delete = False
    fields = ["replaced_at", "body"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class RecordKindFilter(admin.SimpleListFilter):
    title = _("record kind")
    parameter_name = "record_kind"

    def lookups(self, request, model_admin):
        return [(kind.code, kind.label) for kind in records.kinds()]

    def queryset(self, request, queryset):
        return queryset.filter(record_kind=self.value()) if self.value() else queryset


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """Read only: a comment is part of its record's history, never changed nor deleted here."""

    list_display = ["created_at", "record", "author", "excerpt", "edited_at"]
    list_filter = [RecordKindFilter, "created_at"]
    search_fields = ["body", "author__username", "author__first_name", "author__last_name"]
    date_hierarchy = "created_at"
    list_select_related = ["author"]
    fields = ["record", "author", "body", "mentioned", "created_at", "edited_at"]
    readonly_fields = fields
    inlines = [CommentRevisionInline]

    @admin.display(description=_("commented on"))
    def record(self, comment):
        try:
            kind = records.kind(comment.record_kind)
        except LookupError:
            return f"{comment.record_kind} {comment.record_id}"
        found = kind.model._default_manager.filter(pk=comment.record_id).first()
        return f"{kind.label}: {found}" if found else f"{kind.label} {comment.record_id}"

    @admin.display(description=_("text"))
    def excerpt(self, comment):
        return comment.body[:80]

    @admin.display(description=_("mentioned"))
    def mentioned(self, comment):
        return ", ".join(person.username for person in comment.mentions.all())

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
