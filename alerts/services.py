"""Publishing alerts, acknowledging them, recording phone calls (seed 000 第九条).

Runs inside the incident's transaction (the receivers of its signals call it), so the alert,
its recipients, their acknowledgment deadlines and the outbox rows of every message commit
together with the transition that published it."""

import secrets
from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.display import joined
from core.errors import Conflict
from core.live import publish, user_topic
from deadlines.models import Deadline, DeadlinePolicy
from deadlines.services import (
    deadline_cancel,
    deadline_meet,
    deadlines_open_many,
)
from incidents.choices import Level, State
from incidents.models import Incident
from incidents.selectors import incident_counts, incident_submissions_latest
from incidents.workflow import is_cs_department, is_owner
from notifications.models import Channel
from notifications.services import (
    Message,
    broadcast,
    deliveries_batched,
    notifications_build,
    notifications_build_many,
    notifications_store,
    notifications_withdraw,
)
from organisation.models import Role
from organisation.selectors import group_head

from .models import ACK_KIND, ESCALATED_KIND, AckChannel, Alert, AlertRecipient
from .selectors import alert_audience

LINK_SALT = "alerts.acknowledge"


def _content(incident: Incident) -> dict:
    """What an alert says (seed 000 第八条(三)): level, time, scope, customers affected, what
    happened, complaint volume and main issues, cause (may be empty), current handling."""
    counts = incident_counts(incident)
    submissions = incident_submissions_latest(incident)
    root_cause = submissions.get("root_cause")
    explanation = submissions.get("explanation")
    return {
        "number": incident.number,
        "title": incident.title,
        "level": incident.level,
        "occurred_at": incident.occurred_at.isoformat(),
        "cities": [city.name_zh for city in incident.cities.order_by("pk")],
        "customers_affected": incident.customers_affected,
        "what_happened": incident.description or incident.title,
        "complaints_today": counts["complaints_today"],
        "escalated_this_week": counts["escalated_this_week"],
        "main_issues": "",
        "cause": root_cause.content.get("root_cause", "") if root_cause else "",
        "handling": explanation.content.get("text", "") if explanation else "",
        "owning_department": incident.owning_department.name_zh,
        "state": incident.state,
    }


def ack_link(recipient: AlertRecipient) -> str:
    """A one-click link that acknowledges as ``recipient``: signed, expiring, single use."""
    token = signing.dumps({"r": recipient.pk, "n": recipient.link_nonce}, salt=LINK_SALT)
    return settings.SITE_URL.rstrip("/") + reverse("alerts:ack", kwargs={"token": token})


def alert_publish(*, incident: Incident, actor: User | None) -> Alert:
    """Publish the incident's warning to its distribution list (表-4). A later publication
    (an upgrade) reaches the people the wider list adds and updates those already reached."""
    previous = incident.alerts.order_by("-sequence").first()
    alert = Alert.objects.create(
        incident=incident,
        sequence=(previous.sequence + 1) if previous else 1,
        level=incident.level,
        is_upgrade=previous is not None,
        content=_content(incident),
        published_by=actor,
    )
    with deliveries_batched():  # every recipient's messages reach the workers in batches
        _alert_send(alert, incident)
    return alert


def _alert_send(alert: Alert, incident: Incident) -> None:
    """Reach the distribution list, as a set: the new recipients and their acknowledgment
    limits written together, the message rendered once per language for them all and each
    person's own one-click link put into their copy, then every message stored and handed
    to the outbox at once."""
    policy = DeadlinePolicy.objects.filter(code=ACK_KIND, is_active=True).first()
    reached = {r.user_id: r for r in AlertRecipient.objects.filter(incident=incident)}
    fresh, upgraded = [], []
    for user, department, audience in alert_audience(incident).values():
        recipient = reached.get(user.pk)
        if recipient is None:
            fresh.append(
                AlertRecipient(
                    incident=incident,
                    user=user,
                    department=department,
                    audience=audience,
                    first_alert=alert,
                    latest_alert=alert,
                    link_nonce=secrets.token_hex(8),
                )
            )
        else:
            recipient.user, recipient.latest_alert = user, alert
            upgraded.append(recipient)
    AlertRecipient.objects.bulk_create(fresh)
    AlertRecipient.objects.bulk_update(upgraded, ["latest_alert"])
    if policy is not None:
        deadlines_open_many([(r, policy, alert.published_at, r.department, r.user) for r in fresh])
    link = alert.get_absolute_url()
    marker = f"[ack-{secrets.token_hex(8)}]"  # where each person's link goes
    audiences: dict[tuple[str, bool], list[User]] = {}
    for recipients, template in (
        (fresh, "alerts/messages/published.txt"),
        (upgraded, "alerts/messages/upgraded.txt"),
    ):
        for recipient in recipients:
            acknowledged = recipient.acknowledged_at is not None
            audiences.setdefault((template, acknowledged), []).append(recipient.user)
    messages = notifications_build_many(
        Message(
            recipients=users,
            kind="alert.published",
            template=template,
            context=_message_context(alert, acknowledged=acknowledged, ack_link=marker),
            link=link,
            dedupe_key=f"alert:{alert.pk}",
        )
        for (template, acknowledged), users in audiences.items()
    )
    links = {recipient.user_id: ack_link(recipient) for recipient in fresh + upgraded}
    for message in messages:  # the link is in the body (the subject is the title)
        message.body = message.body.replace(marker, links[message.recipient_id])
    notifications_store(messages, channels=(Channel.EMAIL, Channel.SMS))
    content = alert.content
    broadcast(
        event="alert.published",
        dedupe_key=f"alert:{alert.pk}",
        subject=f"【{Level(alert.level).label}】{content['number']} {content['title']}",
        body=_("Scope: %(cities)s. Customers affected: %(customers)s.")
        % {
            "cities": joined(content["cities"]) or "—",
            "customers": content["customers_affected"],
        },
        payload={"alert": alert.pk, "sequence": alert.sequence, **content},
        link=alert.get_absolute_url(),
    )


def _message_context(alert: Alert, *, acknowledged: bool, ack_link: str) -> dict:
    content = alert.content
    return {
        **content,
        "level_label": Level(alert.level).label,
        "occurred_at": datetime.fromisoformat(content["occurred_at"]),
        "cities": joined(content["cities"]) or "—",
        "ack_link": ack_link,
        "acknowledged": acknowledged,
    }


def _acknowledge(recipient: AlertRecipient, *, via: str, at: datetime | None = None) -> bool:
    """Record the acknowledgment once; stop the escalation of silence."""
    if recipient.acknowledged_at is not None:
        return False
    recipient.acknowledged_at = at or timezone.now()
    recipient.acknowledged_via = via
    recipient.link_nonce = ""  # every link of this person is spent
    recipient.save(update_fields=["acknowledged_at", "acknowledged_via", "link_nonce"])
    publish([user_topic(recipient.user_id)])  # their inbox, in every tab
    for kind in (ACK_KIND, ESCALATED_KIND):
        deadline_meet(record=recipient, kind=kind, at=recipient.acknowledged_at)
    return True


@transaction.atomic
def alert_acknowledge(
    *, recipient_id: int, actor: User, via: str = AckChannel.INBOX
) -> AlertRecipient:
    """The recipient acknowledges. For the owning department's interface person (or leader)
    this is also the incident's acknowledgment: the department takes the incident on."""
    recipient = (
        AlertRecipient.objects.select_for_update().select_related("incident").get(pk=recipient_id)
    )
    if recipient.user_id != actor.pk:
        raise PermissionDenied(_("Only the recipient acknowledges an alert."))
    if recipient.acknowledged_at is None and recipient.incident.state in (
        State.CANCELLED,
        State.CLOSED,
    ):
        # a form or link from before the incident ended: nothing is left to take on
        raise Conflict(
            _("The incident was cancelled: its alert needs no acknowledgment.")
            if recipient.incident.state == State.CANCELLED
            else _("The incident is closed: its alert needs no acknowledgment."),
            code="incident_ended",
        )
    _acknowledge(recipient, via=via)
    incident = recipient.incident
    if incident.state == State.DISPATCHED and is_owner(incident, actor):
        from incidents.services import incident_acknowledge

        incident_acknowledge(incident_id=incident.pk, actor=actor)
    return recipient


def ack_link_recipient(*, token: str) -> AlertRecipient:
    """The recipient a one-click link acknowledges as. Raises ValidationError when the link
    is not valid (tampered), has expired, or has been spent while its recipient has not
    acknowledged: whoever holds such a link learns nothing of the alert."""
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=settings.ALERT_ACK_LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise ValidationError({"token": _("This link has expired.")}) from None
    except signing.BadSignature:
        raise ValidationError({"token": _("This link is not valid.")}) from None
    try:
        pk, nonce = data["r"], data["n"]
    except (KeyError, TypeError):
        raise ValidationError({"token": _("This link is not valid.")}) from None
    recipient = (
        AlertRecipient.objects.select_related("incident", "latest_alert", "user")
        .filter(pk=pk)
        .first()
    )
    if recipient is None:
        raise ValidationError({"token": _("This link is not valid.")})
    if recipient.acknowledged_at is None and (not nonce or nonce != recipient.link_nonce):
        raise ValidationError({"token": _("This link has been used.")})
    return recipient


def alert_acknowledge_by_link(*, token: str) -> AlertRecipient:
    """Acknowledge with the signed link of an email or SMS: no login, for that one action,
    recorded as the person it was sent to. Single use and expiring."""
    recipient = ack_link_recipient(token=token)
    if recipient.acknowledged_at is not None:
        return recipient  # already acknowledged: the link is spent, nothing changes
    return alert_acknowledge(recipient_id=recipient.pk, actor=recipient.user, via=AckChannel.LINK)


@transaction.atomic
def alert_record_phone(
    *, recipient_id: int, actor: User, at: datetime | None = None
) -> AlertRecipient:
    """The publisher phoned the interface person (seed 000 第九条(二): 并进行电话通知)."""
    recipient = (
        AlertRecipient.objects.select_for_update().select_related("incident").get(pk=recipient_id)
    )
    if not is_cs_department(recipient.incident, actor):
        raise PermissionDenied(_("The customer-service department records the phone calls."))
    at = at or timezone.now()
    if at > timezone.now():
        raise ValidationError({"at": _("A call cannot be in the future.")})
    recipient.phoned_at = at
    recipient.phoned_by = actor
    recipient.save(update_fields=["phoned_at", "phoned_by"])
    return recipient


def acknowledge_for_incident(*, incident: Incident, actor: User) -> None:
    """The incident was acknowledged in its workflow: that person's alert is acknowledged."""
    recipient = AlertRecipient.objects.filter(incident=incident, user=actor).first()
    if recipient is not None:
        _acknowledge(recipient, via=AckChannel.WORKFLOW)


def silences_escalate(*, deadlines: Sequence[Deadline]) -> None:
    """Nobody acknowledged (a batch of breached acknowledgment deadlines of recipients):
    after the first limit the recipient's leader has been told (the breach notifies person
    and superior) and a second limit starts; after the second the working-group head is
    told. Acknowledging stops it. A few statements for the whole batch: the recipients read
    at once, the second limits opened at once, the head's messages stored at once."""
    stages = [(d.object_id, d.kind) for d in deadlines if d.kind in (ACK_KIND, ESCALATED_KIND)]
    if not stages:
        return
    recipients = (
        AlertRecipient.objects.filter(pk__in={pk for pk, _stage in stages})
        .select_related("incident", "user__profile", "department", "latest_alert")
        .in_bulk()
    )
    silent = [
        (recipients[pk], stage)
        for pk, stage in stages
        if pk in recipients and recipients[pk].acknowledged_at is None
    ]
    publish(user_topic(recipient.user_id) for recipient, _stage in silent)  # shown escalated
    first = [recipient for recipient, stage in silent if stage == ACK_KIND]
    policy = (
        DeadlinePolicy.objects.filter(code=ESCALATED_KIND, is_active=True).first()
        if first
        else None
    )
    if policy is not None:
        start = timezone.now()
        deadlines_open_many(
            [
                (recipient, policy, start, recipient.department, recipient.user)
                for recipient in first
            ]
        )
    second = [recipient for recipient, stage in silent if stage == ESCALATED_KIND]
    if not second:
        return
    head = group_head(Role.WORKING_GROUP)
    if head is None:
        return
    notifications_store(
        [
            row
            for recipient in second
            for row in notifications_build(
                recipients=[head],
                kind="alert.unacknowledged",
                template="alerts/messages/unacknowledged.txt",
                context={
                    "number": recipient.incident.number,
                    "title": recipient.incident.title,
                    "person": getattr(recipient.user, "profile", None) or recipient.user,
                    "department": recipient.department,
                },
                link=recipient.latest_alert.get_absolute_url(),
                dedupe_key=f"alert-recipient:{recipient.pk}:working-group",
            )
        ],
        channels=(Channel.EMAIL, Channel.SMS),
    )


def stop_escalations(*, incident: Incident) -> None:
    """A cancelled or closed incident needs no more acknowledgments."""
    for recipient in AlertRecipient.objects.filter(incident=incident, acknowledged_at__isnull=True):
        deadline_cancel(record=recipient)
        publish([user_topic(recipient.user_id)])  # their inbox no longer asks for it


def alerts_withdraw(*, incident: Incident) -> None:
    """The incident was cancelled: its alerts ask nobody to act any more. Escalations stop,
    and the alert messages and the reminders to acknowledge them that are still unread no
    longer count in anyone's bell. What was missed before stays missed (those breaches and
    who was told of them are kept)."""
    stop_escalations(incident=incident)
    content_type = ContentType.objects.get_for_model(AlertRecipient)
    limits = Deadline.objects.filter(
        content_type=content_type,
        object_id__in=AlertRecipient.objects.filter(incident=incident).values("pk"),
        kind__in=[ACK_KIND, ESCALATED_KIND],
    ).values_list("pk", flat=True)
    notifications_withdraw(
        dedupe_keys=[f"alert:{pk}" for pk in incident.alerts.values_list("pk", flat=True)],
        prefixes=[f"deadline:{pk}:reminder:" for pk in limits],
    )
