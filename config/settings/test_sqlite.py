"""The embedded default under test: `make run`'s SQLite (WAL, immediate transactions) and
filesystem broker, for `tests/embedded/` only (`make pytest-sqlite`).

``DATABASE_URL`` and ``CELERY_BROKER_URL`` are ignored on purpose: CI exports PostgreSQL and
Redis URLs for the main suite, and this pass proves the default that needs neither. Its files
live in a directory of their own, so that runs side by side do not share a database.
Tasks run eagerly and propagate their errors: the code `make run`'s worker runs, against the
same SQLite, failing the test where it would fail in the worker.
"""

import atexit
import shutil
import tempfile
from pathlib import Path

from .base import SQLITE_OPTIONS
from .suite import *  # noqa: F403

VAR_DIR = Path(tempfile.mkdtemp(prefix="fenghuo-sqlite-"))
atexit.register(shutil.rmtree, VAR_DIR, ignore_errors=True)
BROKER_DIR = VAR_DIR / "broker"
for folder in (BROKER_DIR, VAR_DIR / "broker-processed", VAR_DIR / "broker-control"):
    folder.mkdir(parents=True, exist_ok=True)

# The same engine and options as base.py gives `make run` (WAL, IMMEDIATE, timeout).
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(VAR_DIR / "fenghuo.sqlite3"),
        "OPTIONS": dict(SQLITE_OPTIONS),
        "TEST": {"NAME": str(VAR_DIR / "test_fenghuo.sqlite3")},
    },
}
MEDIA_ROOT = VAR_DIR / "media"

CELERY_BROKER_URL = "filesystem://"
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "data_folder_in": str(BROKER_DIR),
    "data_folder_out": str(BROKER_DIR),
    "processed_folder": str(VAR_DIR / "broker-processed"),
    "control_folder": str(VAR_DIR / "broker-control"),
    "store_processed": False,
}
