"""The Celery application: worker and beat of every environment are started from here."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("fenghuo")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
