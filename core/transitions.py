"""The guard every workflow service runs before a django-fsm transition: the state allows it
(else 409), the person may do it (else 403), its conditions hold (else 409)."""

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.utils.functional import Promise
from django_fsm import can_proceed

from .errors import Conflict


def transition_check(
    record,
    method: str,
    actor: User | None,
    *,
    not_now: str,
    forbidden: str | Promise,  # a lazy translation reads in the language of the request
    unmet: str | None = None,
    params: dict | None = None,
) -> None:
    """Check ``record.method`` for ``actor`` (``None``: the platform's own move, no person to
    authorise). The messages take ``%(action)s``, ``params`` and, for ``not_now``,
    ``%(state)s``; without ``unmet`` the conditions are left to the caller (which may name
    what is missing). ``forbidden`` says who may do it instead: the 403 page shows it."""
    names = {"action": method, **(params or {})}
    bound = getattr(record, method)
    if not can_proceed(bound, check_conditions=False):
        raise Conflict(
            not_now % {**names, "state": record.get_state_display()},
            code="invalid_state",
        )
    if actor is not None and not bound._django_fsm.has_transition_perm(record, record.state, actor):
        raise PermissionDenied(forbidden % names)
    if unmet is not None and not can_proceed(bound):
        raise Conflict(unmet % names, code="conditions_not_met")
