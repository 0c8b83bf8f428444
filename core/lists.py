"""The lists people work from, by key: which page shows each and which query parameters are
its filters. Domain apps register their lists when they start; saved views and exports name
a list by its key, so that core knows no domain."""

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from django.urls import reverse


@dataclass(frozen=True)
class ListSpec:
    key: str
    url_name: str
    params: tuple[str, ...]
    export_url_name: str | None = None

    @property
    def url(self) -> str:
        return reverse(self.url_name)

    def export_url(self, fmt: str) -> str | None:
        return reverse(self.export_url_name, args=[fmt]) if self.export_url_name else None


LISTS: dict[str, ListSpec] = {}


def list_register(
    key: str, *, url_name: str, params: Iterable[str], export_url_name: str | None = None
) -> None:
    LISTS[key] = ListSpec(
        key=key, url_name=url_name, params=tuple(params), export_url_name=export_url_name
    )


def list_get(key: str) -> ListSpec | None:
    return LISTS.get(key)


def query_normalise(key: str, query: str) -> str:
    """``query`` with only the list's filter parameters, empty values dropped, sorted by
    parameter (the same filters give the same text); a leading ``?`` is ignored."""
    spec = LISTS[key]
    pairs = [
        (name, value.strip())
        for name, value in parse_qsl(query.lstrip("?"), keep_blank_values=False)
        if name in spec.params and value.strip()
    ]
    pairs.sort(key=lambda pair: (spec.params.index(pair[0]), pair[1]))
    return urlencode(pairs)
