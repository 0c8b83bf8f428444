"""Writes of public notices and SMS broadcasts: one function per use case, keyword-only."""

import time
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.errors import Conflict
from core.transitions import transition_check
from incidents.choices import SubmissionKind
from incidents.live import incidents_told
from incidents.models import Incident
from incidents.selectors import incident_submissions_latest
from notifications import channels
from notifications.models import Delivery

from .models import (
    Broadcast,
    BroadcastRecipient,
    BroadcastState,
    NoticeState,
    NoticeVersion,
    OptOut,
    PublicNotice,
    RecipientState,
    VersionKind,
    VersionState,
)
from .phones import phone_normalise, phones_clean
from .workflow import FORBIDDEN, notice_is_drafter, notice_is_owner

# Replies that unsubscribe (the operators' convention: TD 退订, and the usual English words).
UNSUBSCRIBE_WORDS = {"TD", "T", "N", "退订", "STOP", "UNSUBSCRIBE", "QXDY", "0000"}


def _check(notice: PublicNotice, action: str, actor: User | None, forbidden_key: str) -> None:
    transition_check(
        notice,
        action,
        actor,
        not_now=_("Not allowed while the public notice is %(state)s."),
        forbidden=FORBIDDEN[forbidden_key],
        params={"department": notice.incident.owning_department},
    )


def _lock(notice_id: int) -> PublicNotice:
    try:
        return PublicNotice.objects.select_for_update().select_related("incident").get(pk=notice_id)
    except PublicNotice.DoesNotExist:
        raise ValidationError({"notice": _("No such public notice.")}) from None


def _pending(notice: PublicNotice) -> NoticeVersion | None:
    return notice.versions.filter(state=VersionState.DRAFT).order_by("-sequence").first()


def _next_sequence(notice: PublicNotice) -> int:
    return (notice.versions.aggregate(top=Max("sequence"))["top"] or 0) + 1


def notice_current(notice: PublicNotice) -> NoticeVersion | None:
    """The text the public sees: the latest approved version."""
    return notice.versions.filter(state=VersionState.APPROVED).order_by("-sequence").first()


@transaction.atomic
def notice_draft(*, incident_id: int, actor: User) -> PublicNotice:
    """Start the incident's public notice, its first draft taken from the explanation script
    解释口径 (the latest version) and the incident's cities and service. Called again, it
    returns the notice there is."""
    try:
        incident = Incident.objects.select_for_update().get(pk=incident_id)
    except Incident.DoesNotExist:
        raise ValidationError({"incident": _("No such incident.")}) from None
    existing = PublicNotice.objects.filter(incident=incident).first()
    if existing is not None:
        return existing
    notice = PublicNotice(
        incident=incident,
        business_line=incident.business_line,
        affected_since=incident.occurred_at,
    )
    if not notice_is_drafter(notice, actor):
        raise PermissionDenied(FORBIDDEN["edit"] % {"department": incident.owning_department})
    explanation = incident_submissions_latest(incident).get(SubmissionKind.EXPLANATION)
    if explanation is None:
        raise Conflict(
            _("Submit the explanation script first: the public notice is drafted from it."),
            code="conditions_not_met",
        )
    notice.save()
    notice.cities.set(incident.cities.all())
    content = explanation.content if isinstance(explanation.content, dict) else {}
    NoticeVersion.objects.create(
        notice=notice,
        sequence=1,
        kind=VersionKind.INITIAL,
        title_zh=_title(incident, "zh-hans"),
        title_en=_title(incident, "en"),
        text_zh=str(content.get("text") or "").strip() or incident.title,
        next_update_at=timezone.now() + settings.NOTICE_UPDATE_INTERVAL,
        drafted_by=actor,
    )
    incidents_told([incident.pk])
    return notice


def _title(incident: Incident, language: str) -> str:
    with translation.override(language):
        return _("%(service)s: service disruption") % {
            "service": incident.get_business_line_display()
        }


def _validate_text(*, title_zh: str, text_zh: str, next_update_at: datetime | None, final: bool):
    errors: dict[str, str] = {}
    if not (title_zh or "").strip():
        errors["title_zh"] = _("The Chinese title is required.")
    if not (text_zh or "").strip():
        errors["text_zh"] = _("The Chinese text is required.")
    if not final:
        if next_update_at is None:
            errors["next_update_at"] = _("Say by when the next update comes.")
        elif next_update_at <= timezone.now():
            errors["next_update_at"] = _("The next update must be in the future.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def notice_edit(
    *,
    notice_id: int,
    actor: User,
    title_zh: str,
    text_zh: str,
    next_update_at: datetime | None,
    title_en: str = "",
    text_en: str = "",
) -> NoticeVersion:
    """Write the text awaiting approval: the first notice while the notice is a draft, an
    update once it is public. The public keeps seeing the approved text until then."""
    notice = _lock(notice_id)
    _check(notice, "edit", actor, "edit")
    _validate_text(title_zh=title_zh, text_zh=text_zh, next_update_at=next_update_at, final=False)
    version = _pending(notice) or NoticeVersion(
        notice=notice,
        sequence=_next_sequence(notice),
        kind=VersionKind.INITIAL if notice.state == NoticeState.DRAFT else VersionKind.UPDATE,
    )
    version.title_zh, version.title_en = title_zh.strip(), (title_en or "").strip()
    version.text_zh, version.text_en = text_zh.strip(), (text_en or "").strip()
    version.next_update_at = next_update_at
    version.drafted_by = actor
    version.created_at = timezone.now()
    version.save()
    incidents_told([notice.incident_id])
    return version


@transaction.atomic
def notice_approve(*, notice_id: int, actor: User) -> NoticeVersion:
    """The owning department approves the text awaiting approval: the first one publishes
    the notice, a later one is its update."""
    notice = _lock(notice_id)
    action = "publish" if notice.state == NoticeState.DRAFT else "approve_update"
    _check(notice, action, actor, "approve")
    version = _pending(notice)
    if version is None:
        raise Conflict(_("There is no text awaiting approval."), code="invalid_state")
    if version.next_update_at is not None and version.next_update_at <= timezone.now():
        raise ValidationError({"next_update_at": _("The next update must be in the future.")})
    now = timezone.now()
    getattr(notice, action)(at=now)
    notice.save()
    version.state, version.approved_by, version.approved_at = VersionState.APPROVED, actor, now
    version.save(update_fields=["state", "approved_by", "approved_at"])
    incidents_told([notice.incident_id])
    return version


def _final_text() -> tuple[str, str, str, str]:
    with translation.override("zh-hans"):
        title_zh, text_zh = (
            _("Service restored"),
            _("The service is working normally again. We apologise for the inconvenience."),
        )
    with translation.override("en"):
        title_en, text_en = (
            _("Service restored"),
            _("The service is working normally again. We apologise for the inconvenience."),
        )
    return title_zh, title_en, text_zh, text_en


@transaction.atomic
def notice_resolve(
    *,
    notice_id: int,
    actor: User | None,
    title_zh: str = "",
    text_zh: str = "",
    title_en: str = "",
    text_en: str = "",
) -> NoticeVersion:
    """The final text: the owner's words, or (``actor`` None: the incident was resolved or
    closed) the standard one. A text still awaiting approval is dropped."""
    notice = _lock(notice_id)
    _check(notice, "resolve", actor, "resolve")
    if not (title_zh or text_zh):
        title_zh, title_en, text_zh, text_en = _final_text()
    _validate_text(title_zh=title_zh, text_zh=text_zh, next_update_at=None, final=True)
    now = timezone.now()
    notice.versions.filter(state=VersionState.DRAFT).delete()
    notice.resolve(at=now)
    notice.save()
    version = NoticeVersion.objects.create(
        notice=notice,
        sequence=_next_sequence(notice),
        kind=VersionKind.RESOLUTION,
        state=VersionState.APPROVED,
        title_zh=title_zh.strip(),
        title_en=(title_en or "").strip(),
        text_zh=text_zh.strip(),
        text_en=(text_en or "").strip(),
        drafted_by=actor,
        approved_by=actor,
        approved_at=now,
    )
    incidents_told([notice.incident_id])
    return version


def notices_resolve_for_incident(*, incident: Incident) -> None:
    """The incident was resolved or closed: its public notice, if public, says so."""
    notice = PublicNotice.objects.filter(incident=incident, state=NoticeState.PUBLISHED).first()
    if notice is not None:
        notice_resolve(notice_id=notice.pk, actor=None)


# --- SMS broadcasts ---------------------------------------------------------------------------


@transaction.atomic
def broadcast_create(
    *, incident_id: int, actor: User, phones: list[str], rate: int | None = None
) -> Broadcast:
    """Store the customers' list of a broadcast: numbers validated (any that is not a mobile
    number refuses the list, named), duplicates removed, opted-out numbers kept out."""
    notice = PublicNotice.objects.select_related("incident").filter(incident_id=incident_id).first()
    if notice is None:
        raise Conflict(
            _("Draft and approve the public notice first: the broadcast sends its text."),
            code="conditions_not_met",
        )
    if not notice_is_drafter(notice, actor):
        raise PermissionDenied(
            FORBIDDEN["edit"] % {"department": notice.incident.owning_department}
        )
    valid, invalid = phones_clean(phones)
    if invalid:
        shown = ", ".join(invalid[:10])
        raise ValidationError(
            {
                "phones": _("Not mobile numbers (%(count)d): %(shown)s")
                % {"count": len(invalid), "shown": shown}
            }
        )
    if not valid:
        raise ValidationError({"phones": _("The list holds no mobile number.")})
    limit = settings.SMS_BROADCAST_MAX_RECIPIENTS
    if len(valid) > limit:
        raise ValidationError(
            {"phones": _("At most %(limit)d numbers a broadcast.") % {"limit": limit}}
        )
    rate = rate or settings.SMS_BROADCAST_RATE
    if not 1 <= rate <= settings.SMS_BROADCAST_MAX_RATE:
        raise ValidationError(
            {
                "rate": _("Between 1 and %(max)d messages a second.")
                % {"max": settings.SMS_BROADCAST_MAX_RATE}
            }
        )
    broadcast = Broadcast.objects.create(incident_id=incident_id, rate=rate, created_by=actor)
    opted_out = set(OptOut.objects.filter(phone__in=valid).values_list("phone", flat=True))
    BroadcastRecipient.objects.bulk_create(
        [
            BroadcastRecipient(
                broadcast=broadcast,
                phone=phone,
                state=RecipientState.OPTED_OUT if phone in opted_out else RecipientState.QUEUED,
            )
            for phone in valid
        ],
        batch_size=1000,
    )
    incidents_told([incident_id])
    return broadcast


def broadcast_text(notice: PublicNotice) -> str | None:
    """What a broadcast of the notice says: its approved text, in Chinese (the customers'
    language), never a draft."""
    current = notice_current(notice)
    if current is None:
        return None
    return f"【{current.title_zh}】{current.text_zh}"


@transaction.atomic
def broadcast_start(*, broadcast_id: int, actor: User) -> Broadcast:
    """The owning department sends the approved notice text to the list, throttled to the
    broadcast's rate, a batch at a time on the deliveries queue."""
    try:
        broadcast = (
            Broadcast.objects.select_for_update().select_related("incident").get(pk=broadcast_id)
        )
    except Broadcast.DoesNotExist:
        raise ValidationError({"broadcast": _("No such broadcast.")}) from None
    notice = PublicNotice.objects.filter(incident=broadcast.incident).first()
    if notice is None or not notice_is_owner(notice, actor):
        raise PermissionDenied(
            FORBIDDEN["broadcast"] % {"department": broadcast.incident.owning_department}
        )
    if broadcast.state != BroadcastState.DRAFT:
        raise Conflict(_("This broadcast has been started already."), code="invalid_state")
    text = broadcast_text(notice)
    if text is None:
        raise Conflict(
            _("Only an approved notice text is sent: approve the public notice first."),
            code="conditions_not_met",
        )
    broadcast.text, broadcast.state = text, BroadcastState.SENDING
    broadcast.started_by, broadcast.started_at = actor, timezone.now()
    broadcast.save(update_fields=["text", "state", "started_by", "started_at"])
    incidents_told([broadcast.incident_id])
    transaction.on_commit(lambda: broadcast_enqueue(broadcast_id=broadcast.pk))
    return broadcast


def broadcast_enqueue(*, broadcast_id: int, not_before: float | None = None) -> None:
    """Hand the broadcast's next batch to the deliveries workers, not before ``not_before``
    (epoch seconds): the rate holds across batches too."""
    from .tasks import send_broadcast_batch_task

    countdown = max(0.0, (not_before or 0) - time.time())
    send_broadcast_batch_task.apply_async(
        args=[broadcast_id, not_before], countdown=countdown or None
    )


def _claim(recipient_id: int) -> bool:
    """Take one queued message for sending; False when another worker took it first. The
    claim commits before the message goes: a worker that dies after sending leaves it
    ``sending``, and it is never sent again."""
    return bool(
        BroadcastRecipient.objects.filter(pk=recipient_id, state=RecipientState.QUEUED).update(
            state=RecipientState.SENDING, claimed_at=timezone.now()
        )
    )


def _mark(recipient_id: int, state: str, error: str = "") -> None:
    BroadcastRecipient.objects.filter(pk=recipient_id, state=RecipientState.SENDING).update(
        state=state,
        error=error[:300],
        sent_at=timezone.now() if state == RecipientState.SENT else None,
    )


def broadcast_send_batch(
    *, broadcast_id: int, not_before: float | None = None, sleep=time.sleep
) -> dict[str, int]:
    """Send the next batch of a broadcast at its rate: one message every ``1/rate`` seconds,
    the first not before ``not_before``. Returns what it did and whether more are queued;
    the next batch is handed on to start one interval after this one's last message."""
    broadcast = Broadcast.objects.filter(pk=broadcast_id, state=BroadcastState.SENDING).first()
    if broadcast is None:
        return {"sent": 0, "failed": 0, "opted_out": 0, "more": 0}
    interval = 1.0 / broadcast.rate
    ids = list(
        BroadcastRecipient.objects.filter(broadcast=broadcast, state=RecipientState.QUEUED)
        .order_by("pk")
        .values_list("pk", "phone")[: settings.SMS_BROADCAST_BATCH_SIZE]
    )
    opted_out = set(
        OptOut.objects.filter(phone__in=[phone for _pk, phone in ids]).values_list(
            "phone", flat=True
        )
    )
    done = {"sent": 0, "failed": 0, "opted_out": 0}
    slot = max(time.time(), not_before or 0)
    with channels.batch():
        for pk, phone in ids:
            if phone in opted_out:
                if BroadcastRecipient.objects.filter(pk=pk, state=RecipientState.QUEUED).update(
                    state=RecipientState.OPTED_OUT
                ):
                    done["opted_out"] += 1
                continue
            wait = slot - time.time()
            if wait > 0:
                sleep(wait)
            if not _claim(pk):
                continue
            slot = max(slot, time.time()) + interval
            try:
                channels.send_sms(Delivery(address=phone, subject="", body=broadcast.text))
            except channels.DeliveryError as error:
                _mark(pk, RecipientState.FAILED, str(error))
                done["failed"] += 1
            else:
                _mark(pk, RecipientState.SENT)
                done["sent"] += 1
    more = BroadcastRecipient.objects.filter(
        broadcast=broadcast, state=RecipientState.QUEUED
    ).exists()
    if more:
        broadcast_enqueue(broadcast_id=broadcast.pk, not_before=slot)
    else:
        broadcast_finish(broadcast_id=broadcast.pk)
    incidents_told([broadcast.incident_id])
    return {**done, "more": int(more)}


def broadcast_finish(*, broadcast_id: int) -> bool:
    """Done once no message is queued or being sent."""
    busy = BroadcastRecipient.objects.filter(
        broadcast_id=broadcast_id, state__in=[RecipientState.QUEUED, RecipientState.SENDING]
    ).exists()
    if busy:
        return False
    return bool(
        Broadcast.objects.filter(pk=broadcast_id, state=BroadcastState.SENDING).update(
            state=BroadcastState.DONE, finished_at=timezone.now()
        )
    )


def broadcasts_sweep() -> dict[str, int]:
    """After a worker died mid-broadcast: a message left ``sending`` for longer than
    ``SMS_BROADCAST_STALE_SECONDS`` may have gone out, so it is marked failed and never sent
    again; a broadcast with queued messages and no claim for as long is handed on anew."""
    stale = timezone.now() - settings.SMS_BROADCAST_STALE
    interrupted = BroadcastRecipient.objects.filter(
        state=RecipientState.SENDING, claimed_at__lt=stale
    ).update(
        state=RecipientState.FAILED,
        error=_("Interrupted while sending; not sent again, as it may have gone out."),
    )
    resumed = 0
    sending = Broadcast.objects.filter(state=BroadcastState.SENDING).annotate(
        last_claim=Max("recipients__claimed_at"),
        queued=Count("recipients", filter=Q(recipients__state=RecipientState.QUEUED)),
    )
    for broadcast in sending:
        if broadcast.queued == 0:
            broadcast_finish(broadcast_id=broadcast.pk)
        elif (
            broadcast.last_claim is None and broadcast.started_at and broadcast.started_at < stale
        ) or (broadcast.last_claim is not None and broadcast.last_claim < stale):
            broadcast_enqueue(broadcast_id=broadcast.pk)
            resumed += 1
    return {"interrupted": interrupted, "resumed": resumed}


def opt_out_record(*, phone: str, text: str = "TD", source: str = OptOut.Source.REPLY) -> bool:
    """A customer's reply: an unsubscribe word records the number (once); anything else is
    ignored. True when the number is (now) opted out."""
    number = phone_normalise(phone)
    if number is None:
        raise ValidationError({"phone": _("Not a mobile number.")})
    if source == OptOut.Source.REPLY and (text or "").strip().upper() not in UNSUBSCRIBE_WORDS:
        return False
    OptOut.objects.get_or_create(phone=number, defaults={"source": source})
    BroadcastRecipient.objects.filter(phone=number, state=RecipientState.QUEUED).update(
        state=RecipientState.OPTED_OUT
    )
    return True
