"""The web server's entry points and the Celery workers settle their processes once they have
loaded (config.runtime)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "entry",
    [
        "import config.asgi",
        "import config.wsgi",
        # a Celery worker: the processes of a prefork pool (forked before the worker is
        # ready), and the worker's own, where a threads pool runs the tasks
        "import django; django.setup(); from celery.signals import worker_process_init\n"
        "import config.celery; worker_process_init.send(sender=None)",
        "import django; django.setup(); from celery.signals import worker_ready\n"
        "import config.celery; worker_ready.send(sender=None)",
    ],
    ids=["asgi", "wsgi", "celery-pool-process", "celery-worker"],
)
def test_an_entry_point_loads_the_views_and_freezes_what_it_loaded(entry):
    """Starting a process that serves (as uvicorn's workers import the entry point) loads
    the URL configuration, and with it the views, before the first request or task; and
    takes what is loaded out of the garbage collector's full collections."""
    probe = (
        "import gc, sys\n"
        f"{entry}\n"
        "print(gc.get_freeze_count() > 10000, 'complaints.api.views' in sys.modules)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local"}
    run = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["True", "True"]
