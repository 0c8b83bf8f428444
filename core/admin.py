"""Admin plumbing: records that change only through their workflow are shown, not edited."""

from django.contrib import admin

from .models import SavedView


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ShownOnlyAdmin(admin.ModelAdmin):
    """A record the workflow writes: every field read-only, neither added nor deleted here."""

    def get_readonly_fields(self, request, obj=None):
        fields = [field.name for field in self.model._meta.fields]
        return fields + [field.name for field in self.model._meta.many_to_many]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SavedView)
class SavedViewAdmin(admin.ModelAdmin):
    list_display = ["name", "list_name", "user", "query", "created_at"]
    list_filter = ["list_name"]
    search_fields = ["name", "user__username", "user__profile__full_name"]
    raw_id_fields = ["user"]
    readonly_fields = ["created_at"]
