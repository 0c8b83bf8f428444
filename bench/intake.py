"""Benchmark of complaint intake (`make bench-intake`).

Serves the application as production does (uvicorn, `config.asgi`, one process per worker)
on PostgreSQL (with Redis as the broker, as in production) and loads it from a second process with `hey` over loopback, 20 s per run:

- the bare yardstick: a plain DRF create of the same shape (`bench/bare`), same auth;
- a single complaint per POST: validation, numbering, timeline, limits (the two take turns
  after a warm-up, so that both meet the same machine);
- the same at half the top single rate, for its p99;
- 500 complaints per bulk POST.

Every run is reported; a target is met only when all runs meet it (0.75 × the yardstick,
p99 ≤ 100 ms at half the top rate, 3,000 complaints/s in bulk).

    python bench/intake.py [--seconds 20] [--concurrency 16] [--runs 3]
"""

import argparse
import csv
import io
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, machine, uvicorn, write

PORT = 8765
WARM_UP = 3  # seconds of each endpoint before measuring
TURNS = 4  # the yardstick and the intake alternate, each measured over this many turns
WORKERS = (os.cpu_count() or 1) * 2
BASE = f"http://127.0.0.1:{PORT}"


def environment() -> dict[str, str]:
    url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fenghuo_bench")
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_SECRET_KEY": "bench-only-secret",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_HTTPS": "false",
        # one key at full speed: the throttle is counted (as in production), never reached
        "API_THROTTLE_USER": "100000/s",
        "DATABASE_URL": url,
        "CELERY_BROKER_URL": os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/14"),
        "BENCH_DATABASE_URL": url,
    }


def prepare() -> str:
    """Migrate, load the demo organisation, empty the intake tables; return an API key."""
    os.environ.update(environment())
    from bench.common import _ensure_database

    _ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from organisation.demo import seed_demo
    from organisation.models import Department
    from organisation.services import api_key_create

    call_command("migrate", verbosity=0)
    seed_demo()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE complaints_complaint, complaints_complaintevent, deadlines_deadline,"
            " incidents_timelineevent, incidents_incident, bench_bare_barecomplaint,"
            " complaints_masscomplaintcluster CASCADE"
        )
    _key, raw = api_key_create(
        name="intake benchmark", department=Department.objects.get(code="CSC")
    )
    return raw


def complaint(n: int) -> dict:
    cities = ["CC", "JL", "SP", "LY", "TH", "BS", "SY", "BC", "YB"]
    lines = ["network", "billing", "value_added", "service"]
    return {
        "customer_name": "王先生",
        "customer_phone": f"138{n:08d}",
        "customer_account": f"A{n:09d}",
        "city": cities[n % len(cities)],
        "address": "长春市朝阳区人民大街 100 号",
        "business_line": lines[n % len(lines)],
        "summary": "晚上 4G 上网很慢",
        "description": "近三天晚上 4G 上网很慢，网页打不开，视频卡顿。",
    }


def hey(
    url: str,
    body: Path,
    key: str,
    seconds: float,
    concurrency: int,
    *,
    stored: Callable[[], int],
    per_answer: int = 1,
    rate: float = 0,
) -> dict:
    """One run of `hey`: every answered request's latency (ms) and status, and how long the
    run took from its first request to its last answer.

    hey lists answered requests only; the ones the server handled but whose answer never
    came (a time-out, a reset) are found from the rows it stored (``stored()``, rows per
    answer ``per_answer``) and counted as "no answer"."""
    before = stored()
    command = [
        "hey", "-z", f"{seconds:g}s", "-c", str(concurrency), "-m", "POST", "-o", "csv",
        "-T", "application/json", "-H", f"Authorization: Api-Key {key}", "-D", str(body),
    ]  # fmt: skip
    if rate:
        command += ["-q", f"{rate / concurrency:.2f}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rows = list(csv.DictReader(io.StringIO(output)))
    if len(rows) < 2:
        raise SystemExit(f"hey gave no figures for {url}:\n{output}")
    statuses = Counter(row["status-code"] for row in rows)
    answered = sum(n for status, n in statuses.items() if status.startswith("2"))
    lost = stored() - before - answered * per_answer
    if lost > 0:
        statuses["no answer"] = -(-lost // per_answer)
    return {
        "latencies": [float(row["response-time"]) * 1000 for row in rows],
        "statuses": statuses,
        "elapsed": max(float(row["offset"]) + float(row["response-time"]) for row in rows),
    }


def summary(runs: list[dict]) -> dict:
    """Requests per second, p50 and p99 over runs taken together."""
    latencies = [latency for run in runs for latency in run["latencies"]]
    cuts = statistics.quantiles(latencies, n=100)
    statuses: Counter = sum((run["statuses"] for run in runs), Counter())
    return {
        "rps": len(latencies) / sum(run["elapsed"] for run in runs),
        "p50": cuts[49],
        "p99": cuts[98],
        "statuses": dict(sorted(statuses.items())),
    }


def serve() -> subprocess.Popen:
    return uvicorn(PORT, environment(), "--workers", str(WORKERS))


TARGET_RATIO = 0.75  # single POST against the bare create
TARGET_P99_MS = 100  # single POST at half the top rate
TARGET_BULK = 3000  # complaints per second through 500-item bulk POSTs


def measure(key: str, bodies: Path, s: int, c: int) -> dict:
    """One run: the yardstick and the single POST in turns, the half rate, the bulk."""
    from bench.bare.models import BareComplaint
    from complaints.models import Complaint

    bares_stored, complaints_stored = BareComplaint.objects.count, Complaint.objects.count
    server = serve()
    try:
        bare_url, single_url = f"{BASE}/api/bare/complaints/", f"{BASE}/api/v1/complaints/"
        one = bodies / "one.json"
        for url, stored in ((bare_url, bares_stored), (single_url, complaints_stored)):
            hey(url, one, key, WARM_UP, c, stored=stored)  # workers, connections, caches
        # the yardstick and the intake in turns, so that whatever else the machine does
        # weighs on both alike
        bares, singles = [], []
        for _turn in range(TURNS):
            bares.append(hey(bare_url, one, key, s / TURNS, c, stored=bares_stored))
            singles.append(hey(single_url, one, key, s / TURNS, c, stored=complaints_stored))
        bare, single = summary(bares), summary(singles)
        # at half the top rate, from as many connections as the server has workers: hey's
        # per-connection tickers fire together, and 16 of them would arrive as bursts
        half = summary(
            [
                hey(
                    single_url,
                    one,
                    key,
                    s,
                    WORKERS,
                    stored=complaints_stored,
                    rate=single["rps"] / 2,
                )
            ]
        )
        bulk_url = f"{BASE}/api/v1/complaints/bulk/"
        bulk = summary(
            [
                hey(
                    bulk_url, bodies / "bulk.json", key, s, max(2, c // 4),
                    stored=complaints_stored, per_answer=500,
                )
            ]
        )  # fmt: skip
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    for name, run, expected in (
        ("bare", bare, "201"),
        ("single", single, "201"),
        ("half rate", half, "201"),
        ("bulk", bulk, "207"),
    ):
        if set(run["statuses"]) != {expected}:  # figures of failing requests mean nothing
            raise SystemExit(f"The {name} run did not only answer {expected}: {run['statuses']}")
    return {"bare": bare, "single": single, "half": half, "bulk": bulk}


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def run_report(number: int, run: dict, when: str) -> tuple[str, dict[str, bool]]:
    bare, single, half, bulk = run["bare"], run["single"], run["half"], run["bulk"]
    ratio = single["rps"] / bare["rps"]
    per_second = bulk["rps"] * 500
    met = {
        "ratio": ratio >= TARGET_RATIO,
        "p99": half["p99"] <= TARGET_P99_MS,
        "bulk": per_second >= TARGET_BULK,
    }
    text = f"""## Run {number} ({when})

| run | req/s | p50 | p99 | statuses |
|---|---|---|---|---|
| bare DRF create (yardstick) | {bare["rps"]:.0f} | {bare["p50"]:.1f} ms | {bare["p99"]:.1f} ms | {bare["statuses"]} |
| single complaint POST | {single["rps"]:.0f} | {single["p50"]:.1f} ms | {single["p99"]:.1f} ms | {single["statuses"]} |
| single at half that rate ({single["rps"] / 2:.0f} req/s, {WORKERS} connections) | {half["rps"]:.0f} | {half["p50"]:.1f} ms | {half["p99"]:.1f} ms | {half["statuses"]} |
| bulk POST, 500 complaints each | {bulk["rps"]:.2f} | {bulk["p50"]:.0f} ms | {bulk["p99"]:.0f} ms | {bulk["statuses"]} |

| target | result | |
|---|---|---|
| single ≥ {TARGET_RATIO} × bare | {ratio:.2f} × | {verdict(met["ratio"])} |
| p99 ≤ {TARGET_P99_MS} ms at half the top rate | {half["p99"]:.1f} ms | {verdict(met["p99"])} |
| bulk ≥ {TARGET_BULK:,} complaints/s | {per_second:,.0f} /s | {verdict(met["bulk"])} |
"""
    return text, met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--runs", type=int, default=3, help="runs, each reported")
    args = parser.parse_args()
    if shutil.which("hey") is None:
        raise SystemExit("The load generator `hey` is missing: apt-get install hey")
    key = prepare()
    bodies = ROOT / "var" / "bench"
    bodies.mkdir(parents=True, exist_ok=True)
    (bodies / "one.json").write_text(json.dumps(complaint(1), ensure_ascii=False), encoding="utf-8")
    (bodies / "bulk.json").write_text(
        json.dumps({"items": [complaint(n) for n in range(500)]}, ensure_ascii=False),
        encoding="utf-8",
    )
    from django.utils import timezone

    from complaints.models import Complaint

    s, c = args.seconds, args.concurrency
    sections, verdicts = [], []
    for number in range(1, args.runs + 1):
        run = measure(key, bodies, s, c)
        text, met = run_report(number, run, f"{timezone.localtime():%Y-%m-%d %H:%M %Z}")
        print(text)
        sections.append(text)
        verdicts.append(met)
    overall = "\n".join(
        f"| {label} | {verdict(all(met[name] for met in verdicts))} |"
        for name, label in (
            ("ratio", f"single ≥ {TARGET_RATIO} × bare"),
            ("p99", f"p99 ≤ {TARGET_P99_MS} ms at half the top rate"),
            ("bulk", f"bulk ≥ {TARGET_BULK:,} complaints/s"),
        )
    )
    runs = "\n".join(sections)
    report = f"""# Complaint intake benchmark

Command: `make bench-intake` (`python bench/intake.py --seconds {s} --concurrency {c} --runs {args.runs}`)
Machine: {machine()}
Server: uvicorn (ASGI), {WORKERS} worker processes, PostgreSQL, Redis broker; load from `hey` in a second process over loopback, {c} connections.\nEach run lasts {s} s per part; the yardstick and the single POST, after {WARM_UP} s of warm-up each, take turns ({TURNS} × {s / TURNS:g} s each). Percentiles are over every request of a run. A target counts as met only when every run meets it.

| target (all {args.runs} runs) | |
|---|---|
{overall}

{runs}
Complaints stored by the runs: {Complaint.objects.count():,}.
"""
    path = write("intake", report)
    print(f"written to {path}")


if __name__ == "__main__":
    main()
