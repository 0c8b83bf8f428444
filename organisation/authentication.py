"""`Authorization: Api-Key <key>` for external systems (see the REST contract). A key acts as
its own system user, within its scopes (:mod:`organisation.api.permissions`)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from .models import ApiKey
from .services import api_key_touch

KEYWORD = "Api-Key"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        scheme, _sep, raw = header.partition(" ")
        if scheme.lower() != KEYWORD.lower():
            return None
        raw = raw.strip()
        if not raw:
            raise exceptions.AuthenticationFailed(_("The Api-Key header carries no key."))
        try:
            api_key = ApiKey.objects.get_from_key(raw)
        except ApiKey.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Unknown or revoked API key.")) from None
        if api_key.has_expired:
            raise exceptions.AuthenticationFailed(_("This API key has expired."))
        if not api_key.user.is_active:
            raise exceptions.AuthenticationFailed(_("This API key's system user is disabled."))
        api_key_touch(api_key=api_key)
        return api_key.user, api_key

    def authenticate_header(self, request) -> str:
        return KEYWORD


SCOPES_DESCRIPTION = """`Api-Key <key>`, as printed by `manage.py create_api_key`.

A key acts within explicit scopes, printed when it is created and shown in the admin:

- `intake`: submit complaints and incidents, and read back only what this key submitted
  (the default for a key without a department);
- `department`: read and act on its department's records, as its interface person would
  (needs the key's department; the default for a key with one);
- `province`: read every department's records and `/metrics/`, write nothing (for
  reporting systems).

A request outside the key's scopes is a 403 whose detail names the scope it lacks; it
creates nothing. Each operation's description names the scope it needs."""


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "organisation.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": SCOPES_DESCRIPTION,
        }
