from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet

from .models import Circuit, Delivery, DeliveryState, Notification


def notification_unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_latest_unread(user) -> Mapping[str, Any] | None:
    """The newest unread notification's id and subject."""
    return (
        Notification.objects.filter(recipient=user, read_at__isnull=True)
        .order_by("-created_at", "-id")
        .values("id", "subject")
        .first()
    )


def notification_list(user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def deliveries_status() -> dict[str, str]:
    """What /healthz says of the outbox: undeliverable messages (retried until their
    horizon; a person re-drives them in the admin) and channels paused by their circuit."""
    from django.utils import timezone

    status = {}
    dead = Delivery.objects.filter(state=DeliveryState.DEAD).count()
    status["undeliverable"] = (
        f"warning: {dead} undeliverable, re-drive them in the admin once the channel works"
        if dead
        else "ok"
    )
    paused = Circuit.objects.filter(open_until__gt=timezone.now()).values_list("key", flat=True)
    status["paused_channels"] = f"warning: {', '.join(paused)}" if paused else "ok"
    return status
