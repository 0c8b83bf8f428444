"""API throttling (DRF), counted in the cache: Redis in production, so that every web process
shares the counts.

The rates are settings (``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``): ``user`` per person or
API key, ``anon`` per address for the few endpoints open without a login, and ``failed_auth``
per address for requests whose credentials failed (a wrong or revoked API key, none at all).
A rate of ``None`` switches that throttle off, as it is locally and in the tests.

DRF checks its throttles only after authentication and permissions have passed, so a wrong key
would never reach them: :class:`FailedAuthThrottleMiddleware` counts every 401 of the API per
address and, past the rate, answers 429 before the credentials are even looked at (a guess
that happens to be right is refused too while the address is throttled).

A cache that is down lets requests through (and logs it): intake must not stop because Redis
did (the broker outage is already handled by the outbox and its sweep)."""

import logging
import math

from django.http import JsonResponse
from rest_framework import exceptions, throttling
from rest_framework.settings import api_settings

log = logging.getLogger(__name__)
API_PREFIX = "/api/"


class _LiveRates:
    """Read the rate when the throttle is made (DRF binds the rates at import), so that a
    settings change — production's environment, a test — takes effect."""

    scope: str | None

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)  # type: ignore[misc]
        except Exception as error:  # the cache is down: fail open
            log.warning("Throttle %s not checked, the cache is unavailable: %s", self.scope, error)
            return True


class UserThrottle(_LiveRates, throttling.UserRateThrottle):
    """Per person or API key (and per address when anonymous)."""


class AnonThrottle(_LiveRates, throttling.AnonRateThrottle):
    """Per address, for requests without credentials to endpoints open without a login."""


class FailedAuthThrottle(_LiveRates, throttling.SimpleRateThrottle):
    """Per address: requests whose authentication failed."""

    scope = "failed_auth"

    def get_cache_key(self, request, view=None):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def _recent(self, request) -> list[float]:
        self.key = self.get_cache_key(request)
        self.now = self.timer()
        self.history = [t for t in self.cache.get(self.key, []) if t > self.now - self.duration]
        return self.history

    def blocked_for(self, request) -> float | None:
        """Seconds until the address may try again, or None if it may now."""
        if len(self._recent(request)) >= self.num_requests:
            return self.wait()
        return None

    def record(self, request) -> None:
        history = self._recent(request)
        history.insert(0, self.now)
        self.cache.set(self.key, history, self.duration)


class FailedAuthThrottleMiddleware:
    """429 for an address that failed the API's authentication too often (see the module)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        throttle = FailedAuthThrottle()
        if throttle.rate is None:
            return self.get_response(request)
        try:
            wait = throttle.blocked_for(request)
        except Exception as error:  # the cache is down: fail open
            log.warning("Failed-auth throttle not checked, the cache is unavailable: %s", error)
            return self.get_response(request)
        if wait is not None:
            return _throttled(wait)
        response = self.get_response(request)
        if response.status_code == 401:
            try:
                throttle.record(request)
            except Exception as error:
                log.warning("Failed authentication not counted: %s", error)
        return response


def _throttled(wait: float) -> JsonResponse:
    """The 429 that DRF and drf-standardized-errors would give, with ``Retry-After``."""
    seconds = max(1, math.ceil(wait))
    error = exceptions.Throttled(wait=seconds)
    response = JsonResponse(
        {
            "type": "client_error",
            "errors": [{"code": error.default_code, "detail": str(error.detail), "attr": None}],
        },
        status=error.status_code,
    )
    response["Retry-After"] = str(seconds)
    return response
