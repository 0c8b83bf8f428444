"""What every test pass shares, whatever its database and broker (``test``: PostgreSQL and
Redis; ``test_sqlite``: the embedded default): no debug, a fixed key, tasks run eagerly in
the calling thread and raise, fast hashing, mail kept in memory, static files from the
finders."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-secret-key"
ALLOWED_HOSTS = ["*"]

# Unit tests run tasks in the calling thread; tests that need a real worker start one.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = "cache+memory://"

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # attached files of the tests that do not give their own folder: outside the checkout
    "attachments": {
        "BACKEND": "collaboration.attachment_storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": Path(tempfile.gettempdir()) / "fenghuo-test-attachments"},
    },
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
LOGGING = {"version": 1, "disable_existing_loggers": False}
