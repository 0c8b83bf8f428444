"""Reads of planned work, and who sees which (the scoping rule).

The customer-service departments (which approve it and take the calls it causes) and the
managers see all of it; every other department sees the work it owns, the work announced to
it and what its people wrote. An API key with the ``planned_work`` scope (a network-management
system) sees what it submitted and what its department owns."""

from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from core.reference import TIMEOUT, cached, forget
from organisation.models import ApiKeyScope
from organisation.selectors import (
    in_customer_service,
    scope_to_user,
    user_api_key,
    user_department,
    user_sees_everything,
)

from .models import PlannedWork, PlannedWorkState

VISIBLE_THROUGH = ("owning_department", "author__profile__department")


def planned_work_list(*, user) -> QuerySet[PlannedWork]:
    works = PlannedWork.objects.select_related("owning_department", "author__profile")
    key = user_api_key(user)
    if key is not None and key.has_scope(ApiKeyScope.PLANNED_WORK):
        mine = Q(author=user)
        if key.department_id is not None:
            mine |= Q(owning_department=key.department_id)
        return works.filter(mine)
    if key is None and (user_sees_everything(user) or in_customer_service(user)):
        return works
    scoped = scope_to_user(works, user, *VISIBLE_THROUGH, submitted_by="author")
    department = user_department(user) if key is None else None
    if department is None:
        return scoped
    # announced to the person's department: a semi-join, so that a work announced to many
    # departments stays one row
    told = PlannedWork.announced_to.through.objects.filter(department=department)
    return works.filter(Q(pk__in=scoped.values("pk")) | Q(pk__in=told.values("plannedwork_id")))


def planned_work_open(*, city_id: int, at: datetime | None = None) -> QuerySet[PlannedWork]:
    """Announced work whose window is open at ``at`` in the city: what the hotline tells
    callers from there."""
    at = at or timezone.now()
    return (
        PlannedWork.objects.filter(
            state=PlannedWorkState.APPROVED,
            starts_at__lte=at,
            ends_at__gte=at,
            cities=city_id,
        )
        .select_related("owning_department")
        .order_by("ends_at", "pk")
    )


def planned_work_covering(*, city_id: int, business_line: str, at: datetime) -> PlannedWork | None:
    """The announced work that explains a complaint from ``city_id`` about ``business_line``
    taken at ``at`` (its window open then), if any."""
    for work in planned_work_open(city_id=city_id, at=at):
        if business_line in work.business_lines:
            return work
    return None


#: how far ahead the works held for intake reach: more than a holding lasts (core.reference)
AHEAD = timedelta(hours=1)
SOON = "planned_work_soon"


def planned_work_open_now(now: datetime) -> list[PlannedWork]:
    """Every announced work open ``now`` (the present moment), each with ``city_ids``:
    intake matches its complaints against them with no read. The works open now or within
    :data:`AHEAD` are held as reference data (``core.reference``: an approval or a change
    in another process is seen within its ``TIMEOUT``), and whether each is open is decided
    at each intake, to the second. A holding read at a moment too far from ``now`` (the
    clock was set) is read again."""
    read_at, works = cached(SOON, lambda: _soon(now))
    if not read_at <= now < read_at + AHEAD - timedelta(seconds=TIMEOUT):
        forget(SOON)
        read_at, works = cached(SOON, lambda: _soon(now))
    return [work for work in works if work.starts_at <= now <= work.ends_at]


def _soon(now: datetime) -> tuple[datetime, list[PlannedWork]]:
    works = list(
        PlannedWork.objects.filter(
            state=PlannedWorkState.APPROVED, starts_at__lte=now + AHEAD, ends_at__gte=now
        ).prefetch_related("cities")
    )
    for work in works:
        work.city_ids = {city.pk for city in work.cities.all()}  # type: ignore[attr-defined]
    return now, works
