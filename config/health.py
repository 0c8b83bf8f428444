"""`GET /healthz`: is the database reachable, is the broker reachable, which beat sends the
periodic tasks. No auth, no secrets."""

from django.db import connection
from django.http import JsonResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.celery import app as celery_app


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any failure means "down"
        return f"error: {type(error).__name__}"
    return "ok"


def _broker() -> str:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as error:
        return f"error: {type(error).__name__}"
    return "ok"


def _calendar(request) -> dict[str, str]:
    """The calendar's years; one it does not know names the admin page where it is entered."""
    from deadlines.services import calendar_status

    try:
        status = calendar_status()
    except Exception as error:
        return {"error": type(error).__name__}
    for year, state in status.items():
        if year.isdigit() and state.startswith(("error", "warning")):
            url = reverse("admin:deadlines_calendaryear_add")
            status[year] = f"{state} Admin page: {request.build_absolute_uri(url)}?year={year}"
    return status


def _deliveries() -> dict[str, str]:
    from notifications.selectors import deliveries_status

    try:
        return deliveries_status()
    except Exception as error:
        return {"error": type(error).__name__}


def _beat() -> dict[str, str]:
    """Which Celery beat holds the lease (``core.beat``) and whether it is current."""
    from core.beat import beat_status

    try:
        return beat_status()
    except Exception as error:
        return {"state": f"warning: {type(error).__name__}"}


@never_cache
@require_GET
def healthz(request):
    """200 when the database and the broker answer and the working-day calendar knows this
    year; 503 otherwise. Next year missing from the calendar, undeliverable messages and
    paused channels are reported as warnings (the platform itself works).

    So is a beat whose lease lapsed, or no beat at all: a warning, never the 503. This answer
    is the web process's own health (docker-compose's health check of ``web``, a load
    balancer's), and the web serves well without beat: a 503 would take the web servers out
    of service, which brings no beat back, and compose starts beat only once web is healthy,
    so a beat that never ran could never start. A takeover also lapses the lease for a few
    seconds by design. Monitoring reads ``beat.state``."""
    checks = {"database": _database(), "broker": _broker()}
    calendar = _calendar(request) if checks["database"] == "ok" else {}
    deliveries = _deliveries() if checks["database"] == "ok" else {}
    beat = _beat() if checks["database"] == "ok" else {}
    healthy = all(state == "ok" for state in checks.values()) and not any(
        value.startswith("error") for value in calendar.values()
    )
    return JsonResponse(
        {
            "status": "ok" if healthy else "degraded",
            **checks,
            "calendar": calendar,
            "deliveries": deliveries,
            "beat": beat,
        },
        status=200 if healthy else 503,
    )
