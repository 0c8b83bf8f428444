"""Every route of the URLconf, read from it: the suite-wide walks (bad input, scoping) take
their routes from here, so a new route is covered without a change to a test."""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from rest_framework.views import APIView


@dataclass(frozen=True)
class Route:
    name: str  # namespaced, as reverse() takes it
    pattern: str
    converters: tuple[tuple[str, str], ...]  # (keyword, "int" | "str")
    callback: object = field(compare=False, hash=False)

    @property
    def api(self) -> bool:
        view_class = getattr(self.callback, "cls", None)
        return isinstance(view_class, type) and issubclass(view_class, APIView)

    @property
    def api_methods(self) -> set[str]:
        """The methods a DRF route answers (its viewset's actions), GET for a plain APIView."""
        actions = getattr(self.callback, "actions", None)
        return {method.upper() for method in actions} if actions else {"GET"}


_GROUP = re.compile(r"\(\?P<(\w+)>([^)]*)\)")


def _converters(pattern) -> list[tuple[str, str]]:
    found = []
    if isinstance(pattern, RoutePattern):
        for name, converter in pattern.converters.items():
            found.append((name, "int" if converter.regex == "[0-9]+" else "str"))
    else:
        for name, regex in _GROUP.findall(str(pattern.regex.pattern)):
            found.append((name, "int" if regex == "[0-9]+" else "str"))
    return found


def _walk(resolver, prefix="", namespace="", converters=()) -> Iterator[Route]:
    for entry in resolver.url_patterns:
        here = [*converters, *_converters(entry.pattern)]
        if isinstance(entry, URLResolver):
            space = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry, prefix + str(entry.pattern), space, here)
        elif isinstance(entry, URLPattern):
            yield Route(
                f"{namespace}{entry.name}", prefix + str(entry.pattern), tuple(here), entry.callback
            )


def routes() -> list[Route]:
    """Every route, less Django's admin (a site of its own, for staff) and DRF's format-suffix
    copies of the API routes (the same views)."""
    found: dict[str, Route] = {}
    for route in _walk(get_resolver()):
        keywords = {name for name, _kind in route.converters}
        if route.name.startswith("admin:") or "format" in keywords:
            continue
        found.setdefault(route.name, route)
    return list(found.values())
