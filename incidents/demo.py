"""Demo data of incidents, run by `manage.py seed_demo` after the organisation."""

from .defaults import apply_defaults


def seed() -> None:
    apply_defaults()
