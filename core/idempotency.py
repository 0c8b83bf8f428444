"""`Idempotency-Key` for POSTs that create records (REST contract): a retry with the same key
and body returns the first answer with status 200 and creates nothing; the same key with a
different body is a 409."""

import hashlib
import json
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response

from .errors import Conflict
from .models import IdempotencyRecord

HEADER = "Idempotency-Key"
#: The header in the API schema of each POST that honours it.
IDEMPOTENCY = OpenApiParameter(
    HEADER,
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="A retry with the same key and body returns the first result (200).",
)


def _digest(data) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(record: IdempotencyRecord, digest: str) -> Response:
    if record.request_hash != digest:
        raise Conflict(
            _("This Idempotency-Key was used with a different request."),
            code="idempotency_key_reused",
        )
    return Response(record.response, status=200)


def idempotent(request, scope: str, perform: Callable[[], tuple[int, dict]]) -> Response:
    """Run ``perform`` (which returns status and body) at most once per key.

    The record is written in the same transaction as the work, so a crash leaves neither.
    """
    key = request.headers.get(HEADER, "").strip()
    if not key:
        status, body = perform()
        return Response(body, status=status)
    if len(key) > 255:
        raise ValidationError({HEADER: _("At most 255 characters.")})
    digest = _digest(request.data)
    lookup = {"user": request.user, "scope": scope, "key": key}
    existing = IdempotencyRecord.objects.filter(**lookup).first()
    if existing is not None:
        return _replay(existing, digest)
    try:
        with transaction.atomic():
            status, body = perform()
            IdempotencyRecord.objects.create(
                **lookup, request_hash=digest, status_code=status, response=body
            )
    except IntegrityError:
        # A concurrent request with the same key won; its work stands and ours rolled back.
        existing = IdempotencyRecord.objects.filter(**lookup).first()
        if existing is None:
            raise
        return _replay(existing, digest)
    return Response(body, status=status)
