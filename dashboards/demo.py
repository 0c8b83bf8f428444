"""The dashboards of the demo records: computed at once, not a minute later by the job."""

from .services import rollup_recent


def seed_records() -> int:
    rollup_recent()
    return 0
