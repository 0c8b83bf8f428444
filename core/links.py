"""A record's page, addressed without a pass of the URL resolver each time: its view's address
is reversed once (per URLconf and script prefix), and each record's id put in its place. A
storm's thousands of notifications and violations each name a record's page."""

from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

_SLOT = 918273645546372819  # an id no record has, marking where the id goes


@lru_cache(maxsize=128)
def _around(viewname: str, urlconf: str, prefix: str) -> tuple[str, str]:
    before, _slot, after = reverse(viewname, urlconf=urlconf, kwargs={"pk": _SLOT}).partition(
        str(_SLOT)
    )
    return before, after


def record_url(viewname: str, pk: int) -> str:
    """``reverse(viewname, kwargs={"pk": pk})``, for a view whose only argument is an id."""
    before, after = _around(viewname, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    return f"{before}{int(pk)}{after}"
