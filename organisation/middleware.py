"""Request plumbing of every page and API call: the language, requests no view should see,
and one transaction per write."""

from django.conf import settings
from django.core.exceptions import BadRequest, SuspiciousOperation
from django.db import DEFAULT_DB_ALIAS, transaction
from django.http import HttpResponseBadRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from rest_framework.views import APIView


def _language(request) -> str:
    """The language the person chose with the switch, else the product's (Chinese)."""
    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if language not in {code for code, _name in settings.LANGUAGES}:
        language = settings.LANGUAGE_CODE
    return language


class DefaultLanguageMiddleware:
    """Chinese unless the person chose English with the language switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language and show most office
    browsers English; the product speaks Chinese by default, so only the switch's cookie counts.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = _language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response


def _resolve(request):
    try:
        return resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return None


def _is_api(match) -> bool:
    """Whether the view is one of the REST API's (DRF), which answers errors in JSON."""
    view_class = getattr(getattr(match, "func", None), "cls", None)
    return isinstance(view_class, type) and issubclass(view_class, APIView)


NUL = "\x00"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
PATH = ""  # where a NUL character was: the path itself


def _nul_in(request) -> str | None:
    """Where the request holds a NUL character: the name of the header, parameter or form
    field, ``PATH`` for the path; None when nowhere."""
    if NUL in request.path_info:
        return PATH
    for key, value in request.META.items():
        if (key.startswith("HTTP_") or key == "CONTENT_TYPE") and NUL in str(value):
            return key.removeprefix("HTTP_").replace("_", "-").title()
    try:
        fields = [request.GET]
        if request.method == "POST" and request.content_type in FORM_TYPES:
            fields.append(request.POST)
        for data in fields:
            for key, values in data.lists():
                if NUL in key or any(NUL in value for value in values):
                    return key.replace(NUL, "\\x00")
    except (SuspiciousOperation, MultiPartParserError, BadRequest):
        # too many fields, too large, not a form: the view meets the same and answers 400
        return None
    return None


class NulCharacterMiddleware:
    """A NUL character (``\\x00``) fits no text column and is typed by no person: in the path,
    a header or cookie, a query parameter or a posted form field it is a 400 that names where
    it was, before a view, the session or a query sees it. (In a JSON body the API's parser
    refuses it: ``core.api.parsers``.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        where = _nul_in(request)
        if where is None:
            return self.get_response(request)
        with translation.override(_language(request)):
            message = (
                _("“%(name)s” holds a NUL character, which no text may contain.") % {"name": where}
                if where != PATH
                else _("The address holds a NUL character, which no text may contain.")
            )
        if _is_api(_resolve(request)):
            error = {
                "code": "null_characters_not_allowed",
                "detail": message,
                "attr": where if where != PATH else None,
            }
            return JsonResponse({"type": "validation_error", "errors": [error]}, status=400)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


def _non_atomic(match, method: str) -> bool:
    """Whether the view manages its own transactions (Django's ``non_atomic_requests``; on
    a DRF viewset, on the action's method)."""
    view = match.func
    marks = set(getattr(view, "_non_atomic_requests", ()))
    actions, view_class = getattr(view, "actions", None), getattr(view, "cls", None)
    if actions and view_class is not None:
        handler = getattr(view_class, actions.get(method.lower(), ""), None)
        marks |= set(getattr(handler, "_non_atomic_requests", ()))
    return DEFAULT_DB_ALIAS in marks


class AtomicWritesMiddleware:
    """Every write request (POST, PUT, PATCH, DELETE) is one transaction. What it wrote stays
    only when it answered without a server error, and from the API without any error (REST
    contract: bad input leaves no half-written record). A page shown again with its form's
    errors (400) keeps what it recorded of the visit, such as the log of personal data read.

    A view that keeps its own transactions short opts out with Django's
    ``transaction.non_atomic_requests`` (on a DRF viewset: on the action's method)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in SAFE_METHODS:
            return self.get_response(request)
        match = _resolve(request)
        if match is None or _non_atomic(match, request.method):
            return self.get_response(request)
        api = _is_api(match)
        with transaction.atomic(using=DEFAULT_DB_ALIAS):
            response = self.get_response(request)
            if response.status_code >= 500 or (api and response.status_code >= 400):
                transaction.set_rollback(True, using=DEFAULT_DB_ALIAS)
        return response
