"""The HQ webhook's signature (no I/O): ``X-Fenghuo-Signature: sha256=<hex>`` is
HMAC-SHA256 with the shared secret over ``<X-Fenghuo-Timestamp>.<raw body>``, the same form
as the platform's own outgoing webhooks; the timestamp (Unix seconds) must be within
``HQ_WEBHOOK_TOLERANCE`` of now, so a captured request cannot be replayed later."""

import hashlib
import hmac

SIGNATURE_HEADER = "X-Fenghuo-Signature"
TIMESTAMP_HEADER = "X-Fenghuo-Timestamp"


class SignatureError(Exception):
    """The request is not signed by HQ (or not now)."""


def signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def signature_check(
    *, secret: str, timestamp: str, given: str, body: bytes, now: float, tolerance: float
) -> None:
    """Raises :class:`SignatureError` unless ``given`` signs ``body`` at a fresh
    ``timestamp``; the comparison takes the same time whatever differs."""
    if not secret:
        raise SignatureError("no secret is configured")
    try:
        moment = int(timestamp)
    except ValueError:
        raise SignatureError("the timestamp is not a number of seconds") from None
    if abs(now - moment) > tolerance:
        raise SignatureError("the timestamp is not within the allowed window")
    if not hmac.compare_digest(signature(secret, timestamp, body).encode(), given.encode()):
        raise SignatureError("the signature does not match")
