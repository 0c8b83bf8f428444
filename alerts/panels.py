"""What alerts show on the incident's page: the alert messages that could not be delivered
(retried for their whole horizon), so the people handling it know who was not reached and
phone them, while an administrator re-drives the messages."""

from django.template.loader import render_to_string

from incidents.models import Incident
from notifications.models import Delivery, DeliveryState

from .selectors import alert_list


def undeliverable_panel(request, record) -> str:
    if not isinstance(record, Incident):
        return ""
    keys = [
        f"alert:{pk}"
        for pk in alert_list(user=request.user).filter(incident=record).values_list("pk", flat=True)
    ]
    if not keys:
        return ""
    undelivered = list(
        Delivery.objects.filter(notification__dedupe_key__in=keys, state=DeliveryState.DEAD)
        .select_related("notification__recipient__profile")
        .order_by("notification__recipient__username", "channel")
    )
    if not undelivered:
        return ""
    return render_to_string(
        "alerts/_undeliverable.html",
        {
            "deliveries": undelivered,
            "can_redrive": request.user.has_perm("notifications.change_delivery"),
        },
        request=request,
    )
