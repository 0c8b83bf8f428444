"""``{% load collaboration %}``: ``{% discussion record %}`` is a record's comments with the
form to write one, for the page of any registered record (``collaboration.records``); the
comments are a live region of the record's topics, so open pages show a new one at once."""

from django import template

from .. import records, selectors, services
from ..forms import CommentForm

register = template.Library()


@register.inclusion_tag("collaboration/comments/_panel.html", takes_context=True)
def discussion(context, record, form=None):
    user = context.get("user")
    kind = records.kind_of(record)
    comments = list(selectors.comment_list(record=record))
    for comment in comments:
        comment.editable = user is not None and services.comment_may_edit(comment, user)
    topics = list(kind.topics(record))
    return {
        "request": context.get("request"),
        "user": user,
        "csrf_token": context.get("csrf_token"),
        "record": record,
        "record_kind": kind,
        "comments": comments,
        "topic": topics[0] if topics else "",
        "form": form or CommentForm(),
    }
