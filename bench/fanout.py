"""Benchmark of an alert's fan-out (`make bench-fanout`).

A red alert is published to 50 and to 500 people, each reached by email and by SMS: the time
from the call that publishes it (the publishing transaction included) to each message's
arrival at its sink. The
deliveries go the way they go in production: outbox rows written with the alert, tasks on
the `deliveries` queue of Redis, real Celery workers (subprocesses started as the Procfile's
`worker-deliveries`, on the `deliveries` queue only), each delivery claimed under its lease
in PostgreSQL and sent to a real SMTP server (aiosmtpd) and an HTTP SMS gateway, both in a
process of their own (`bench/sinks.py`).

The yardstick, in turns with the subject: the same messages (the alert's own outbox rows)
sent again straight through the channel code (`notifications.channels.send_request`: each
e-mail alone, the SMS as many to a request as the gateway takes) from this process, by as
many threads as the workers have in all: what the channels themselves cost, with the same
parallelism, without outbox, broker, claims or workers. The sink's gateway takes 100 SMS to
a request, as Aliyun's SendBatchSms does. Its times run from
the moment the first message is handed to it.

A run whose messages did not all arrive exactly once, or whose deliveries are not all
`sent`, is refused: no figures, no result file, a non-zero exit.

    python bench/fanout.py [--runs 3] [--turns 3] [--sizes 50 500]
"""

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, machine, percentile, write

TARGETS = {50: 1.0, 500: 3.0}  # p99 from the publish call to arrival, seconds
WAIT = 120.0  # seconds a publication's messages may take before the run is refused
CITIES = ("CC", "JL", "SP", "LY", "TH")  # five cities: a red warning
LOG_DIR = ROOT / "var" / "bench"


class Refused(Exception):
    """The run cannot be reported."""


def environment(smtp_port: int = 0) -> dict[str, str]:
    url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fenghuo_bench")
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "bench-only-secret",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_HTTPS": "false",
        "DATABASE_URL": url,
        "BENCH_DATABASE_URL": url,
        "CELERY_BROKER_URL": os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/13"),
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    }


def procfile_worker() -> tuple[str, int]:
    """The pool and concurrency `worker-deliveries` runs with (config/Procfile)."""
    text = (ROOT / "config" / "Procfile").read_text()
    line = next(line for line in text.splitlines() if line.startswith("worker-deliveries:"))
    pool = re.search(r"--pool[= ](\w+)", line)
    concurrency = re.search(r"--concurrency[= ](\d+)", line)
    return (pool.group(1) if pool else "prefork", int(concurrency.group(1)) if concurrency else 2)


# --- the sinks ----------------------------------------------------------------------------------


class Sinks:
    def __enter__(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.sinks"], cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        ports = json.loads(self.process.stdout.readline())
        self.smtp_port, self.http_port = ports["smtp"], ports["http"]
        self.url = f"http://127.0.0.1:{self.http_port}"
        return self

    def arrivals(self) -> list[tuple[float, str, str]]:
        with urllib.request.urlopen(f"{self.url}/arrivals", timeout=10) as answer:
            return [tuple(row) for row in json.load(answer)]

    def collect(self, expected: set[tuple[str, str]]) -> dict[tuple[str, str], float]:
        """Wait for every expected (channel, address) to arrive; each exactly once."""
        seen: dict[tuple[str, str], float] = {}
        deadline = time.monotonic() + WAIT
        while len(seen) < len(expected):
            if time.monotonic() > deadline:
                raise Refused(f"{len(expected) - len(seen)} of {len(expected)} never arrived")
            time.sleep(0.02)
            self._take(seen, expected)
        time.sleep(0.3)  # a copy sent twice would come now
        self._take(seen, expected)
        return seen

    def _take(self, seen: dict, expected: set) -> None:
        for at, channel, address in self.arrivals():
            key = (channel, address)
            if key not in expected:
                raise Refused(f"unexpected message: {channel} to {address}")
            if key in seen:
                raise Refused(f"sent twice: {channel} to {address}")
            seen[key] = at

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=10)


# --- the data -----------------------------------------------------------------------------------


def prepare(sizes: list[int], count: int, sinks: Sinks) -> dict[int, list[int]]:
    """Migrate, the demo organisation, a department of interface persons per size (inactive
    until its turn) so that a red alert reaches exactly that many people, the SMS gateway
    pointed at the sink; ``count`` incidents of each size to publish. Returns size → incident ids."""
    import django

    os.environ.update(environment(sinks.smtp_port))
    os.environ["LOG_LEVEL"] = "WARNING"  # this process only; the workers log as deployed
    from bench.common import _ensure_database

    _ensure_database(os.environ["DATABASE_URL"])
    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from alerts.selectors import alert_audience
    from incidents.services import incident_create
    from notifications.models import Circuit, Endpoint, SmsGateway
    from organisation.demo import seed_demo
    from organisation.models import City, Department, DepartmentKind, Profile, Role
    from organisation.services import role_groups_ensure

    call_command("migrate", verbosity=0)
    if not User.objects.filter(username="cs_contact").exists():
        seed_demo()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE alerts_alert, alerts_alertrecipient, notifications_delivery,"
            " notifications_notification, notifications_circuit, deadlines_deadline,"
            " incidents_incident CASCADE"
        )
    Department.objects.filter(code__startswith="FANOUT").update(is_active=False)
    Endpoint.objects.update(is_active=False)
    SmsGateway.objects.all().delete()
    SmsGateway.objects.create(  # as a gateway that takes a hundred to a request (Aliyun's)
        name="sink", backend=SmsGateway.Backend.HTTP, url=f"{sinks.url}/sms", batch_size=100
    )
    Circuit.objects.all().delete()
    actor = User.objects.get(username="cs_contact")
    cities = list(City.objects.filter(code__in=CITIES))
    incidents: dict[int, list[int]] = {}
    for size in sizes:
        incidents[size] = [
            incident_create(
                actor=actor,
                cities=cities,
                title=f"全省4G数据业务中断 {size}-{n}",
                business_line="network",
                source="business_risk",
                occurred_at=timezone.now() - timedelta(minutes=30),
            ).pk
            for n in range(count)
        ]
    from incidents.models import Incident

    base = len(alert_audience(Incident.objects.get(pk=incidents[sizes[0]][0])))
    interface = role_groups_ensure()[Role.INTERFACE_PERSON]
    for size in sizes:
        code = f"FANOUT{size}"
        department, _ = Department.objects.update_or_create(
            code=code,
            defaults={
                "name_zh": f"压测部门{size}",
                "name_en": f"Fan-out {size}",
                "kind": DepartmentKind.DATA,
                "manages_business": True,
                "is_active": False,
            },
        )
        # exactly the people wanted (the demo gives every department a leader and a contact)
        User.objects.filter(profile__department=department).delete()
        users = User.objects.bulk_create(
            User(
                username=f"{code.lower()}-{n:04d}",
                email=f"{code.lower()}-{n:04d}@fenghuo.example",
                password="!",  # no login
            )
            for n in range(size - base)
        )
        Profile.objects.bulk_create(
            Profile(user=user, department=department, mobile=f"1{size:03d}{n:07d}")
            for n, user in enumerate(users)
        )
        User.groups.through.objects.bulk_create(
            User.groups.through(user_id=user.pk, group_id=interface.pk) for user in users
        )
    return incidents


def drain() -> None:
    """Forget what incident creation queued (its own messages), before the workers start."""
    from config.celery import app
    from notifications.models import Delivery

    app.control.purge()
    Delivery.objects.all().delete()


# --- the workers --------------------------------------------------------------------------------


class Workers:
    def __init__(self, count: int, pool: str, concurrency: int, smtp_port: int):
        self.count, self.pool, self.concurrency = count, pool, concurrency
        self.smtp_port = smtp_port

    def __enter__(self):
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        self.processes, self.logs = [], []
        for n in range(self.count):
            log = LOG_DIR / f"fanout-worker-{n}.log"
            log.write_text("")
            self.logs.append(log)
            self.processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "deliveries",
                     "-n", f"fanout{n}@%h", "--loglevel=INFO", f"--pool={self.pool}",
                     f"--concurrency={self.concurrency}"],
                    cwd=ROOT, env=environment(self.smtp_port), stdout=log.open("ab"),
                    stderr=subprocess.STDOUT, start_new_session=True,
                )
            )  # fmt: skip
        deadline = time.monotonic() + 60
        while not all(" ready." in log.read_text() for log in self.logs):
            if time.monotonic() > deadline or any(p.poll() is not None for p in self.processes):
                self.__exit__()
                raise SystemExit(f"the workers did not start: see {LOG_DIR}")
            time.sleep(0.2)
        return self

    def __exit__(self, *exc):
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


# --- one publication ----------------------------------------------------------------------------


def _department_on(size: int) -> None:
    from organisation.models import Department

    Department.objects.filter(code__startswith="FANOUT").update(is_active=False)
    Department.objects.filter(code=f"FANOUT{size}").update(is_active=True)


def publish(size: int, incident_id: int, sinks: Sinks) -> dict:
    """The subject: publish the alert; per message, seconds from the publish call to arrival."""
    from django.contrib.auth.models import User
    from django.db import transaction
    from django.db.models import Count

    from alerts.selectors import alert_audience
    from alerts.services import alert_publish
    from incidents.models import Incident
    from notifications.models import Delivery

    _department_on(size)
    incident = Incident.objects.get(pk=incident_id)
    audience = [user for user, _department, _audience in alert_audience(incident).values()]
    if len(audience) != size:
        raise Refused(f"the alert would reach {len(audience)} people, not {size}")
    expected = {("email", user.email) for user in audience} | {
        ("sms", user.profile.mobile) for user in audience
    }
    actor = User.objects.get(username="cs_contact")
    called = time.time()
    started = time.perf_counter()
    with transaction.atomic():
        alert = alert_publish(incident=incident, actor=actor)
        built = time.perf_counter() - started
    seen = sinks.collect(expected)
    deliveries = Delivery.objects.filter(dedupe_key__startswith=f"alert:{alert.pk}:")
    states = dict(deliveries.values_list("state").annotate(n=Count("pk")))
    if states != {"sent": 2 * size}:
        raise Refused(f"the alert's deliveries are {states}, not {2 * size} sent")
    return {
        "latencies": [at - called for at in seen.values()],
        "built": built,
        "alert": alert.pk,
    }


def yardstick(alert_id: int, size: int, sinks: Sinks, executor: ThreadPoolExecutor) -> dict:
    """The same messages straight through the channel code, by the executor's threads: each
    e-mail alone, the SMS in requests of as many as the gateway takes."""
    from notifications import channels
    from notifications.models import Delivery

    deliveries = list(
        Delivery.objects.filter(dedupe_key__startswith=f"alert:{alert_id}:").select_related(
            "endpoint"
        )
    )
    expected = {(d.channel, d.address) for d in deliveries}
    if len(expected) != 2 * size:
        raise Refused(f"the yardstick has {len(expected)} messages, not {2 * size}")
    start = time.time()
    with channels.batch():  # the gateway looked up once, as a worker's batch does
        units = channels.requests(deliveries)
    futures = [executor.submit(channels.send_request, unit) for unit in units]
    seen = sinks.collect(expected)
    for future in futures:
        future.result()  # a channel that raised refuses the run
    return {"latencies": [at - start for at in seen.values()]}


def _figures(publications: list[dict]) -> dict:
    latencies = [value for publication in publications for value in publication["latencies"]]
    lasts = [max(publication["latencies"]) for publication in publications]
    return {
        "p50": statistics.median(latencies),
        "p99": percentile(latencies, 99),
        "max": max(latencies),
        "last_median": statistics.median(lasts),
        "built": statistics.median(p.get("built", 0) for p in publications),
        "messages": len(latencies),
    }


def one_run(
    sizes: list[int], turns: int, incidents: dict[int, list[int]], sinks: Sinks, args
) -> dict:
    results: dict[int, dict[str, list]] = {size: {"subject": [], "yardstick": []} for size in sizes}
    with (
        Workers(args.workers, args.pool, args.concurrency, sinks.smtp_port),
        ThreadPoolExecutor(args.workers * args.concurrency) as executor,
    ):
        # warm-up: the workers' and this process's connections, imports, caches
        warm = publish(sizes[0], incidents[sizes[0]][0], sinks)
        yardstick(warm["alert"], sizes[0], sinks, executor)
        for turn in range(turns):
            for size in sizes:
                subject = publish(size, incidents[size][turn + 1], sinks)
                results[size]["subject"].append(subject)
                results[size]["yardstick"].append(
                    yardstick(subject["alert"], size, sinks, executor)
                )
    return {
        size: {name: _figures(publications) for name, publications in kinds.items()}
        for size, kinds in results.items()
    }


def report(runs: list[dict], sizes: list[int], args, command: str) -> str:
    from django.utils import timezone

    lines = [
        "# Alert fan-out benchmark",
        "",
        f"Command: `{command}`",
        f"Machine: {machine()}",
        f"Workers: {args.workers} × `celery worker -Q deliveries --pool={args.pool}"
        f" --concurrency={args.concurrency}` on Redis and PostgreSQL; the SMTP and SMS-gateway"
        " sinks in a process of their own; all on the same cores.",
        f"Each run: a warm-up publication, then {args.turns} turns of each size, the subject and"
        " the yardstick alternating. Percentiles are over every message of a run's turns;"
        ' "all arrived" is the median over the turns of the last message\'s time.',
        f"Run: {timezone.localtime():%Y-%m-%d %H:%M %Z}",
        "",
        "| run | recipients × 2 channels | publish (before commit) | p50 | p99 | max | all arrived"
        " | yardstick p50 / p99 / max | p99 ÷ yardstick p99 | target p99 | |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for number, run in enumerate(runs, 1):
        for size in sizes:
            s, y = run[size]["subject"], run[size]["yardstick"]
            target = TARGETS.get(size)
            verdict = "" if target is None else ("met" if s["p99"] <= target else "**missed**")
            wanted = f"≤ {target:g} s" if target else "—"
            lines.append(
                f"| {number} | {size} × 2 = {s['messages'] // args.turns} | {s['built'] * 1000:.0f} ms"
                f" | {s['p50'] * 1000:.0f} ms | **{s['p99'] * 1000:.0f} ms** | {s['max'] * 1000:.0f} ms"
                f" | {s['last_median'] * 1000:.0f} ms"
                f" | {y['p50'] * 1000:.0f} / {y['p99'] * 1000:.0f} / {y['max'] * 1000:.0f} ms"
                f" | {s['p99'] / y['p99']:.2f} × | {wanted} | {verdict} |"
            )
    lines += [
        "",
        "The yardstick sends the same messages (the publication's own outbox rows) straight"
        " through `notifications.channels.send_request` (each e-mail alone, the SMS as many to a"
        " request as the gateway takes: 100) from the benchmark's process, by as many threads"
        " as the workers have in all: the channels' own cost at the same parallelism, without"
        ' outbox, broker, claims or workers. "publish (before commit)" is the publishing'
        " transaction itself (recipients, their acknowledgment limits, the outbox rows), median"
        " of the turns; the measured times start at the publish call, so they include it.",
        "",
    ]
    for size in sizes:
        target = TARGETS.get(size)
        if target is None:
            continue
        p99s = [run[size]["subject"]["p99"] for run in runs]
        held = all(p99 <= target for p99 in p99s)
        lines.append(
            f"- {size} recipients, p99 ≤ {target:g} s: "
            + " / ".join(f"{p99 * 1000:.0f} ms" for p99 in p99s)
            + f" in the {len(runs)} runs: **{'met in every run' if held else 'not met'}**"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    pool, concurrency = procfile_worker()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--turns", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 500])
    parser.add_argument(
        "--workers", type=int, default=2, help="processes (docker-compose.yml runs two replicas)"
    )
    parser.add_argument("--pool", default=pool, help="as config/Procfile's worker-deliveries")
    parser.add_argument("--concurrency", type=int, default=concurrency)
    parser.add_argument("--no-write", action="store_true", help="print, write no result file")
    args = parser.parse_args()
    command = "make bench-fanout (python bench/fanout.py " + " ".join(sys.argv[1:]) + ")"
    with Sinks() as sinks:
        # per run: one incident to warm up, one per turn
        incidents = prepare(args.sizes, (args.turns + 1) * args.runs, sinks)
        drain()
        runs = []
        try:
            for number in range(args.runs):
                share = {
                    size: ids[number * (args.turns + 1) : (number + 1) * (args.turns + 1)]
                    for size, ids in incidents.items()
                }
                runs.append(one_run(args.sizes, args.turns, share, sinks, args))
                print(report(runs, args.sizes, args, command), flush=True)
        except Refused as error:
            raise SystemExit(f"Run refused, nothing written: {error}") from None
    text = report(runs, args.sizes, args, command)
    print(text)
    if not args.no_write:
        print(f"written to {write('fanout', text)}")


if __name__ == "__main__":
    main()
