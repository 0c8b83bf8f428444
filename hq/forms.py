from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import ReportKind
from .reports import section_label


class ReportPrepareForm(forms.Form):
    kind = forms.ChoiceField(label=_("Report"), choices=ReportKind.choices)


class ReportEditForm(forms.Form):
    """The report's title and one text box per section, in the report's order."""

    title = forms.CharField(label=_("Title"), max_length=200)

    def __init__(self, *args, report, **kwargs):
        initial = {"title": report.title}
        for section in report.sections:
            initial[f"section_{section['key']}"] = section["text"]
        super().__init__(*args, initial=initial, **kwargs)
        self.keys = [section["key"] for section in report.sections]
        for key in self.keys:
            self.fields[f"section_{key}"] = forms.CharField(
                label=section_label(key),
                required=False,
                max_length=20000,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def sections(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(f"section_{key}", "") for key in self.keys}
