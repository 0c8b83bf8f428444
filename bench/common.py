"""Shared set-up of the benchmarks: a dedicated PostgreSQL database, migrated, Django ready.

Benchmarks never touch the development or test databases: they use BENCH_DATABASE_URL
(default postgres://postgres@127.0.0.1:5432/fenghuo_bench), created if missing.
"""

import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def setup_django(*, migrate: bool = True) -> None:
    url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fenghuo_bench")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    sys.path.insert(0, str(ROOT))
    _ensure_database(url)
    import django

    django.setup()
    if migrate:  # a process of a benchmark that has migrated already needs not
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def _ensure_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def timed(function, repeat: int) -> list[float]:
    """Milliseconds per call."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def summary(samples: list[float]) -> str:
    return (
        f"p50 {statistics.median(samples):.2f} ms, p95 {percentile(samples, 95):.2f} ms, "
        f"max {max(samples):.2f} ms ({len(samples)} runs)"
    )


def machine() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    cpus = os.cpu_count()
    try:
        memory = subprocess.run(["free", "-g"], capture_output=True, text=True).stdout.split()[7]
    except (OSError, IndexError):
        memory = "?"
    return f"{platform.machine()}, {cpus} cores, {memory} GiB, Python {platform.python_version()}, PostgreSQL {version}"


def write(name: str, text: str) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.md"
    path.write_text(text, encoding="utf-8")
    return path


def secondary_indexes(cursor, table: str) -> list[tuple[str, str]]:
    """The (name, definition) of ``table``'s indexes that are neither its primary key nor a
    constraint's: those a bulk load drops and builds again after. A definition ends with
    the statistics targets set on the index's columns (the bigram indexes' own, which
    decide how the search reads a word)."""
    cursor.execute(
        "SELECT i.indexname, i.indexdef, ("
        "   SELECT string_agg(format('; ALTER INDEX %%I ALTER COLUMN %%s SET STATISTICS %%s',"
        "          i.indexname, a.attnum, a.attstattarget), '')"
        "   FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attstattarget >= 0)"
        " FROM pg_indexes i"
        " JOIN pg_class c ON c.relname = i.indexname JOIN pg_index x ON x.indexrelid = c.oid"
        " WHERE i.tablename = %s AND NOT x.indisprimary"
        " AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = c.oid)",
        [table],
    )
    return [(name, definition + (targets or "")) for name, definition, targets in cursor]


def step(label: str, cursor, sql: str, params=None) -> None:
    """Run one statement of a load and say how long it took."""
    start = time.perf_counter()
    cursor.execute(sql, params or [])
    print(f"  {label}: {time.perf_counter() - start:.1f} s", flush=True)


def uvicorn(port: int, env: dict[str, str], *options: str) -> subprocess.Popen:
    """Fenghuo served as production serves it (uvicorn, `config.asgi`) on ``port``, once it
    answers; ``options`` are uvicorn's (``--workers``, …)."""
    import urllib.request

    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "uvicorn"),
            "config.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
            *options,
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("uvicorn did not start")
