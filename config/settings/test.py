"""The test suite: real PostgreSQL and real Redis, never SQLite.

`tests/conftest.py` stops the run with an error (not a skip) when either is unreachable.
"""

import os
from urllib.parse import urlsplit

from .base import REDIS_TRANSPORT_OPTIONS, env
from .suite import *  # noqa: F403

DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/fenghuo"),
}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise RuntimeError("The test suite runs on PostgreSQL: set DATABASE_URL to a postgres:// URL")

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/15")
CELERY_BROKER_TRANSPORT_OPTIONS = REDIS_TRANSPORT_OPTIONS


def _redis_database_of_worker(url: str, worker: str) -> str:
    """The suite's Redis URL for one of pytest-xdist's workers (``gw0``, ``gw1``, …): the next
    database for each, so that one worker's queues, live-update stream and worker processes
    never meet another's (each worker has a PostgreSQL database of its own: pytest-django)."""
    parts = urlsplit(url)
    if not parts.scheme.startswith("redis"):
        return url
    database = int(parts.path.strip("/") or 0)
    own = (database + int(worker.removeprefix("gw"))) % 16  # Redis has 16 by default
    return parts._replace(path=f"/{own}").geturl()


if worker := os.environ.get("PYTEST_XDIST_WORKER"):
    CELERY_BROKER_URL = _redis_database_of_worker(CELERY_BROKER_URL, worker)
    # Celery prefers the environment's broker to its configuration, and the worker
    # processes that tests start inherit it
    os.environ["CELERY_BROKER_URL"] = CELERY_BROKER_URL
