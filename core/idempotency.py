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

    The key's record is written first, as a placeholder in the same transaction as the work,
    and then given the answer: a crash leaves neither. A concurrent request with the same key
    waits on the record's unique constraint until the first one's transaction ends, then
    replays its answer, or, if it rolled back, does the work itself. Were both to do the
    work, the second would meet the work's own unique constraints (a complaint's
    ``external_id``) and answer a conflict where the first answer was due.
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
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    **lookup, request_hash=digest, status_code=0, response={}
                )
        except IntegrityError:
            # A concurrent request with the same key committed first: its answer stands.
            existing = IdempotencyRecord.objects.filter(**lookup).first()
            if existing is None:
                raise
            return _replay(existing, digest)
        status, body = perform()
        record.status_code, record.response = status, body
        record.save(update_fields=["status_code", "response"])
    return Response(body, status=status)
