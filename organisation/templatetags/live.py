"""Regions of a page that are read again when what they show changes (``core.live``).

``{% live "incident" incident.pk %}`` marks a region (an element with an ``id``) with the
topic ``incident:12`` and grants the page that topic; ``{% live_scope "complaints" %}`` the
topic of a list as the viewer sees it (everything, or their department's records);
``{% live_script %}`` at the end of the page opens the page's stream of the topics granted."""

from urllib.parse import urlencode

from django import template
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html

from core import live as core_live

from ..live import scope_topic

register = template.Library()


def _granted(context) -> set[str]:
    request = context.get("request")
    if request is None:
        return set()
    if not hasattr(request, "live_topics"):
        request.live_topics = set()
    return request.live_topics


def _mark(context, topics: list[str]) -> str:
    topics = [topic for topic in topics if topic]
    _granted(context).update(topics)
    return format_html(' data-live="{}"', " ".join(topics)) if topics else ""


@register.simple_tag(takes_context=True)
def live(context, *parts) -> str:
    """` data-live="<parts joined by :>"` (``"user", user.pk`` → ``user:5``)."""
    return _mark(context, [":".join(str(part) for part in parts)])


@register.simple_tag(takes_context=True)
def live_scope(context, *kinds: str) -> str:
    """A list's topics as the viewer sees it: ``complaints``, or
    ``complaints:department:3``; nothing for someone who sees none."""
    user = context.get("user")
    return _mark(context, [scope_topic(user, kind) for kind in kinds])


@register.simple_tag(takes_context=True)
def live_script(context) -> str:
    """The page's live-update script, with its signed grant and the log's position."""
    request, user = context.get("request"), context.get("user")
    topics = _granted(context)
    if request is None or user is None or not user.is_authenticated or not topics:
        return ""
    query = urlencode(
        {"t": core_live.token(user.pk, topics), "since": core_live.backend().page_position()}
    )
    return format_html(
        '<script src="{}" data-live-url="{}" data-user="{}" defer></script>',
        static("js/live.js"),
        f"{reverse('live')}?{query}",
        user.pk,
    )
