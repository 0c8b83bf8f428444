"""The guard every workflow service runs before a django-fsm transition: the state allows it
(else 409), the person may do it (else 403), its conditions hold (else 409)."""

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django_fsm import can_proceed

from .errors import Conflict


def transition_check(
    record,
    method: str,
    actor: User | None,
    *,
    not_now: str,
    forbidden: str,
    unmet: str | None = None,
) -> None:
    """Check ``record.method`` for ``actor`` (``None``: the platform's own move, no person to
    authorise). The messages take ``%(action)s`` and, for ``not_now``, ``%(state)s``; without
    ``unmet`` the conditions are left to the caller (which may name what is missing)."""
    bound = getattr(record, method)
    if not can_proceed(bound, check_conditions=False):
        raise Conflict(
            not_now % {"action": method, "state": record.get_state_display()},
            code="invalid_state",
        )
    if actor is not None and not bound._django_fsm.has_transition_perm(record, record.state, actor):
        raise PermissionDenied(forbidden % {"action": method})
    if unmet is not None and not can_proceed(bound):
        raise Conflict(unmet % {"action": method}, code="conditions_not_met")
