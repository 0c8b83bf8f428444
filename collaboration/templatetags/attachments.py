"""``{% attachments_panel record %}``: a record's files and the form to attach more, on the
page of the record (an incident, a complaint, a violation) or beside a part of it (an
action item, a submission: ``compact=True``)."""

from django import template

from ..attachment_forms import AttachmentForm
from ..attachment_selectors import attachment_list
from ..attachment_views import panel_id
from ..records import kind_of

register = template.Library()


@register.inclusion_tag("collaboration/attachments/_panel.html", takes_context=True)
def attachments_panel(context, record, compact=False, title=None):
    record_kind = kind_of(record)
    return {
        "request": context.get("request"),
        "user": context.get("user"),
        "csrf_token": context.get("csrf_token"),
        "record": record,
        "kind": record_kind.code,
        "topic": next(iter(record_kind.topics(record)), ""),
        "panel_id": panel_id(record),
        "attachments": attachment_list(record=record),
        "form": AttachmentForm(auto_id=f"{panel_id(record)}-%s"),
        "compact": compact,
        "title": title,
    }
