"""Open pages of complaints read them again when they change (``core.live``): the
complaint's own page and the lists (and dashboards) of those who see it."""

from collections.abc import Iterable, Sequence

from core.live import publish
from organisation.live import scoped_topics, told

from .models import Complaint
from .selectors import VISIBLE_THROUGH


def complaints_told(ids: Iterable[int]) -> None:
    told("complaints", Complaint, ids, VISIBLE_THROUGH)


def complaints_created(complaints: Sequence[Complaint]) -> None:
    """New complaints: the departments they are visible to are on their rows (none is
    convened yet), so no query."""
    departments = [pk for c in complaints for pk in (c.department_id, c.first_ask_department_id)]
    publish([f"complaint:{c.pk}" for c in complaints] + scoped_topics("complaints", departments))
