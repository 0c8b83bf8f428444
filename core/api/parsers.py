"""The API's JSON parser: what no serializer could take is refused before any field sees it."""

import io
import re

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError

# The deepest body of the contract is a list of objects holding lists (bulk intake, escalation
# assignments): four levels. Deeper is no request of ours, and Python's recursion would give out.
MAX_DEPTH = 32
# what no text column can hold: found in one pass of the regular expression engine
_UNFIT = re.compile("[\x00\ud800-\udfff]")
# the escapes in a JSON text that could make it (or a text that merely reads like one)
_ESCAPE = re.compile(r"\\u(0000|d[89a-f])", re.IGNORECASE)


def _too_deep() -> ParseError:
    return ParseError(_("JSON nested deeper than %(depth)s levels.") % {"depth": MAX_DEPTH})


def _refuse(text: str, path: list[str]) -> None:
    """Raise for a string no text column can hold: a NUL character, or half a UTF-16
    surrogate pair (``"\\ud800"`` decodes to one, and no database encodes it)."""
    if _UNFIT.search(text) is None:
        return
    if "\x00" in text:
        code, message = "null_characters_not_allowed", _("Null characters are not allowed.")
    elif any("\ud800" <= character <= "\udfff" for character in text):
        code, message = "invalid_characters", _("The text holds a character that is not valid.")
    else:
        return
    # named as drf-standardized-errors names nested fields: "complaints.0.summary"
    raise ValidationError({".".join(path) or "non_field_errors": [message]}, code=code)


def check(data, *, strings: bool = True) -> None:
    """Raise for a body nested deeper than :data:`MAX_DEPTH` (ParseError), or holding in a
    string or key what no text column can hold (ValidationError naming the field). Without
    ``strings`` (a body whose text shows neither can be there), the depth alone."""
    stack: list[tuple[object, list[str]]] = [(data, [])]
    while stack:
        value, path = stack.pop()
        if len(path) > MAX_DEPTH:
            raise _too_deep()
        if isinstance(value, dict):
            members = value.items()
            if strings:
                for key in value:
                    _refuse(key, path)
        elif isinstance(value, list):
            members = ((str(index), item) for index, item in enumerate(value))
        else:
            if strings and isinstance(value, str):
                _refuse(value, path)
            continue
        for name, item in members:
            if strings or isinstance(item, dict | list):
                stack.append((item, [*path, name]))
            elif len(path) >= MAX_DEPTH:  # as deep as a member in a container may be
                raise _too_deep()


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser (strict: no NaN), refusing what would otherwise reach a view and end
    in a server error: nesting past Python's recursion (a thousand ``[`` raise RecursionError),
    NUL characters and lone surrogates in any string or key.

    Those two characters can only come from an escape (``\\u0000``, ``\\ud800``): strict JSON
    takes no raw control character and valid UTF-8 no surrogate. A body whose text holds no
    such escape (a bulk of 500 complaints, as a rule) is not looked through string by
    string."""

    def parse(self, stream, media_type=None, parser_context=None):
        body = stream.read()
        try:
            data = super().parse(io.BytesIO(body), media_type, parser_context)
        except RecursionError:
            raise _too_deep() from None
        text = body.decode(parsers.get_encoding(parser_context or {}))  # as parsed
        check(data, strings=_ESCAPE.search(text) is not None)
        return data
