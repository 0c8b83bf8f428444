"""`make run`'s processes (config/Procfile, run by honcho) in the terminal's foreground:
"serving on …" once the web answers, and Ctrl-C stops them all and ends quietly (exit 0,
not make's "Interrupt")."""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

HOST = os.environ.get("FENGHUO_HOST", "127.0.0.1")
PORT = os.environ.get("FENGHUO_PORT", "8000")


@contextmanager
def _foreground(pgid: int):
    """Make process group ``pgid`` the terminal's foreground while it runs: Ctrl-C then
    reaches only it, not make (which would report the run as interrupted)."""
    try:
        tty = os.open("/dev/tty", os.O_RDWR)
    except OSError:  # no terminal (CI, a service manager): nothing to hand over
        yield
        return
    ours = os.getpgrp()
    previous = signal.signal(signal.SIGTTOU, signal.SIG_IGN)  # we are in the background
    try:
        os.tcsetpgrp(tty, pgid)
        yield
    finally:
        try:
            os.tcsetpgrp(tty, ours)
        finally:
            signal.signal(signal.SIGTTOU, previous)
            os.close(tty)


class Command(BaseCommand):
    help = "Run the web, the workers and beat (config/Procfile) until Ctrl-C."

    def handle(self, *args, **options):
        procfile = Path(settings.BASE_DIR) / "config" / "Procfile"
        scripts = Path(sys.executable).parent  # the virtualenv's: uvicorn, celery, honcho
        url = f"http://{HOST}:{PORT}/"
        processes = subprocess.Popen(
            [str(scripts / "honcho"), "-d", str(settings.BASE_DIR), "-f", str(procfile), "start"],
            env={**os.environ, "PATH": f"{scripts}{os.pathsep}{os.environ.get('PATH', '')}"},
            process_group=0,  # its own group: the terminal's foreground, see above
        )
        # without a terminal (a service manager, a script) the signal comes to us: pass it on
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda received, _frame: processes.send_signal(received))
        with _foreground(processes.pid):
            self._announce(url, processes)
            code = processes.wait()
        # honcho ends 130 (or by the signal) when Ctrl-C stopped it: that is how a run ends
        if code not in (0, 130, -signal.SIGINT, -signal.SIGTERM):
            sys.exit(code)
        self.stdout.write("Fenghuo stopped.")

    def _announce(self, url: str, processes: subprocess.Popen) -> None:
        """Say where Fenghuo serves once it answers (the migrations and the demo are loaded
        before: the first answer is a working page)."""
        for _ in range(600):
            if processes.poll() is not None:
                return
            try:
                urllib.request.urlopen(f"{url}healthz", timeout=1)
            except OSError:
                time.sleep(0.2)
                continue
            self.stdout.write(self.style.SUCCESS(f"Fenghuo is serving on {url} (Ctrl-C stops it)"))
            return
