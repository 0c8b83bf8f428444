"""Open pages of incidents read them again when they change (``core.live``): the incident's
own page and the lists (and dashboards) of those who see it."""

from collections.abc import Iterable

from organisation.live import told

from .models import Incident
from .selectors import VISIBLE_THROUGH


def incidents_told(ids: Iterable[int]) -> None:
    told("incidents", Incident, ids, VISIBLE_THROUGH)
