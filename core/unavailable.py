"""Honest answers while the database or the broker cannot be reached: 503 Service Unavailable
with ``Retry-After`` (``settings.RETRY_AFTER_SECONDS``), not a 500 that reads as a bug in the
request. A client that retries after that many seconds does the right thing; nothing of the
failed request was kept (a write request is one transaction: ``AtomicWritesMiddleware``).

Two ways in: the API's exception handler (``core.api.errors``) answers for its views, and
:func:`server_error`, the URLconf's ``handler500``, for everything else (pages, and what fails
in a middleware before or after an API view, such as opening a write request's transaction).
"""

import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from kombu.exceptions import OperationalError as BrokerUnreachable
from redis.exceptions import ConnectionError as RedisUnreachable
from redis.exceptions import TimeoutError as RedisTimeout

#: What an outage raises: a database connection that cannot be opened or was cut (on the
#: embedded SQLite also a database locked for too long), the broker or Redis out of reach.
#: Other database errors (a bad query, a broken constraint) are bugs or conflicts and stay
#: what they are.
UNAVAILABLE = (OperationalError, InterfaceError, BrokerUnreachable, RedisUnreachable, RedisTimeout)
CODE = "service_unavailable"
MESSAGE = _("The service is briefly unavailable. Try again in a few seconds.")
API_PREFIX = "/api/"


def retry_after() -> int:
    return settings.RETRY_AFTER_SECONDS


def server_error(request) -> HttpResponse:
    """``handler500``: Django calls it while handling the exception, so ``sys.exc_info()``
    names it. An outage is a 503, in the API's error shape under ``/api/`` and otherwise a
    page rendered without the request: no context processor runs, none can query the
    database that is down. Anything else is Django's 500."""
    if not isinstance(sys.exc_info()[1], UNAVAILABLE):
        return defaults.server_error(request)
    seconds = retry_after()
    response: HttpResponse
    if request.path_info.startswith(API_PREFIX):
        error = {"code": CODE, "detail": str(MESSAGE), "attr": None}
        response = JsonResponse({"type": "server_error", "errors": [error]}, status=503)
    else:
        response = HttpResponse(render_to_string("503.html", {"seconds": seconds}), status=503)
    response["Retry-After"] = str(seconds)
    return response
