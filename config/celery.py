"""The Celery application: worker and beat of every environment are started from here."""

import os

from celery import Celery
from celery.signals import worker_process_init, worker_ready
from kombu.transport import TRANSPORT_ALIASES

# Importing the `config` package (as a server's `config.asgi` or `config.wsgi` does) runs this
# first: like the ASGI and WSGI entry points it defaults to production. `manage.py` and
# `make run`'s Procfile choose the local settings themselves.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

# the embedded default's broker writes each message whole before a worker may read it
TRANSPORT_ALIASES["filesystem"] = "core.broker:Transport"

app = Celery("fenghuo")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect  # each process of a prefork pool, once forked
@worker_ready.connect  # the worker's own process, where a threads pool runs the tasks
def _settle(**_kwargs) -> None:
    from config.runtime import settle

    settle()
