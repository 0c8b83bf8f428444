"""The web server's entry points settle their process once it has loaded (config.runtime)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("entry", ["config.asgi", "config.wsgi"])
def test_an_entry_point_loads_the_views_and_freezes_what_it_loaded(entry):
    """Importing the entry point (as uvicorn's workers do) loads the URL configuration, and
    with it the views, before the first request; and takes what is loaded out of the
    garbage collector's full collections."""
    probe = (
        "import gc, sys\n"
        f"import {entry}\n"
        "print(gc.get_freeze_count() > 10000, 'complaints.api.views' in sys.modules)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local"}
    run = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["True", "True"]
