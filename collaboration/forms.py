from django import forms
from django.utils.translation import gettext_lazy as _

from .models import COMMENT_MAX_LENGTH


class CommentForm(forms.Form):
    prefix = "comment"  # one form among several on a record's page

    body = forms.CharField(
        label=_("Comment"),
        max_length=COMMENT_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3, "data-comment-box": ""}),
        help_text=_("Plain text. Mention someone with @ and their username to notify them."),
    )
