"""How each channel sends one delivery. Every function raises on failure; the caller retries.

Robots follow their platforms' documented webhook formats and signing:
- DingTalk 钉钉: ``sign = base64(HMAC-SHA256(key=secret, msg=f"{timestamp_ms}\\n{secret}"))``,
  sent as ``timestamp`` and ``sign`` query parameters; body ``{"msgtype": "markdown", ...}``.
- WeCom 企业微信: the key is part of the URL (no signature); body ``{"msgtype": "markdown"}``.
- Feishu 飞书: ``sign = base64(HMAC-SHA256(key=f"{timestamp_s}\\n{secret}", msg=b""))`` in
  the body beside ``timestamp``; body ``{"msg_type": "text", ...}``.
Outbound webhooks carry ``X-Fenghuo-Signature: sha256=<hex HMAC-SHA256(secret, timestamp +
"." + body)>``, ``X-Fenghuo-Timestamp`` and ``X-Fenghuo-Delivery`` (for the receiver's
idempotency).
"""

import base64
import hashlib
import hmac
import json
import logging
import os
import smtplib
import threading
import time
from collections.abc import Sequence
from contextlib import contextmanager
from urllib.parse import quote_plus

import httpx
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend

from .models import Channel, Delivery, Endpoint, SmsGateway

log = logging.getLogger(__name__)


class DeliveryError(Exception):
    """The channel refused or could not take the message."""


class RefusedError(DeliveryError):
    """The channel works and refuses this message for good (an address the mail server does
    not know, a webhook's 4xx): retrying cannot help, and the channel is not at fault."""


# 4xx answers that mean "not now" rather than "never"
_RETRYABLE_4XX = {408, 425, 429}


def _endpoint(delivery: Delivery) -> Endpoint:
    if delivery.endpoint is None:
        raise DeliveryError("This delivery has no endpoint.")
    return delivery.endpoint


def send(delivery: Delivery) -> None:
    senders = {
        Channel.EMAIL: send_email,
        Channel.SMS: send_sms,
        Channel.DINGTALK: send_dingtalk,
        Channel.WECOM: send_wecom,
        Channel.FEISHU: send_feishu,
        Channel.WEBHOOK: send_webhook,
    }
    senders[Channel(delivery.channel)](delivery)


def requests(deliveries: Sequence[Delivery]) -> list[list[Delivery]]:
    """The deliveries as the channels are asked for them: each message alone, but the SMS
    together, as many to a request as the gateway takes (:func:`send_request`)."""
    size = sms_batch_size() if any(d.channel == Channel.SMS for d in deliveries) else 1
    units: list[list[Delivery]] = []
    sms: list[Delivery] = []
    for delivery in deliveries:
        if delivery.channel != Channel.SMS or size == 1:
            units.append([delivery])
            continue
        if not sms or len(sms) == size:
            units.append(sms := [])
        sms.append(delivery)
    return units


def send_request(deliveries: Sequence[Delivery]) -> None:
    """Send one of :func:`requests`' units: a message alone, or several SMS together."""
    if len(deliveries) == 1:
        send(deliveries[0])
    else:
        send_sms_many(deliveries)


def send_email(delivery: Delivery) -> None:
    message = EmailMessage(
        subject=delivery.subject,
        body=delivery.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[delivery.address],
        # A stable id lets mail systems drop a copy if a delivery is ever retried.
        headers={"Message-ID": f"<{delivery.dedupe_key.replace(':', '.')}@fenghuo>"},
    )
    try:
        _send_mail(message)
    except smtplib.SMTPRecipientsRefused as error:
        raise RefusedError(f"the mail server refuses {delivery.address}: {error}") from error


class _HeldMail(threading.local):
    """Each thread's SMTP connection, kept open between messages (see :func:`_send_mail`)."""

    backend: SMTPBackend | None = None
    key: tuple = ()
    used = 0.0


_held_mail = _HeldMail()


def _mail_close() -> None:
    backend, _held_mail.backend = _held_mail.backend, None
    if backend is not None:
        _drop(backend)


def _drop(backend: SMTPBackend) -> None:
    """Close the connection without a QUIT: the server may be the one that hangs."""
    if backend.connection is not None:
        backend.connection.close()
        backend.connection = None


def _send_mail(message: EmailMessage) -> None:
    """Send over the thread's open SMTP connection if it was used within
    ``EMAIL_CONNECTION_REUSE_SECONDS`` (and still leads to the configured server), else over
    a new one that is then kept: a burst of messages pays for connecting and greeting once per
    thread instead of once per message. A kept connection the server dropped while it was idle
    fails at its first command, before the message is handed over: the message then goes once
    more, over a new connection (not after a time-out: a hung server is not tried twice). Any
    other failure closes the connection; a refused recipient does not (the server has reset
    the transaction). Other backends (console, locmem, ...) send as configured."""
    reuse = settings.EMAIL_CONNECTION_REUSE_SECONDS
    if reuse <= 0 or settings.EMAIL_BACKEND != "django.core.mail.backends.smtp.EmailBackend":
        message.send(fail_silently=False)
        return
    key = (
        os.getpid(),
        settings.EMAIL_HOST,
        settings.EMAIL_PORT,
        settings.EMAIL_HOST_USER,
        settings.EMAIL_USE_TLS,
        settings.EMAIL_USE_SSL,
        settings.EMAIL_TIMEOUT,
    )
    held = _held_mail.backend
    if held is not None and (_held_mail.key != key or time.monotonic() - _held_mail.used > reuse):
        _mail_close()
        held = None
    if held is not None:
        try:
            _send_on(held, message, key)
            return
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPSenderRefused) as error:
            if not _dropped(error):
                raise
    backend = get_connection(fail_silently=False)
    assert isinstance(backend, SMTPBackend)  # EMAIL_BACKEND names it (checked above)
    _send_on(backend, message, key)


def _dropped(error: smtplib.SMTPException) -> bool:
    """The server had closed the connection (or closes it now, 421) rather than timed out."""
    if isinstance(error, smtplib.SMTPSenderRefused):
        return error.smtp_code == 421
    return not isinstance(error.__context__, TimeoutError)


def _send_on(backend: SMTPBackend, message: EmailMessage, key: tuple) -> None:
    try:
        backend.open()
        backend.send_messages([message])
    except smtplib.SMTPRecipientsRefused:
        _keep(backend, key)
        raise
    except BaseException:
        if backend is _held_mail.backend:
            _held_mail.backend = None
        _drop(backend)
        raise
    _keep(backend, key)


def _keep(backend: SMTPBackend, key: tuple) -> None:
    _held_mail.backend, _held_mail.key, _held_mail.used = backend, key, time.monotonic()


class _Batch(threading.local):
    gateways: list[SmsGateway | None] | None = None


_batch = _Batch()


@contextmanager
def batch():
    """Within it, the thread's sends share what they look up (the SMS gateway) once."""
    _batch.gateways = []
    try:
        yield
    finally:
        _batch.gateways = None


def _sms_gateway() -> SmsGateway | None:
    if _batch.gateways:
        return _batch.gateways[0]
    gateway = SmsGateway.objects.filter(is_active=True).first()
    if _batch.gateways is not None:
        _batch.gateways.append(gateway)
    return gateway


def send_sms(delivery: Delivery) -> None:
    send_sms_many([delivery])


def sms_batch_size() -> int:
    """How many SMS the active gateway takes in one request (1: each alone)."""
    gateway = _sms_gateway()
    if gateway is None or gateway.backend == SmsGateway.Backend.CONSOLE:
        return 1
    return max(1, gateway.batch_size)


def send_sms_many(deliveries: Sequence[Delivery]) -> None:
    """Hand the gateway these SMS: one alone in its body template, several (no more than its
    batch size) in one request of its batch template. The gateway takes or refuses them
    together."""
    gateway = _sms_gateway()
    texts = [f"{delivery.subject} {delivery.body}".strip() for delivery in deliveries]
    if gateway is None or gateway.backend == SmsGateway.Backend.CONSOLE:
        for delivery, text in zip(deliveries, texts, strict=True):
            log.info("SMS to %s: %s", delivery.address, text)
        return
    if len(deliveries) > max(1, gateway.batch_size):
        raise ValueError(
            f"{len(deliveries)} SMS exceed the gateway's batch of {gateway.batch_size}"
        )
    phones = [delivery.address for delivery in deliveries]
    body = (
        gateway.body(phones[0], texts[0]) if len(phones) == 1 else gateway.batch_body(phones, texts)
    )
    headers = {"Content-Type": "application/json"}
    if gateway.auth_header:
        headers["Authorization"] = gateway.auth_header
    _post(gateway.url, content=body.encode(), headers=headers)


def _markdown(delivery: Delivery) -> str:
    link = delivery.payload.get("link")
    text = f"### {delivery.subject}\n\n{delivery.body}"
    return f"{text}\n\n[{link}]({link})" if link else text


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    digest = hmac.new(
        secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode()


def send_dingtalk(delivery: Delivery) -> None:
    endpoint = _endpoint(delivery)
    url = endpoint.url
    if endpoint.secret:
        timestamp = int(time.time() * 1000)
        sign = quote_plus(dingtalk_sign(endpoint.secret, timestamp))
        url = f"{url}{'&' if '?' in url else '?'}timestamp={timestamp}&sign={sign}"
    body = {
        "msgtype": "markdown",
        "markdown": {"title": delivery.subject, "text": _markdown(delivery)},
    }
    _robot_ok(_post(url, json=body), "errcode")


def send_wecom(delivery: Delivery) -> None:
    body = {"msgtype": "markdown", "markdown": {"content": _markdown(delivery)}}
    _robot_ok(_post(_endpoint(delivery).url, json=body), "errcode")


def feishu_sign(secret: str, timestamp_s: int) -> str:
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def send_feishu(delivery: Delivery) -> None:
    endpoint = _endpoint(delivery)
    body: dict = {"msg_type": "text", "content": {"text": f"{delivery.subject}\n{delivery.body}"}}
    if endpoint.secret:
        timestamp = int(time.time())
        body = {
            "timestamp": str(timestamp),
            "sign": feishu_sign(endpoint.secret, timestamp),
            **body,
        }
    _robot_ok(_post(endpoint.url, json=body), "code")


def webhook_signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def send_webhook(delivery: Delivery) -> None:
    endpoint = _endpoint(delivery)
    body = json.dumps(
        {"event": delivery.event, "delivery": delivery.dedupe_key, "data": delivery.payload},
        ensure_ascii=False,
        sort_keys=True,
    ).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Fenghuo-Event": delivery.event,
        "X-Fenghuo-Delivery": delivery.dedupe_key,
        "X-Fenghuo-Timestamp": timestamp,
    }
    if endpoint.secret:
        headers["X-Fenghuo-Signature"] = webhook_signature(endpoint.secret, timestamp, body)
    _post(endpoint.url, content=body, headers=headers)


def _post(url: str, **kwargs) -> bytes:
    """POST and return the answer's body; a refusal, or an answer that takes longer than
    ``OUTBOUND_TIMEOUT`` in all (connecting within ``OUTBOUND_CONNECT_TIMEOUT``), raises. The
    body is read in pieces against the deadline, so a server that trickles bytes cannot hold
    the worker either."""
    limit = settings.OUTBOUND_TIMEOUT
    deadline = time.monotonic() + limit
    timeout = httpx.Timeout(limit, connect=settings.OUTBOUND_CONNECT_TIMEOUT)
    try:
        with _http_client().stream("POST", url, timeout=timeout, **kwargs) as response:
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if time.monotonic() > deadline:
                    raise DeliveryError(f"no complete answer within {limit:g} s")
    except httpx.HTTPError as error:
        raise DeliveryError(f"{type(error).__name__}: {error}") from error
    text = bytes(body).decode("utf-8", "replace")
    if 400 <= response.status_code < 500 and response.status_code not in _RETRYABLE_4XX:
        raise RefusedError(f"HTTP {response.status_code}: {text[:300]}")
    if response.status_code >= 300:
        raise DeliveryError(f"HTTP {response.status_code}: {text[:300]}")
    return bytes(body)


_http_clients: dict[int, httpx.Client] = {}
_http_lock = threading.Lock()


def _http_client() -> httpx.Client:
    """The process's HTTP client, shared by its threads: its TLS context is built once (that
    alone costs a fresh client some 200 ms of CPU) and its connections to a gateway or robot
    are kept alive for the next message. A forked child builds its own."""
    client = _http_clients.get(os.getpid())
    if client is None:
        with _http_lock:
            client = _http_clients.get(os.getpid())
            if client is None:
                _http_clients.clear()
                client = _http_clients[os.getpid()] = httpx.Client(
                    limits=httpx.Limits(max_connections=None, max_keepalive_connections=50)
                )
    return client


def _robot_ok(body: bytes, code_field: str) -> None:
    """Robots answer 200 with an error code in the body when they refuse a message."""
    try:
        answer = json.loads(body)
    except ValueError:
        return
    code = answer.get(code_field, 0) if isinstance(answer, dict) else 0
    if code not in (0, None):
        raise DeliveryError(f"robot refused the message: {body[:300].decode('utf-8', 'replace')}")
