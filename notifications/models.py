"""Notifications 通知: messages to people. This app knows users and channels, nothing else."""

import json
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One message to one person, shown in the in-app inbox (the bell).

    ``dedupe_key`` makes sending idempotent: the same key for the same person is stored once,
    however often a task or a sweep runs.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=50)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    dedupe_key = models.CharField(_("deduplication key"), max_length=200)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "dedupe_key"], name="notify_once")
        ]
        indexes = [
            models.Index(
                fields=["recipient", "created_at"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            )
        ]

    def __str__(self) -> str:
        return self.subject


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In-app")
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    DINGTALK = "dingtalk", _("DingTalk robot")
    WECOM = "wecom", _("WeCom robot")
    FEISHU = "feishu", _("Feishu robot")
    WEBHOOK = "webhook", _("Webhook")


PERSONAL_CHANNELS = (Channel.EMAIL, Channel.SMS)
ENDPOINT_CHANNELS = (Channel.DINGTALK, Channel.WECOM, Channel.FEISHU, Channel.WEBHOOK)


class Endpoint(models.Model):
    """A group robot (DingTalk, WeCom, Feishu) or an external system's webhook that receives
    events; robots and webhooks are signed with the secret where the platform supports it."""

    channel = models.CharField(
        _("channel"), max_length=10, choices=[(c.value, c.label) for c in ENDPOINT_CHANNELS]
    )
    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=200, blank=True)
    events = models.JSONField(
        _("events"),
        default=list,
        blank=True,
        help_text=_('Event names it receives, e.g. ["alert.published"]; empty: all.'),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["channel", "name"]
        verbose_name = _("robot or webhook")
        verbose_name_plural = _("robots and webhooks")

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.name}"

    def wants(self, event: str) -> bool:
        return not self.events or event in self.events


class SmsGateway(models.Model):
    """The operator's SMS gateway, reached over HTTP; the console backend only logs."""

    class Backend(models.TextChoices):
        CONSOLE = "console", _("Console (log only)")
        HTTP = "http", _("HTTP gateway")

    name = models.CharField(_("name"), max_length=100)
    backend = models.CharField(_("backend"), max_length=10, choices=Backend.choices)
    url = models.URLField(_("URL"), max_length=500, blank=True)
    auth_header = models.CharField(
        _("authorization header"),
        max_length=300,
        blank=True,
        help_text=_('Sent as "Authorization", e.g. "Bearer <token>".'),
    )
    body_template = models.TextField(
        _("body template"),
        default='{"phone": "{phone}", "text": "{text}"}',
        help_text=_("JSON with {phone} and {text} placeholders (filled JSON-escaped)."),
    )
    batch_size = models.PositiveSmallIntegerField(
        _("messages per request"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_(
            "How many messages the gateway takes in one request (Aliyun's SendBatchSms takes"
            " 100, for example); 1 sends each message alone."
        ),
    )
    batch_template = models.TextField(
        _("batch body template"),
        default='{"messages": {messages}}',
        help_text=_(
            "The body of a request of several messages: JSON with {messages} (the list of the"
            " messages, each as the body template makes it), {phones} and {texts} (two lists"
            " in the same order)."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("SMS gateway")
        verbose_name_plural = _("SMS gateways")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """Each template must make valid JSON, so that no message waits to find out."""
        errors: dict[str, str] = {}
        if problem := _not_json(self.body("13800000000", '短信 "text"')):
            errors["body_template"] = problem
        elif (self.batch_size or 0) > 1:
            body = self.batch_body(["13800000000", "13900000000"], ["短信 1", "短信 2"])
            if problem := _not_json(body):
                errors["batch_template"] = problem
            elif body == self.batch_template:
                errors["batch_template"] = str(
                    _("Use {messages}, or {phones} and {texts}, to place the messages.")
                )
        if errors:
            raise ValidationError(errors)

    def body(self, phone: str, text: str) -> str:
        """A request's body for one message: the body template filled in, JSON-escaped."""
        return self.body_template.replace("{phone}", _json_text(phone)).replace(
            "{text}", _json_text(text)
        )

    def batch_body(self, phones: list[str], texts: list[str]) -> str:
        """A request's body for several messages: the batch template with ``{messages}`` (a
        JSON list of the messages, each as :meth:`body` makes it alone), ``{phones}`` and
        ``{texts}`` (JSON lists, in the same order) filled in: the shapes gateways take, a
        list of objects, or two lists as Aliyun's SendBatchSms."""
        filled = {
            "{messages}": "[" + ", ".join(map(self.body, phones, texts)) + "]",
            "{phones}": json.dumps(phones, ensure_ascii=False),
            "{texts}": json.dumps(texts, ensure_ascii=False),
        }
        pattern = "|".join(map(re.escape, filled))
        return re.sub(pattern, lambda match: filled[match.group()], self.batch_template)


def _not_json(text: str) -> str:
    """Why ``text`` is not valid JSON; empty if it is."""
    try:
        json.loads(text)
    except ValueError as error:
        return _("This does not make valid JSON: %(error)s") % {"error": error}
    return ""


def _json_text(value: str) -> str:
    """``value`` escaped for use inside a JSON string literal."""
    return json.dumps(value, ensure_ascii=False)[1:-1]


class ChannelPreference(models.Model):
    """A person's choice to receive (or not) a channel; in-app always stays on."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="channel_preferences"
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=[(c.value, c.label) for c in PERSONAL_CHANNELS]
    )
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("channel preference")
        verbose_name_plural = _("channel preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "channel"], name="one_preference_per_channel")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.channel}: {self.enabled}"


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DEAD = "dead", _("Undeliverable")


def _give_up_at():
    return timezone.now() + settings.DELIVERY_RETRY_HORIZON


class Delivery(models.Model):
    """The outbox: one row per recipient and channel (or per endpoint), written in the
    transaction of the event, delivered by Celery with retries, found again by a sweep.

    A row is claimed (pending → sending) under a short lease before it is sent, so a
    redelivered task never sends it a second time, and a worker killed while sending leaves
    it to be taken over once the lease lapses. It is retried, with back-off, until
    ``give_up_at``; then it is undeliverable (a dead letter) until a person re-drives it."""

    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    endpoint = models.ForeignKey(
        Endpoint, null=True, blank=True, on_delete=models.PROTECT, related_name="deliveries"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=500, blank=True)
    event = models.CharField(_("event"), max_length=50, blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    dedupe_key = models.CharField(_("deduplication key"), max_length=250, unique=True)
    state = models.CharField(
        _("state"), max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    give_up_at = models.DateTimeField(_("retried until"), default=_give_up_at)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    lease_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    fallback_of = models.ForeignKey(
        "self",
        verbose_name=_("instead of"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="fallbacks",
        help_text=_("The delivery on another channel that failed, which this one stands in for."),
    )
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(state="pending"),
                name="delivery_due",
            ),
            models.Index(
                fields=["lease_until"], condition=models.Q(state="sending"), name="delivery_leased"
            ),
            models.Index(
                fields=["created_at"], condition=models.Q(state="dead"), name="delivery_dead"
            ),
            # the prune of sent ones past their retention (services.deliveries_prune)
            models.Index(
                fields=["sent_at"], condition=models.Q(state="sent"), name="delivery_sent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.address}: {self.get_state_display()}"


class Circuit(models.Model):
    """A circuit breaker per channel (email, SMS) and per robot or webhook: after
    ``CIRCUIT_FAILURES`` failures in a row it opens, and deliveries on it wait (rescheduled,
    no worker held, no attempt counted) until the cool-down ends; then one delivery probes it:
    success closes it, failure opens it again for twice as long (up to a cap)."""

    key = models.CharField(_("channel"), max_length=50, unique=True)
    failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    trips = models.PositiveSmallIntegerField(_("times opened in a row"), default=0)
    open_until = models.DateTimeField(_("paused until"), null=True, blank=True)
    probe_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("channel circuit")
        verbose_name_plural = _("channel circuits")

    def __str__(self) -> str:
        return self.key
