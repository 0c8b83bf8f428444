from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.admin import APIKeyModelAdmin
from rest_framework_api_key.models import APIKey

from .models import ApiKey, City, Department, Profile
from .services import api_key_create

# Our ApiKey (with its system user and department) replaces the library's bare model.
admin.site.unregister(APIKey)


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "name_en")
    search_fields = ("code", "name_zh", "name_en")


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name_zh",
        "name_en",
        "kind",
        "city",
        "parent",
        "manages_business",
        "sees_all_records",
        "is_active",
    )
    list_filter = ("kind", "manages_business", "sees_all_records", "is_active")
    search_fields = ("code", "name_zh", "name_en")
    autocomplete_fields = ("parent", "city")


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    fk_name = "user"
    autocomplete_fields = ("department", "superior")


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = (ProfileInline,)
    list_display = (
        "username",
        "profile_name",
        "profile_department",
        "roles",
        "is_active",
        "last_login",
    )
    list_filter = ("is_active", "is_staff", "groups", "profile__department__kind")
    search_fields = ("username", "email", "profile__full_name", "profile__mobile")
    list_select_related = ("profile__department",)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("full name"), ordering="profile__full_name")
    def profile_name(self, user):
        return getattr(getattr(user, "profile", None), "full_name", "")

    @admin.display(description=_("department"), ordering="profile__department__code")
    def profile_department(self, user):
        profile = getattr(user, "profile", None)
        return profile.department if profile else None

    @admin.display(description=_("roles"))
    def roles(self, user):
        return ", ".join(sorted(group.name for group in user.groups.all()))


@admin.register(ApiKey)
class ApiKeyAdmin(APIKeyModelAdmin):
    list_display = (*APIKeyModelAdmin.list_display, "department", "last_used_at")
    list_filter = ("revoked", "department")
    fields = ("name", "department", "expiry_date", "revoked", "prefix", "user", "last_used_at")
    autocomplete_fields = ("department",)

    def get_readonly_fields(self, request, obj=None):
        readonly = (*super().get_readonly_fields(request, obj), "user", "last_used_at")
        return readonly if obj is None else (*readonly, "department")

    def save_model(self, request, obj, form=None, change=False):
        if change:
            obj.save()
            return
        api_key, raw = api_key_create(name=obj.name, department=obj.department)
        if obj.expiry_date:
            api_key.expiry_date = obj.expiry_date
            api_key.save(update_fields=["expiry_date"])
        obj.pk = api_key.pk
        messages.warning(
            request,
            _("The key for %(name)s is %(key)s. Store it now: it is not shown again.")
            % {"name": api_key.name, "key": raw},
        )
