"""A developer's machine: `make run` on the embedded default (SQLite, filesystem broker)."""

from .base import *  # noqa: F403
from .base import BROKER_DIR, VAR_DIR, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
# Let whitenoise serve straight from the source folders, no collectstatic needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES = {
    **STORAGES,  # noqa: F405 - the attachments' private store among them
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Mail is written to files under var/mail/ (one per message, readable as text) unless an SMTP
# server is configured: the workers' log stays readable.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "mail"

for folder in (VAR_DIR, BROKER_DIR):
    folder.mkdir(parents=True, exist_ok=True)
# SQLite's writers take turns and the embedded deadlines worker runs threads: the sweep
# announces a backlog alone.
DEADLINE_ANNOUNCERS = env.int("DEADLINE_ANNOUNCERS", default=1)
