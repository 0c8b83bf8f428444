"""Topics of live updates (``core.live``) scoped as the lists are: a list's change is told to
those who see everything (``<kind>``) and to each department the record is visible to
(``<kind>:department:<id>``); a person's page hears the one of its scope."""

from collections.abc import Iterable, Sequence

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Model

from core.live import publish

from .selectors import user_department, user_sees_everything


def scope_topic(user: User | AnonymousUser | None, kind: str) -> str:
    if user is None or not user.is_authenticated:
        return ""
    if user_sees_everything(user):
        return kind
    department = user_department(user)
    return f"{kind}:department:{department.pk}" if department is not None else ""


def scoped_topics(kind: str, department_ids: Iterable[int | None]) -> list[str]:
    return [kind] + [f"{kind}:department:{pk}" for pk in set(department_ids) if pk]


def departments_of(model: type[Model], ids: Iterable[int], paths: Sequence[str]) -> set[int]:
    """The departments the records ``ids`` are visible to through ``paths`` (the lookups
    their list's scoping follows), in one query."""
    found: set[int] = set()
    for row in model._default_manager.filter(pk__in=set(ids)).values_list(*paths):
        found.update(pk for pk in row if pk)
    return found


def told(kind: str, model: type[Model], ids: Iterable[int], paths: Sequence[str]) -> None:
    """Tell the open pages of records ``ids`` (``<kind>:<id>``, the singular of ``kind``
    for an ``s``-plural) and their lists, as each viewer's scope sees them."""
    ids = {pk for pk in ids if pk}
    if ids:
        single = kind.removesuffix("s")
        publish(
            [f"{single}:{pk}" for pk in ids]
            + scoped_topics(kind, departments_of(model, ids, paths))
        )
