"""The API's JSON parser (core.api.parsers): what no text column can hold is refused naming
where it is, however the body is looked through; nesting is bounded."""

import io

import pytest
from rest_framework.exceptions import ParseError, ValidationError

from core.api.parsers import MAX_DEPTH, JSONParser

EMOJI = '"\\ud83d\\ude00"'  # a pair of surrogate escapes: one valid character, 😀


def parse(text: str):
    return JSONParser().parse(io.BytesIO(text.encode()), parser_context={})


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ('{"items": [{"summary": "话费\\u0000多扣"}]}', "items.0.summary"),
        ('{"items": [{}, {"summary": "\\uD800"}]}', "items.1.summary"),
        ('{"items": [{"s\\u0000": 1}]}', "items.0"),
        ('["ok", "\\udfff"]', "1"),
    ],
)
def test_an_escaped_nul_or_lone_surrogate_is_refused_naming_where(body, where):
    with pytest.raises(ValidationError) as refused:
        parse(body)
    assert list(refused.value.detail) == [where]


def test_what_only_reads_like_such_an_escape_passes_and_a_valid_pair_is_one_character():
    assert parse('{"path": "C:\\\\u0000"}') == {"path": "C:\\u0000"}
    assert parse(f'{{"summary": {EMOJI}}}') == {"summary": "😀"}


@pytest.mark.parametrize("escaped", [False, True], ids=["depth alone", "strings too"])
def test_nesting_to_the_limit_passes_and_one_level_deeper_is_refused(escaped):
    def body(levels: int, leaf: str) -> str:
        nested = "[" * levels + leaf + "]" * levels
        # an escape elsewhere in the body has every string looked at
        return f'{{"s": {EMOJI}, "d": {nested}}}' if escaped else nested

    extra = 1 if escaped else 0  # the object around is a level too
    for leaf in ("1", '"x"', "[]", "{}"):
        parse(body(MAX_DEPTH - extra, leaf))  # the leaf as deep as may be
        with pytest.raises(ParseError):
            parse(body(MAX_DEPTH - extra + 1, leaf))
