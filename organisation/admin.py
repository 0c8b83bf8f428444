from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.admin import APIKeyModelAdmin
from rest_framework_api_key.models import APIKey

from core.display import joined

from .models import ApiKey, ApiKeyScope, City, Department, Profile, Role
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
        return joined(sorted(role_label(group.name) for group in user.groups.all()))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "groups":  # a role's group is named by its code: show its label
            field.label_from_instance = lambda group: role_label(group.name)
        return field


def role_label(name: str) -> str:
    return Role(name).label if name in Role.values else name


class ApiKeyForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("scopes"),
        choices=ApiKeyScope.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "None ticked: department for a key with a department, else intake. A key's "
            "system user acts within these and nothing else."
        ),
    )

    class Meta:
        model = ApiKey
        fields = ("name", "department", "scopes", "expiry_date", "revoked")

    def clean(self):
        data = super().clean()
        department = data.get("department", self.instance.department)
        chosen = set(data.get("scopes") or ()) or set(ApiKeyScope.default_for(department))
        data["scopes"] = [scope for scope in ApiKeyScope.values if scope in chosen]
        return data


@admin.register(ApiKey)
class ApiKeyAdmin(APIKeyModelAdmin):
    form = ApiKeyForm
    list_display = (*APIKeyModelAdmin.list_display, "department", "scope_list", "last_used_at")
    list_filter = ("revoked", "department")
    fields = (
        "name",
        "department",
        "scopes",
        "expiry_date",
        "revoked",
        "prefix",
        "user",
        "last_used_at",
    )
    autocomplete_fields = ("department",)

    @admin.display(description=_("scopes"))
    def scope_list(self, api_key):
        return ", ".join(api_key.scopes)

    def get_readonly_fields(self, request, obj=None):
        readonly = (*super().get_readonly_fields(request, obj), "user", "last_used_at")
        return readonly if obj is None else (*readonly, "department")

    def save_model(self, request, obj, form=None, change=False):
        if change:
            obj.save()
            return
        api_key, raw = api_key_create(name=obj.name, department=obj.department, scopes=obj.scopes)
        if obj.expiry_date:
            api_key.expiry_date = obj.expiry_date
            api_key.save(update_fields=["expiry_date"])
        obj.pk = api_key.pk
        messages.warning(
            request,
            _(
                "The key for %(name)s (scopes: %(scopes)s) is %(key)s. Store it now: it is "
                "not shown again."
            )
            % {"name": api_key.name, "scopes": ", ".join(api_key.scopes), "key": raw},
        )
