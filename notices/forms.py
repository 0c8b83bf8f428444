from django import forms
from django.utils.translation import gettext_lazy as _

from core.limits import MomentField


class NoticeTextForm(forms.Form):
    title_zh = forms.CharField(label=_("Title (Chinese)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English, optional)"), max_length=200, required=False)
    text_zh = forms.CharField(label=_("Text (Chinese)"), widget=forms.Textarea(attrs={"rows": 4}))
    text_en = forms.CharField(
        label=_("Text (English, optional)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    next_update_at = MomentField(label=_("Next update by"))


class NoticeResolveForm(forms.Form):
    title_zh = forms.CharField(label=_("Title (Chinese)"), max_length=200, required=False)
    title_en = forms.CharField(label=_("Title (English, optional)"), max_length=200, required=False)
    text_zh = forms.CharField(
        label=_("Final text (Chinese)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Left empty, the standard text says the service is back."),
    )
    text_en = forms.CharField(
        label=_("Final text (English, optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class BroadcastForm(forms.Form):
    file = forms.FileField(
        label=_("Customer list (CSV)"),
        required=False,
        help_text=_("One mobile number a row, or a column headed phone or 手机号."),
    )
    phones = forms.CharField(
        label=_("Or mobile numbers, one a line"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    rate = forms.IntegerField(label=_("Messages a second"), min_value=1, required=False)

    def clean(self):
        data = super().clean()
        if not data.get("file") and not (data.get("phones") or "").strip():
            raise forms.ValidationError(_("Upload a CSV file or enter the numbers."))
        return data
