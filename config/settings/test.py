"""The test suite: real PostgreSQL and real Redis, never SQLite.

`tests/conftest.py` stops the run with an error (not a skip) when either is unreachable.
"""

from .base import REDIS_TRANSPORT_OPTIONS, env
from .suite import *  # noqa: F403

DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/fenghuo"),
}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise RuntimeError("The test suite runs on PostgreSQL: set DATABASE_URL to a postgres:// URL")

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/15")
CELERY_BROKER_TRANSPORT_OPTIONS = REDIS_TRANSPORT_OPTIONS
