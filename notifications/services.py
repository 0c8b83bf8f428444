"""Sending notifications. Call inside the transaction of the event: a rollback leaves no
message, a commit leaves every message, and the outbox rows are delivered after commit (or by
the sweep, if the broker was down)."""

import logging
import random
import threading
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from operator import attrgetter, itemgetter
from typing import Any, NamedTuple

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import F, Q
from django.template import Context
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.bulk import instances, rows_merge
from core.live import publish, user_topic

from . import channels
from .models import (
    PERSONAL_CHANNELS,
    Channel,
    ChannelPreference,
    Circuit,
    Delivery,
    DeliveryState,
    Endpoint,
    Notification,
)

log = logging.getLogger(__name__)
SWEEP_BATCH = 100


# --- in-app messages, in bulk (sweeps) ---------------------------------------------------------


def notifications_build(
    *,
    recipients: Iterable[User],
    kind: str,
    subject="",
    body="",
    template: str | None = None,
    context: dict | None = None,
    link: str = "",
    dedupe_key: str,
) -> list[Notification]:
    """Unsaved in-app notifications of one message to each active recipient (batch senders;
    :func:`notifications_store` writes them); the text comes from ``template`` or from
    ``subject``/``body`` and renders in each recipient's language, as :func:`notify`'s does."""
    return notifications_build_many(
        [
            Message(
                recipients=recipients,
                kind=kind,
                subject=subject,
                body=body,
                template=template,
                context=context,
                link=link,
                dedupe_key=dedupe_key,
            )
        ]
    )


class Message(NamedTuple):
    """One message of :func:`notifications_build_many` (the arguments of
    :func:`notifications_build`)."""

    recipients: Iterable[User]
    kind: str
    dedupe_key: str
    subject: Any = ""
    body: Any = ""
    template: str | None = None
    context: dict | None = None
    link: str = ""


def notifications_build_many(messages: Iterable[Message]) -> list[Notification]:
    """:func:`notifications_build` of many messages (a batch of breaches, say): each language
    is made active once for all of them, each message rendered once per language."""
    readers: list[tuple[Message, list[tuple[str, User]]]] = []
    by_language: dict[str, list[int]] = {}
    for index, message in enumerate(messages):
        people = {
            user.pk: user for user in message.recipients if user is not None and user.is_active
        }
        languages = [(_language(user), user) for _pk, user in sorted(people.items())]
        readers.append((message, languages))
        for language in {language for language, _user in languages}:
            by_language.setdefault(language, []).append(index)
    texts: dict[tuple[str, int], tuple[str, str]] = {}
    for language, indexes in by_language.items():
        with translation.override(language):
            for index in indexes:
                message = readers[index][0]
                texts[language, index] = _render(
                    message.template, message.context, message.subject, message.body
                )
    now = timezone.now()
    rows = instances(  # built positionally: a storm's thousands
        Notification,
        (
            {
                "recipient_id": user.pk,
                "kind": message.kind,
                "subject": texts[language, index][0][:200],
                "body": texts[language, index][1],
                "link": message.link,
                "dedupe_key": message.dedupe_key,
                "created_at": now,
                "read_at": None,
            }
            for index, (message, languages) in enumerate(readers)
            for language, user in languages
        ),
    )
    in_order = (user for _message, languages in readers for _spoken, user in languages)
    recipient = Notification._meta.get_field("recipient")
    for row, user in zip(rows, in_order, strict=True):
        recipient.set_cached_value(row, user)  # the deliveries read the person's addresses
    return rows


def notifications_store(
    rows: list[Notification], *, channels: Sequence[str] = (), digest: bool = False
) -> None:
    """Write notifications (built by :func:`notifications_build`); a (recipient, dedupe_key)
    already stored is kept as it was, so that sending again — a retried task, a second
    sweep — never notifies twice. Each is also sent on ``channels`` (those the person has not
    switched off and has an address for), once: the outbox keys make a delivery once.

    ``digest``: a person with several of these messages gets one message on each channel
    that lists them all (a storm of breaches is one e-mail per batch, not hundreds); in the
    app each stays a notification of its own, with its own link."""
    unique: dict[tuple[int, str], Notification] = {}  # a row may not meet itself in one upsert
    for row in rows:
        unique.setdefault((row.recipient_id, row.dedupe_key), row)
    rows = list(unique.values())
    if not rows:
        return
    # a row already stored stays as it was, and every row, new or already stored, comes back
    # with its id for the outbox
    rows_merge(rows, conflict=["recipient", "dedupe_key"], found=True)
    publish(user_topic(user_id) for user_id, _key in unique)  # their bells and inboxes
    if not channels:
        return
    disabled = _disabled({row.recipient_id for row in rows})
    messages: dict[int, list[Notification]] = {}
    for row in rows:
        messages.setdefault(row.recipient_id if digest else id(row), []).append(row)
    _enqueue(
        [
            delivery
            for together in messages.values()
            for channel in channels
            if (delivery := _delivery(together, channel, disabled)) is not None
        ]
    )


# --- messages to people, on every channel they use ---------------------------------------------


def _language(user: User) -> str:
    profile = getattr(user, "profile", None)
    return getattr(profile, "language", None) or settings.LANGUAGE_CODE


class translated:  # reads as a function at the call site
    """``translated(gettext_lazy("… %(x)s"), {"x": 1})``: a lazy translation filled in when
    rendered, so that each recipient reads it in their own language."""

    def __init__(self, text, values: dict):
        self.text, self.values = text, values

    def __str__(self) -> str:
        return str(self.text) % self.values


def _render(template: str | None, context: dict | None, subject, body) -> tuple[str, str]:
    """Subject and body in the active language: a template's first line is the subject.

    Messages are plain text, stored as written and escaped only where a page shows them: an
    SMS, an email or a robot must read ``R&D <光缆>``, not ``R&amp;D &lt;光缆&gt;``, so the
    template renders without HTML autoescaping."""
    if template:
        compiled = get_template(template).template  # type: ignore[attr-defined]
        text = compiled.render(Context(context or {}, autoescape=False)).strip()
        first, _newline, rest = text.partition("\n")
        return first.strip(), rest.strip()
    return str(subject), str(body)


def _address(user: User, channel: str) -> str:
    if channel == Channel.EMAIL:
        return user.email
    profile = getattr(user, "profile", None)
    return getattr(profile, "mobile", "") if channel == Channel.SMS else ""


def notify(
    *,
    recipients: Iterable[User | None],
    kind: str,
    dedupe_key: str,
    subject="",
    body="",
    template: str | None = None,
    context: dict | None = None,
    link: str = "",
    channels: Sequence[str] = (Channel.EMAIL,),
) -> list[Notification]:
    """Notify each recipient once per ``dedupe_key``: in the app, and on each of ``channels``
    the person has not switched off and has an address for.

    The text comes from ``template`` (rendered in each recipient's language; first line the
    subject) or from ``subject``/``body`` (lazy translations render per recipient too)."""
    people = {user.pk: user for user in recipients if user is not None and user.is_active}
    disabled = _disabled(set(people))
    notifications, deliveries = [], []
    for user in people.values():
        with translation.override(_language(user)):
            text_subject, text_body = _render(template, context, subject, body)
        notification, created = Notification.objects.get_or_create(
            recipient=user,
            dedupe_key=dedupe_key,
            defaults={"kind": kind, "subject": text_subject[:200], "body": text_body, "link": link},
        )
        notification.recipient = user
        notifications.append(notification)
        if created:
            publish([user_topic(user.pk)])
        for channel in channels:
            if (delivery := _delivery([notification], channel, disabled)) is not None:
                deliveries.append(delivery)
    _enqueue(deliveries)
    return notifications


def _disabled(user_ids: set[int]) -> set[tuple[int, str]]:
    """The (person, channel) pairs switched off."""
    return set(
        ChannelPreference.objects.filter(user_id__in=user_ids, enabled=False).values_list(
            "user_id", "channel"
        )
    )


def _reachable(user: User, channel: str, disabled: set[tuple[int, str]]) -> str:
    """The person's address on ``channel``; empty if they switched it off or have none."""
    if channel not in PERSONAL_CHANNELS or (user.pk, channel) in disabled:
        return ""
    return _address(user, channel)


def _delivery(
    notifications: list[Notification], channel: str, disabled: set[tuple[int, str]]
) -> Delivery | None:
    """The outbox row of one person's ``notifications`` on ``channel`` (one message, or a
    digest of several), unless the person switched it off or has no address for it; its key
    makes it once per message and channel."""
    first = notifications[0]
    user = first.recipient
    address = _reachable(user, channel, disabled)
    if not address:
        return None
    if len(notifications) == 1:
        subject, body, link, key = first.subject, first.body, first.link, first.dedupe_key
    else:
        with translation.override(_language(user)):
            subject = _("%(count)d messages: %(first)s …") % {
                "count": len(notifications),
                "first": first.subject,
            }
        body = "\n\n".join(
            "\n".join(part for part in (n.subject, n.body, _absolute(n.link)) if part)
            for n in notifications
        )
        link, key = "", f"digest:{first.dedupe_key}:{len(notifications)}"
    return Delivery(
        notification=first,
        channel=channel,
        address=address,
        event=first.kind,
        subject=subject[:200],
        body=body,
        payload={"link": _absolute(link)},
        dedupe_key=f"{key}:{user.pk}:{channel}",
    )


def broadcast(
    *,
    event: str,
    dedupe_key: str,
    subject: str,
    body: str = "",
    payload: dict | None = None,
    link: str = "",
) -> int:
    """Send an event to every active robot group and webhook that wants it."""
    deliveries = [
        Delivery(
            endpoint=endpoint,
            channel=endpoint.channel,
            address=endpoint.url,
            event=event,
            subject=subject[:200],
            body=body,
            payload={**(payload or {}), "link": _absolute(link)},
            dedupe_key=f"{dedupe_key}:endpoint:{endpoint.pk}",
        )
        for endpoint in Endpoint.objects.filter(is_active=True)
        if endpoint.wants(event)
    ]
    return len(_enqueue(deliveries))


def _absolute(link: str) -> str:
    if not link or link.startswith("http"):
        return link
    return settings.SITE_URL.rstrip("/") + link


class _Outbox(threading.local):
    batch: list[tuple[str, int]] | None = None  # (channel, id)


_outbox = _Outbox()


@contextmanager
def deliveries_batched():
    """Within it, the outbox rows written (an alert to each of its recipients, say) are handed
    to the workers together on commit, ``DELIVERY_BATCH_SIZE`` to a task, rather than a task
    for each call's rows; nested, the outermost hands them over."""
    if _outbox.batch is not None:
        yield
        return
    written = _outbox.batch = []
    try:
        yield
    finally:
        _outbox.batch = None
    if written:
        # a channel's messages side by side, so that a task can hand several to one request
        ids = [pk for _channel, pk in sorted(written, key=itemgetter(0))]
        transaction.on_commit(lambda: _send_later(ids), robust=True)


def _enqueue(deliveries: list[Delivery]) -> list[int]:
    """Write the outbox rows (once per dedupe key: one already written is left as it is) and
    hand the new ones to Celery on commit.

    If the broker is down the rows simply stay pending: the sweep sends them later."""
    if not deliveries:
        return []
    # a channel's messages side by side, so that a task can hand several to one request
    written = rows_merge(sorted(deliveries, key=attrgetter("channel")), conflict=["dedupe_key"])
    ids = [delivery.pk for delivery in written]
    if _outbox.batch is not None:
        _outbox.batch.extend((delivery.channel, delivery.pk) for delivery in written)
    else:
        transaction.on_commit(lambda: _send_later(ids), robust=True)
    return ids


def _send_later(ids: list[int]) -> None:
    """A task per ``DELIVERY_BATCH_SIZE`` deliveries: one message to the broker each, one
    claim and one connection per channel for the batch, the batches spread over the workers."""
    from .tasks import deliver_batch_task

    size = max(1, settings.DELIVERY_BATCH_SIZE)
    for start in range(0, len(ids), size):
        try:
            deliver_batch_task.apply_async(args=[ids[start : start + size]], retry=False)
        except Exception as error:  # the broker is down: the sweep will find the rows
            log.warning("Broker unavailable, %d deliveries left for the sweep: %s", len(ids), error)
            return


def _send_each_later(ids: list[int]) -> None:
    from .tasks import deliver_task

    for pk in ids:
        try:
            deliver_task.apply_async(args=[pk], retry=False)
        except Exception as error:  # the broker is down: the sweep will find the rows
            log.warning("Broker unavailable, %d deliveries left for the sweep: %s", len(ids), error)
            return


# --- delivering ----------------------------------------------------------------------------------


def _backoff(attempts: int) -> timedelta:
    """Exponential back-off with jitter: about BACKOFF × 2^(n-1), capped, each wait drawn
    between half and all of it, so that retries after an outage do not come as one wave."""
    ceiling = min(settings.DELIVERY_BACKOFF * 2 ** (attempts - 1), settings.DELIVERY_BACKOFF_CAP)
    return ceiling * random.uniform(0.5, 1.0)


def _circuit_key(delivery: Delivery) -> str:
    return f"endpoint:{delivery.endpoint_id}" if delivery.endpoint_id else delivery.channel


def _circuit_wait(key: str, now: datetime) -> datetime | None:
    """None if a delivery on ``key`` may be tried now; else when to try it again. An open
    circuit whose cool-down is over lets one delivery through at a time, as a probe."""
    if not Circuit.objects.filter(key=key, open_until__isnull=False).exists():
        return None
    with transaction.atomic():
        circuit = Circuit.objects.select_for_update().get(key=key)
        if circuit.open_until is None:
            return None
        if now < circuit.open_until:
            return circuit.open_until
        if circuit.probe_until is not None and now < circuit.probe_until:
            return circuit.probe_until
        circuit.probe_until = now + settings.DELIVERY_LEASE
        circuit.save(update_fields=["probe_until", "updated_at"])
    return None


def _circuit_failed(key: str, error: str, now: datetime) -> None:
    with transaction.atomic():
        Circuit.objects.bulk_create([Circuit(key=key)], ignore_conflicts=True)
        circuit = Circuit.objects.select_for_update().get(key=key)
        circuit.failures += 1
        circuit.last_error = error
        probing = circuit.open_until is not None  # a probe that failed opens it again
        if probing or circuit.failures >= settings.CIRCUIT_FAILURES:
            circuit.trips += 1
            cooldown = min(
                settings.CIRCUIT_COOLDOWN * 2 ** (circuit.trips - 1), settings.CIRCUIT_COOLDOWN_CAP
            )
            circuit.open_until, circuit.probe_until = now + cooldown, None
            log.warning("Channel %s paused until %s: %s", key, circuit.open_until, error)
        circuit.save()


def _circuit_worked(key: str) -> None:
    Circuit.objects.filter(key=key).exclude(failures=0, open_until__isnull=True).update(
        failures=0, trips=0, open_until=None, probe_until=None
    )


@contextmanager
def _lease_renewed(delivery_ids: int | set[int]):
    """Renew the lease of the deliveries being sent for as long as the sending takes (a slow
    mail server may take longer than one lease), from a thread of its own. A set of ids may
    shrink meanwhile (a batch: each delivery done is dropped from it)."""
    done = threading.Event()
    every = settings.DELIVERY_LEASE.total_seconds() / 3
    held = {delivery_ids} if isinstance(delivery_ids, int) else delivery_ids
    lock = threading.Lock()

    def renew() -> None:
        try:
            while not done.wait(every):
                with lock:
                    ids = list(held)
                Delivery.objects.filter(pk__in=ids, state=DeliveryState.SENDING).update(
                    lease_until=timezone.now() + settings.DELIVERY_LEASE
                )
        finally:
            connection.close()

    thread = threading.Thread(target=renew, name="lease", daemon=True)
    thread.start()
    try:
        yield lock
    finally:
        done.set()
        thread.join(timeout=every)


def delivery_send(*, delivery_id: int, now: datetime | None = None) -> str | None:
    """Send one pending, due delivery; returns its new state, or None if it was not ours.

    The row is claimed (pending → sending, under a lease) in its own transaction before
    anything is sent, so a task that is redelivered, or a sweep running beside it, finds it
    taken and stops. On a paused channel it is not tried: it waits for the channel."""
    now = now or timezone.now()
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint")
            .filter(pk=delivery_id, state=DeliveryState.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if delivery is None:
            return None
        key = _circuit_key(delivery)
        wait = _circuit_wait(key, now)
        if wait is not None:
            delivery.next_attempt_at = wait
            delivery.save(update_fields=["next_attempt_at"])
            return DeliveryState.PENDING
        delivery.state = DeliveryState.SENDING
        delivery.claimed_at = now
        delivery.lease_until = now + settings.DELIVERY_LEASE
        delivery.attempts += 1
        delivery.save(update_fields=["state", "claimed_at", "lease_until", "attempts"])
    try:
        with _lease_renewed(delivery.pk):
            channels.send(delivery)
    except Exception as error:
        return _delivery_failed(delivery, error, now=now)
    Delivery.objects.filter(pk=delivery.pk).update(
        state=DeliveryState.SENT, sent_at=timezone.now(), last_error=""
    )
    _circuit_worked(key)
    return DeliveryState.SENT


def deliveries_send(*, delivery_ids: Sequence[int], now: datetime | None = None) -> dict[str, int]:
    """Send a batch of pending, due deliveries (an event's fan-out); returns how many went
    to each state. The same outbox as :func:`delivery_send`, a batch at a time: the rows are
    claimed together (pending → sending, under one lease renewed for the batch) in their own
    transaction, then sent one after the other (the SMS as many to a request as the gateway
    takes), each marked sent as soon as its channel took it, so a redelivered task or a
    sweep finds them taken, and a worker killed midway leaves the rest to be taken over when
    the lease lapses. Deliveries on a paused channel go one by one (they wait, or one
    probes). When a channel fails in the batch, its deliveries not yet tried are handed back
    to go one by one: a hung server costs the batch one time-out. So do the messages of a
    request of several that fails or is refused: alone, each finds out whether it is the one
    refused."""
    now = now or timezone.now()
    done = {DeliveryState.SENT: 0, DeliveryState.PENDING: 0, DeliveryState.DEAD: 0}
    paused = set(Circuit.objects.filter(open_until__isnull=False).values_list("key", flat=True))
    with transaction.atomic():
        due = list(
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint")
            .filter(
                pk__in=list(delivery_ids), state=DeliveryState.PENDING, next_attempt_at__lte=now
            )
            .order_by("pk")
        )
        batch = [delivery for delivery in due if _circuit_key(delivery) not in paused]
        Delivery.objects.filter(pk__in=[delivery.pk for delivery in batch]).update(
            state=DeliveryState.SENDING,
            claimed_at=now,
            lease_until=now + settings.DELIVERY_LEASE,
            attempts=F("attempts") + 1,
        )
    for delivery in due:
        if delivery in batch:
            delivery.state, delivery.attempts = DeliveryState.SENDING, delivery.attempts + 1
        else:
            _count(done, delivery_send(delivery_id=delivery.pk, now=now))
    worked: set[str] = set()
    failed: set[str] = set()
    back: list[int] = []
    sending = {delivery.pk for delivery in batch}
    with _lease_renewed(sending) as lock, channels.batch():
        for unit in channels.requests(batch):
            ids = [delivery.pk for delivery in unit]
            key = _circuit_key(unit[0])
            if key in failed:
                back += ids
                continue
            try:
                channels.send_request(unit)
            except Exception as error:
                refused = isinstance(error, channels.RefusedError)
                if not refused:
                    failed.add(key)
                if len(unit) > 1:  # go one by one: each finds its own answer
                    back += ids
                    if not refused:
                        _circuit_failed(key, f"{type(error).__name__}: {error}"[:2000], now)
                else:
                    _count(done, _delivery_failed(unit[0], error, now=now))
            else:
                _mark_sent(ids)
                done[DeliveryState.SENT] += len(ids)
                if key not in worked:
                    worked.add(key)
                    _circuit_worked(key)
            with lock:
                sending.difference_update(ids)
        if back:  # not tried: pending again, as if never claimed
            Delivery.objects.filter(pk__in=back, state=DeliveryState.SENDING).update(
                state=DeliveryState.PENDING,
                lease_until=None,
                next_attempt_at=now,
                attempts=F("attempts") - 1,
            )
    if back:
        _send_each_later(back)
        done[DeliveryState.PENDING] += len(back)
    return {str(state): n for state, n in done.items()}


def _mark_sent(delivery_ids: list[int]) -> None:
    """Record deliveries sent, at once, without waiting for the disk (PostgreSQL's
    ``synchronous_commit = off`` for this one transaction): other processes see it at once and
    a worker that dies next loses nothing; only a crash of the database itself can lose the
    last fraction of a second of these marks, and those messages then go again after their
    lease, as the outbox allows for anyway (receivers dedupe on the Message-ID or the
    X-Fenghuo-Delivery header). A fan-out no longer waits on a disk flush per message."""
    if connection.vendor != "postgresql":
        Delivery.objects.filter(pk__in=delivery_ids).update(
            state=DeliveryState.SENT, sent_at=timezone.now(), last_error=""
        )
        return
    table = Delivery._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:  # one round trip, then COMMIT
        cursor.execute(
            f"SET LOCAL synchronous_commit TO OFF; UPDATE {table}"
            " SET state = %s, sent_at = %s, last_error = '' WHERE id = ANY(%s)",
            [DeliveryState.SENT.value, timezone.now(), delivery_ids],
        )


def _count(done: dict, state: str | None) -> None:
    if state is not None:
        done[state] += 1


def _delivery_failed(delivery: Delivery, error: Exception, *, now: datetime) -> str:
    """Retry later with back-off until the horizon; then the delivery is undeliverable and
    stays visible (admin, alert page, /healthz) until someone re-drives it. One the channel
    refuses for good is undeliverable at once and does not count against the channel. A
    message to a person also goes out on their next channel at once."""
    message = f"{type(error).__name__}: {error}"[:2000]
    refused = isinstance(error, channels.RefusedError)
    if refused:  # the channel answered: it works, this message will never go
        _circuit_worked(_circuit_key(delivery))
    else:
        _circuit_failed(_circuit_key(delivery), message, now)
    dead = refused or now >= delivery.give_up_at
    Delivery.objects.filter(pk=delivery.pk).update(
        state=DeliveryState.DEAD if dead else DeliveryState.PENDING,
        last_error=message,
        # the last try falls on the horizon itself
        next_attempt_at=min(now + _backoff(delivery.attempts), delivery.give_up_at),
        lease_until=None,
    )
    log.log(logging.ERROR if dead else logging.WARNING, "Delivery %s: %s", delivery.pk, message)
    if delivery.notification_id is not None:
        _fall_back(delivery, delivery.notification_id)
    return DeliveryState.DEAD if dead else DeliveryState.PENDING


def _fall_back(delivery: Delivery, notification_id: int) -> None:
    """The same message on the person's next channels (settings.NOTIFICATION_FALLBACK), those
    they have not switched off and have an address for; once each."""
    notification = Notification.objects.select_related("recipient__profile").get(pk=notification_id)
    user = notification.recipient
    disabled = _disabled({user.pk})
    fallbacks = []
    for channel in settings.NOTIFICATION_FALLBACK.get(delivery.channel, ()):
        address = _reachable(user, channel, disabled)
        if not address:
            continue
        # what the failed delivery carried (one message or a digest), keyed as it would be
        # on that channel, so that it goes once
        fallbacks.append(
            Delivery(
                notification=notification,
                channel=channel,
                address=address,
                event=delivery.event,
                subject=delivery.subject,
                body=delivery.body,
                payload=delivery.payload,
                dedupe_key=f"{delivery.dedupe_key.rsplit(':', 1)[0]}:{channel}",
                fallback_of=delivery,
            )
        )
    _enqueue(fallbacks)


def deliveries_sweep(*, now: datetime | None = None, limit: int = 1000) -> dict[str, int]:
    """Send what is due: rows the broker never carried, retries whose back-off is over, and
    rows whose lease lapsed while `sending` (their worker died; they are tried again)."""
    now = now or timezone.now()
    lapsed = Q(lease_until__lt=now) | Q(lease_until__isnull=True)
    revived = (
        Delivery.objects.filter(state=DeliveryState.SENDING)
        .filter(lapsed)
        .update(state=DeliveryState.PENDING, next_attempt_at=now, lease_until=None)
    )
    done = {"sent": 0, "dead": 0, "revived": revived}
    due = list(
        Delivery.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        state = delivery_send(delivery_id=pk, now=now)
        if state == DeliveryState.SENT:
            done["sent"] += 1
        elif state == DeliveryState.DEAD:
            done["dead"] += 1
    return done


def deliveries_redrive(*, delivery_ids: Iterable[int], now: datetime | None = None) -> int:
    """Try undeliverable deliveries again, each for a new retry horizon, now: the person
    says the outage that exhausted them is over, so their channels' circuits close too;
    returns how many."""
    now = now or timezone.now()
    dead = list(Delivery.objects.filter(pk__in=list(delivery_ids), state=DeliveryState.DEAD))
    ids = [delivery.pk for delivery in dead]
    for key in {_circuit_key(delivery) for delivery in dead}:
        _circuit_worked(key)
    Delivery.objects.filter(pk__in=ids).update(
        state=DeliveryState.PENDING,
        next_attempt_at=now,
        give_up_at=now + settings.DELIVERY_RETRY_HORIZON,
    )
    transaction.on_commit(lambda: _send_later(ids), robust=True)
    return len(ids)


@transaction.atomic
def notification_mark_read(*, user: User, notification_id: int | None = None) -> int:
    """Mark one (or, without an id, every) unread notification of ``user`` as read."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    publish([user_topic(user.pk)])  # the bell of their other open pages
    return unread.update(read_at=timezone.now())


def notifications_withdraw(*, dedupe_keys: Iterable[str], prefixes: Iterable[str] = ()) -> int:
    """What the messages of ``dedupe_keys`` (and of keys starting with one of ``prefixes``)
    asked of their readers is moot: those not read yet no longer count as unread (the bell).
    They stay in the inbox, and what was sent by other channels stays sent."""
    keys = Q(dedupe_key__in=list(dedupe_keys))
    for prefix in prefixes:
        keys |= Q(dedupe_key__startswith=prefix)
    unread = Notification.objects.filter(keys, read_at__isnull=True)
    publish(user_topic(pk) for pk in unread.values_list("recipient_id", flat=True).distinct())
    return unread.update(read_at=timezone.now())


@transaction.atomic
def channel_preferences_set(*, user: User, enabled: dict[str, bool]) -> None:
    for channel in PERSONAL_CHANNELS:
        if channel in enabled:
            ChannelPreference.objects.update_or_create(
                user=user, channel=channel, defaults={"enabled": enabled[channel]}
            )


# --- housekeeping ------------------------------------------------------------------------------

PRUNE_BATCH = 2000


def deliveries_prune(*, now: datetime | None = None, batch: int = PRUNE_BATCH) -> int:
    """Delete the deliveries sent more than settings.DELIVERY_RETENTION ago; how many.

    Only sent ones: a pending, sending (retrying) or undeliverable delivery waits for the
    sweep or for a person, and an inbox message (Notification) is kept. A delivery that other
    deliveries stand in for goes once they have gone (the next batch), so no cascade reaches
    a fallback still under way. In batches of ``batch`` rows, each its own short statement
    (partial index ``delivery_sent``); running it twice deletes nothing the second time."""
    if not settings.DELIVERY_RETENTION:
        return 0
    cutoff = (now or timezone.now()) - settings.DELIVERY_RETENTION
    expired = Delivery.objects.filter(
        state=DeliveryState.SENT, sent_at__lt=cutoff, fallbacks__isnull=True
    ).order_by("sent_at")
    deleted = 0
    while ids := list(expired.values_list("pk", flat=True)[:batch]):
        done, _ = Delivery.objects.filter(pk__in=ids, state=DeliveryState.SENT).delete()
        if not done:
            break
        deleted += done
    return deleted
