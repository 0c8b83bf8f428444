"""The form that attaches files to a record (one or several at once)."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

#: what the file picker offers first (the server decides by the bytes, not by these)
ACCEPT = ".pdf,.png,.jpg,.jpeg,.gif,.webp,.docx,.xlsx,.pptx,.doc,.xls,.txt,.csv,.zip"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            if not data:
                return [single(None, initial)]
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class AttachmentForm(forms.Form):
    files = MultipleFileField(
        label=_("Files"),
        widget=MultipleFileInput(attrs={"accept": ACCEPT}),
        max_length=10_000,  # the column keeps the first 255 characters of a longer name
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django.template.defaultfilters import filesizeformat

        self.fields["files"].help_text = _(
            "PDF, pictures, Word, Excel, PowerPoint, text, CSV or ZIP; at most %(limit)s each."
        ) % {"limit": filesizeformat(settings.ATTACHMENT_MAX_BYTES).replace("\xa0", " ")}
