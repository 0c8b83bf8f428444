"""The status page's JSON feed (``/status/feed.json``, documented in docs/status-feed.md):
the public texts in both languages and the facts the page shows, nothing internal (no
incident number, department or person)."""

from django.conf import settings
from django.utils import timezone, translation

from incidents.choices import BusinessLine

from .selectors import PublicView

FEED_VERSION = 1


def _both(label_of) -> dict[str, str]:
    with translation.override("zh-hans"):
        zh = str(label_of())
    with translation.override("en"):
        en = str(label_of())
    return {"zh": zh, "en": en}


def _iso(value) -> str | None:
    """ISO 8601 with the operator's offset (+08:00), as the pages show the time."""
    return timezone.localtime(value).isoformat() if value else None


def feed_item(request, view: PublicView) -> dict:
    notice, current = view.notice, view.current
    line = notice.business_line
    return {
        "id": str(notice.public_id),
        "url": request.build_absolute_uri(notice.public_url),
        "status": "resolved" if view.resolved else "ongoing",
        "title": {"zh": current.title_zh, "en": current.title_en or current.title_zh},
        "text": {"zh": current.text_zh, "en": current.text_en or current.text_zh},
        "service": (
            {"code": line, "name": _both(lambda: BusinessLine(line).label)} if line else None
        ),
        "cities": [
            {"code": city.code, "name": {"zh": city.name_zh, "en": city.name_en}}
            for city in notice.cities.all()
        ],
        "since": _iso(notice.affected_since),
        "published_at": _iso(notice.published_at),
        "updated_at": _iso(current.approved_at),
        "next_update_by": None if view.resolved else _iso(current.next_update_at),
        "resolved_at": _iso(notice.resolved_at),
        "updates": [
            {
                "at": _iso(version.approved_at),
                "title": {"zh": version.title_zh, "en": version.title_en or version.title_zh},
                "text": {"zh": version.text_zh, "en": version.text_en or version.text_zh},
            }
            for version in view.history
        ],
    }


def feed_document(request, current: list[PublicView], resolved: list[PublicView]) -> dict:
    return {
        "version": FEED_VERSION,
        "generated_at": _iso(timezone.now()),
        "resolved_days": settings.STATUS_RESOLVED_DAYS,
        "notices": [feed_item(request, view) for view in [*current, *resolved]],
    }
