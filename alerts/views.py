"""Alert pages: the interface person's inbox, the alert with every recipient's delivery,
phone and acknowledgment, and the one-click acknowledgment link."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from core.actions import run_or_tell
from core.errors import Conflict
from deadlines.models import Deadline
from incidents.choices import Level
from incidents.forms import RecordFilterForm
from incidents.selectors import incident_scope
from incidents.workflow import is_cs_department
from notifications.models import Delivery

from . import services
from .models import AckChannel, AlertRecipient
from .selectors import (
    ack_statuses,
    alert_list,
    alert_recipients,
    inbox_list,
    inbox_unacknowledged_count,
    waiting_list,
)


def _ack_deadlines(recipients) -> dict[int, Deadline]:
    """The running acknowledgment limit of each recipient (for the countdowns)."""
    content_type = ContentType.objects.get_for_model(AlertRecipient)
    deadlines = Deadline.objects.filter(
        content_type=content_type,
        object_id__in=[r.pk for r in recipients],
        kind__in=[services.ACK_KIND, services.ESCALATED_KIND],
    ).order_by("created_at")
    return {d.object_id: d for d in deadlines}  # the later (escalated) one wins


@login_required
def inbox(request):
    """The person's alerts, each as it stands: to acknowledge within a limit, missed and
    escalated, acknowledged, or no longer needing it (the incident was cancelled or closed)."""
    page = Paginator(inbox_list(user=request.user), 30).get_page(request.GET.get("page"))
    rows = ack_statuses(page.object_list)
    unacknowledged = inbox_unacknowledged_count(user=request.user)
    return render(
        request, "alerts/inbox.html", {"page": page, "rows": rows, "unacknowledged": unacknowledged}
    )


class WaitingFilterForm(RecordFilterForm):
    level = forms.ChoiceField(
        label=_("Level"), choices=[("", _("Any level")), *Level.choices], required=False
    )
    acknowledged = forms.BooleanField(label=_("Acknowledged in the period"), required=False)
    field_order = ["level", "business_line", "department", "city", "acknowledged"]


@login_required
def waiting(request):
    """Who has not acknowledged yet, longest waiting first (the dashboards' drill-down)."""
    form = WaitingFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    page = Paginator(waiting_list(user=request.user, data=data), 50).get_page(
        request.GET.get("page")
    )
    deadlines = _ack_deadlines(page.object_list)
    rows = [(recipient, deadlines.get(recipient.pk)) for recipient in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "alerts/waiting.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "acknowledged": data.get("acknowledged"),
            "query": query.urlencode(),
        },
    )


@login_required
def alert_index(request):
    page = Paginator(alert_list(user=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "alerts/list.html", {"page": page})


@login_required
def alert_detail(request, pk):
    alert = get_object_or_404(alert_list(user=request.user), pk=pk)
    recipients = list(alert_recipients(alert))
    deliveries: dict[int, list[Delivery]] = {}
    for delivery in Delivery.objects.filter(
        notification__dedupe_key=f"alert:{alert.pk}"
    ).select_related("notification"):
        deliveries.setdefault(delivery.notification.recipient_id, []).append(delivery)
    statuses = ack_statuses(recipients)
    rows = [(s.recipient, deliveries.get(s.recipient.user_id, []), s) for s in statuses]
    mine = next((s for s in statuses if s.recipient.user_id == request.user.pk), None)
    return render(
        request,
        "alerts/detail.html",
        {
            "alert": alert,
            "rows": rows,
            "not_phoned": sum(1 for r in recipients if r.phoned_at is None),
            "not_acknowledged": sum(1 for r in recipients if r.acknowledged_at is None),
            "can_phone": is_cs_department(alert.incident, request.user),
            "mine": mine.recipient if mine and mine.can_acknowledge else None,
            # the alert reaches departments that do not handle the incident: no dead link
            "can_open_incident": incident_scope(request.user).filter(pk=alert.incident_id).exists(),
        },
    )


@login_required
@require_POST
def acknowledge(request, pk):
    recipient = get_object_or_404(AlertRecipient, pk=pk, user=request.user)
    # a form from before the incident was cancelled or closed: told why, nothing changes
    if run_or_tell(
        request,
        lambda: services.alert_acknowledge(
            recipient_id=recipient.pk, actor=request.user, via=AckChannel.INBOX
        ),
    ):
        messages.success(
            request, _("Acknowledged: %(number)s.") % {"number": recipient.incident.number}
        )
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("alerts:inbox")  # never to another site


@login_required
@require_POST
def record_phone(request, pk):
    recipient = get_object_or_404(AlertRecipient, pk=pk)
    # Someone who may not see the alert learns nothing of it, not even which alert it is.
    if not alert_list(user=request.user).filter(pk=recipient.latest_alert_id).exists():
        raise Http404
    # refused (not the CS department): the 403 page says who records the calls
    services.alert_record_phone(recipient_id=recipient.pk, actor=request.user)
    return redirect("alerts:detail", pk=recipient.latest_alert_id)


def acknowledge_by_link(request, token):
    """The link of an email or SMS: no login needed for this one action. GET shows what will
    be acknowledged (mail scanners that open links change nothing); the button POSTs. A link
    that is not valid, has expired or has been spent shows nothing of the alert."""
    try:
        recipient = services.ack_link_recipient(token=token)
    except ValidationError as error:
        return _ack_link_refused(request, error)
    if request.method == "POST":
        try:
            recipient = services.alert_acknowledge_by_link(token=token)
        except ValidationError as error:
            return _ack_link_refused(request, error)
        except Conflict as error:  # the incident ended since the link was sent
            return render(request, "alerts/ack_link.html", {"error": error.message}, status=409)
        return render(request, "alerts/ack_link.html", {"recipient": recipient, "done": True})
    return render(request, "alerts/ack_link.html", {"recipient": recipient})


def _ack_link_refused(request, error: ValidationError):
    return render(request, "alerts/ack_link.html", {"error": " ".join(error.messages)}, status=400)
