"""API-key scopes at the door of every endpoint (REST contract): a request made with a key
that lacks the scope its action needs is a 403 naming that scope, before anything is read or
written. What a key may then see is the scoping selectors' business
(:func:`organisation.selectors.scope_to_user`).

Every API view mixes in :class:`KeyScoped`; a view declares what its actions need with
``key_scopes`` (action → scopes) and ``key_read_scopes`` (its reads). Otherwise a read needs
any scope (the selectors narrow it: an ``intake`` key gets back what it submitted) and a
write needs ``department``.
"""

from collections.abc import Mapping

from django.utils.translation import gettext as _
from rest_framework import exceptions, permissions
from rest_framework.viewsets import ViewSetMixin

from core.api.errors import ApiSchema
from organisation.models import ApiKeyScope
from organisation.selectors import user_api_key

Scopes = frozenset[str]

ANY: Scopes = frozenset(ApiKeyScope.values)
SUBMIT: Scopes = frozenset({ApiKeyScope.INTAKE, ApiKeyScope.DEPARTMENT})
ACT: Scopes = frozenset({ApiKeyScope.DEPARTMENT})
OVERSEE: Scopes = frozenset({ApiKeyScope.DEPARTMENT, ApiKeyScope.PROVINCE})


def _named(scopes: Scopes) -> list[str]:
    """In the order the contract lists them."""
    return [scope for scope in ApiKeyScope.values if scope in scopes]


def scopes_needed(view, method: str) -> Scopes:
    """The scopes of which a key needs one for ``method`` on ``view``'s current action."""
    declared: Mapping[str, Scopes] = getattr(view, "key_scopes", {})
    action = getattr(view, "action", None)
    if action in declared:
        return declared[action]
    if method.upper() in permissions.SAFE_METHODS:
        return getattr(view, "key_read_scopes", ANY)
    return ACT


class ScopeMissing(exceptions.PermissionDenied):
    def __init__(self, needed: Scopes):
        names = _named(needed)
        if len(names) == 1:
            detail = _("This API key lacks the %(scope)s scope.") % {"scope": names[0]}
        else:
            detail = _("This API key lacks the scope this needs, one of: %(scopes)s.") % {
                "scopes": ", ".join(names)
            }
        super().__init__(detail=detail)


class KeyScopes(permissions.BasePermission):
    """Requests of people pass (their roles decide further on); a key needs one of the
    scopes the action asks for."""

    def has_permission(self, request, view) -> bool:
        key = user_api_key(request.user)
        if key is None:
            return True
        if isinstance(view, ViewSetMixin) and view.action is None:
            return True  # a method the resource does not have: its 405 follows
        needed = scopes_needed(view, request.method)
        if key.has_scope(*needed):
            return True
        raise ScopeMissing(needed)


def scope_note(needed: Scopes) -> str:
    """What an operation asks of an API key, for its description in the schema."""
    names = " or ".join(f"`{scope}`" for scope in _named(needed))
    if needed == ANY:
        return (
            "API keys: any scope. An `intake` key reads only what it submitted, a "
            "`department` key its department's records, a `province` key every department's."
        )
    if needed == OVERSEE:
        return (
            f"API keys: {names} scope (a `department` key: its department's records, "
            "a `province` key: every department's)."
        )
    return f"API keys: {names} scope."


class KeyScopedSchema(ApiSchema):
    """Each operation's description ends with the API-key scope it needs."""

    def get_description(self) -> str:
        description = super().get_description() or ""
        note = scope_note(scopes_needed(self.view, self.method))
        return f"{description}\n\n{note}" if description else note


class KeyScoped:
    """Mix into every API view: enforces (:class:`KeyScopes`, checked first, so that a key
    out of scope hears which scope it lacks) and documents the API-key scopes."""

    schema = KeyScopedSchema()
    key_scopes: Mapping[str, Scopes] = {}
    key_read_scopes: Scopes = ANY

    def get_permissions(self):
        return [KeyScopes(), *super().get_permissions()]  # type: ignore[misc]
