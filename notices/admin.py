from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Broadcast, BroadcastRecipient, NoticeVersion, OptOut, PublicNotice
from .phones import phone_normalise
from .services import opt_out_record


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


class OptOutForm(forms.ModelForm):
    phone = forms.CharField(label=_("mobile number"), max_length=40)

    class Meta:
        model = OptOut
        fields = ["phone", "source"]

    def clean_phone(self):
        phone = phone_normalise(self.cleaned_data["phone"])
        if phone is None:
            raise forms.ValidationError(_("Not a mobile number."))
        return phone


@admin.register(OptOut)
class OptOutAdmin(admin.ModelAdmin):
    """The numbers never sent to: those who replied TD, and those an administrator enters.
    A number entered here stops the queued messages to it, as a reply does."""

    form = OptOutForm
    list_display = ["phone", "source", "created_at"]
    list_filter = ["source"]
    search_fields = ["phone"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        opt_out_record(phone=obj.phone, source=OptOut.Source.ADMIN)
