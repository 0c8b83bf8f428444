"""Benchmark of the deadline sweep (`make bench-deadlines`).

Fills PostgreSQL with pending deadlines (most due in the coming weeks, some already due) with
INSERT … SELECT, then measures what beat pays every 30 s — a sweep that finds nothing due —
and how fast a sweep marks a backlog breached, against a bare SQL UPDATE of the same rows in the
same run (the marking phase), and then how many breaches per second it announces (the
consequences: timeline event, notifications of the responsible person and their superior,
violations and their notices to marketing; all idempotent).

It runs in a database of its own (default `fenghuo_bench_deadlines`; `BENCH_DATABASE_URL`
names another): each run empties its incidents, deadlines and notifications.

    python bench/deadlines_sweep.py --pending 1000000 --due 10000
"""

import argparse
import multiprocessing
import os
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import machine, setup_django, summary, timed, write

KINDS = ("incident-explanation", "incident-root-cause", "incident-publish", "incident-hq-feedback")


def fill(pending: int, due: int) -> None:
    from django.contrib.auth.models import User
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from deadlines.models import DeadlinePolicy
    from deadlines.versions import policy_version
    from incidents.models import Incident
    from organisation.models import Department, Profile, Role

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE deadlines_deadline, incidents_timelineevent, notifications_notification,"
            " accountability_violation, incidents_incident_cities, incidents_incident CASCADE"
        )
    department, _ = Department.objects.get_or_create(
        code="NET", defaults={"name_zh": "网络部", "name_en": "Network", "kind": "network"}
    )
    from django.contrib.auth.models import Group

    leader, _ = User.objects.update_or_create(
        username="bench_leader", defaults={"email": "leader@bench.invalid"}
    )
    contact, _ = User.objects.update_or_create(
        username="bench_contact", defaults={"email": "contact@bench.invalid"}
    )
    Profile.objects.update_or_create(user=leader, defaults={"department": department})
    Profile.objects.update_or_create(
        user=contact, defaults={"department": department, "superior": leader}
    )
    contact.groups.add(Group.objects.get_or_create(name=Role.INTERFACE_PERSON)[0])
    # marketing, whose interface person is told of each violation the breaches propose
    marketing, _ = Department.objects.get_or_create(
        code="MKT", defaults={"name_zh": "市场部", "name_en": "Marketing", "kind": "marketing"}
    )
    assessor, _ = User.objects.update_or_create(
        username="bench_assessor", defaults={"email": "assessor@bench.invalid"}
    )
    Profile.objects.update_or_create(user=assessor, defaults={"department": marketing})
    assessor.groups.add(Group.objects.get_or_create(name=Role.INTERFACE_PERSON)[0])
    incidents = -(-pending // len(KINDS))
    incident_type = ContentType.objects.get_for_model(Incident)
    policy = DeadlinePolicy.objects.get(code="incident-explanation")
    version = policy_version(policy)  # the policy as the deadlines started with it
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO incidents_incident (number, title, description, business_line, source,
                hq_level, customers_affected, publicity, legal_involved, occurred_at, detected_at,
                owning_department_id, handling_mode, state, level, level_reasons, cancel_reason,
                created_by_id, created_at, updated_at)
            SELECT 'B-' || g, 'bench ' || g, '', 'network', 'business_risk', '', 0, 'none',
                false, now(), now(), %s, 'point', 'handling', 'yellow', '[]', '', %s, now(), now()
            FROM generate_series(1, %s) AS g
            """,
            [department.pk, contact.pk, incidents],
        )
        cursor.execute("SELECT min(id) FROM incidents_incident")
        first = cursor.fetchone()[0]
        # Pending deadlines due from an hour on over the next 30 days (none falls due while the run
        # lasts); the first `due` ones already overdue.
        cursor.execute(
            """
            INSERT INTO deadlines_deadline (content_type_id, object_id, kind, round, policy_id,
                policy_version_id, started_at, due_at, reminders, next_reminder_at, state, problem,
                responsible_department_id, responsible_person_id, created_at)
            SELECT %(ct)s, %(first)s + (g - 1) / %(kinds)s, (%(kind_names)s::text[])[1 + (g - 1) %% %(kinds)s],
                0, %(policy)s, %(version)s, now() - interval '1 hour',
                CASE WHEN g <= %(due)s THEN now() - interval '1 minute' * (1 + g %% 50)
                     ELSE now() + interval '1 second' * (3600 + (g::bigint * 7919) %% 2592000) END,
                '[]', NULL, 'pending', '', %(department)s, %(person)s, now()
            FROM generate_series(1, %(pending)s) AS g
            """,
            {
                "ct": incident_type.pk,
                "first": first,
                "kinds": len(KINDS),
                "kind_names": list(KINDS),
                "policy": policy.pk,
                "version": version.pk,
                "due": due,
                "department": department.pk,
                "person": contact.pk,
                "pending": pending,
            },
        )
        cursor.execute("ANALYZE deadlines_deadline")


def plan() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN (ANALYZE, BUFFERS) SELECT id FROM deadlines_deadline"
            " WHERE state = 'pending' AND due_at <= now() ORDER BY due_at LIMIT 200"
            " FOR UPDATE SKIP LOCKED"
        )
        return "\n".join(row[0] for row in cursor.fetchall())


def bare_update() -> float:
    """Milliseconds of a plain UPDATE of the rows the sweep will mark, rolled back."""
    from django.db import connection, transaction

    with transaction.atomic():
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE deadlines_deadline SET state = 'breached', breached_at = now(),"
                " next_reminder_at = NULL WHERE state = 'pending' AND due_at <= now()"
            )
        elapsed = (time.perf_counter() - started) * 1000
        transaction.set_rollback(True)
    return elapsed


def _announcer(ready, out) -> None:
    """One process of the deadlines worker announcing beside the others, as the sweep's
    helpers do (``deadlines.tasks.announce_breaches_task``): set up and warmed (its URLs and
    translations loaded), it waits for the others, then announces until none is left."""
    setup_django(migrate=False)
    from config.celery import app
    from deadlines.tasks import announce_breaches_task
    from incidents.models import Incident

    app.conf.task_always_eager = False  # the e-mails go to the broker after commit
    Incident.objects.first().get_absolute_url()
    ready.wait()
    out.put(announce_breaches_task())


def announce(processes: int) -> tuple[float, list[int]]:
    """Seconds until ``processes`` announcers, started together, have announced every
    breach; what each announced."""
    from django.db import connections

    connections.close_all()
    spawn = multiprocessing.get_context("spawn")  # each process its own connections
    ready, out = spawn.Barrier(processes + 1), spawn.Queue()
    workers = [spawn.Process(target=_announcer, args=(ready, out)) for _ in range(processes)]
    for worker in workers:
        worker.start()
    try:
        ready.wait(timeout=300)  # an announcer that died setting up never arrives
    except threading.BrokenBarrierError:
        for worker in workers:
            worker.kill()
        sys.exit("refused: an announcer did not start")
    started = time.perf_counter()
    counts = [out.get(timeout=600) for _ in workers]
    seconds = time.perf_counter() - started
    for worker in workers:
        worker.join()
        if worker.exitcode:
            sys.exit(f"refused: an announcer failed (exit code {worker.exitcode})")
    return seconds, counts


def one_run(args) -> dict:
    """Fill, then measure the idle sweep, the marking against the bare UPDATE, and the
    announcing; refuses a run that did not write every consequence."""
    from django.utils import timezone

    from accountability.models import Violation
    from config.celery import app
    from deadlines.models import Deadline
    from deadlines.services import SWEEP_BATCH, deadlines_mark_due, deadlines_sweep
    from notifications.models import Delivery, Notification

    started = time.perf_counter()
    fill(args.pending, args.due)
    fill_seconds = time.perf_counter() - started
    query_plan = plan()
    # What beat pays every 30 s when nothing is due (the backlog lies in the past of `now`).
    long_ago = timezone.now() - timedelta(days=365)
    idle = timed(lambda: deadlines_sweep(now=long_ago), args.idle_runs)
    bare = [bare_update() for _ in range(3)]
    bare_ms = sorted(bare)[1]
    now = timezone.now()
    started = time.perf_counter()
    marked = deadlines_mark_due(now=now)
    mark_ms = (time.perf_counter() - started) * 1000
    announce_seconds, shares = announce(args.announcers)
    announced = sum(shares)
    again = timed(lambda: deadlines_sweep(), 5)
    app.control.purge()
    written = {
        "breached": Deadline.objects.filter(state="breached").count(),
        "violations": Violation.objects.count(),
        "notifications": Notification.objects.count(),
        "e-mails": Delivery.objects.count(),
    }
    # each breach: the contact and their superior told in the app, one violation, and
    # marketing's interface person told of it in the app; by e-mail each of the three gets
    # one message per batch that lists theirs (a digest)
    expected = {
        "breached": args.due,
        "violations": args.due,
        "notifications": 3 * args.due,
        "e-mails": 3 * -(-args.due // SWEEP_BATCH),
    }
    if marked != args.due or announced != args.due or written != expected:
        sys.exit(
            f"refused: marked {marked}, announced {announced}, wrote {written}, expected {expected}"
        )
    return {
        "fill": fill_seconds,
        "idle": idle,
        "bare_ms": bare_ms,
        "marked": marked,
        "mark_ms": mark_ms,
        "announced": announced,
        "announce_s": announce_seconds,
        "shares": shares,
        "again": again,
        "written": written,
        "plan": query_plan,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pending", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--idle-runs", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--announcers",
        type=int,
        help="processes announcing together (default: the DEADLINE_ANNOUNCERS setting)",
    )
    args = parser.parse_args()
    # a database of its own: each run empties the incidents, deadlines and notifications, and
    # its people (without mobile numbers) would join the other benchmarks' audiences
    os.environ.setdefault(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fenghuo_bench_deadlines"
    )
    setup_django()
    from django.conf import settings

    args.announcers = args.announcers or settings.DEADLINE_ANNOUNCERS
    from django.utils import timezone

    from config.celery import app
    from deadlines.services import SWEEP_BATCH

    # As in production: the e-mails of the breaches go to the broker after commit.
    app.conf.task_always_eager = False
    runs = []
    for number in range(1, args.runs + 1):
        runs.append(one_run(args))
        print(f"run {number}: {runs[-1]['announced'] / runs[-1]['announce_s']:,.0f} per second")
    query_plan = runs[0]["plan"]
    rows = "\n".join(
        f"| {n} | {r['fill']:.0f} s | {summary(r['idle'])} | {r['bare_ms']:.0f} ms"
        f" | {r['mark_ms']:.0f} ms: {r['mark_ms'] / r['marked'] * 10_000:.0f} ms per 10,000,"
        f" **{r['mark_ms'] / r['bare_ms']:.2f} ×** | {r['announce_s']:.1f} s:"
        f" **{r['announced'] / r['announce_s']:,.0f} per second**"
        f" ({' + '.join(f'{share:,}' for share in r['shares'])})"
        f" | {summary(r['again'])} |"
        for n, r in enumerate(runs, 1)
    )
    marks = sum(r["mark_ms"] / r["bare_ms"] <= 2 for r in runs)
    announces = sum(r["announced"] / r["announce_s"] >= 1000 for r in runs)
    written = runs[-1]["written"]
    report = f"""# Deadline sweep benchmark

Command: `make bench-deadlines` (`python bench/deadlines_sweep.py --pending {args.pending} --due {args.due} --runs {args.runs}`)
Machine: {machine()}
Run: {timezone.localtime():%Y-%m-%d %H:%M %Z}

Each run fills the table anew with {args.pending:,} pending deadlines (INSERT … SELECT), of
which {args.due:,} fell due; it times the sweep beat pays every 30 s when nothing is due, a bare
SQL `UPDATE` of the due rows (median of 3, rolled back) as the yardstick, then the sweep marking
them breached, then announcing them: the timeline line, the responsible person and their
superior told in the app, the violation, its notice limit, marketing's interface person told
in the app, and each of the three told by e-mail (handed to the broker) once per batch, in a
message that lists their breaches. A run that did not write every one of them is refused.
The breaches are announced by {args.announcers} processes started together, as the deadlines
worker's processes announce a storm's backlog (the sweep and the helpers it sends,
`DEADLINE_ANNOUNCERS`); the time runs from their start, set up and warmed, until the last has
found nothing left, and the breaches each announced follow the rate.

| run | fill | idle sweep | bare UPDATE | **marking** (target ≤ 2 × the bare UPDATE) | **announcing** (target ≥ 1,000 per second) | sweep right after |
|---|---|---|---|---|---|---|
{rows}

Targets: marking ≤ 2 × the bare UPDATE: met in {marks} of {len(runs)} runs; announcing ≥ 1,000
per second: met in {announces} of {len(runs)} runs. Written by each run: {written["breached"]:,}
breached deadlines, {written["violations"]:,} violations, {written["notifications"]:,}
notifications, {written["e-mails"]:,} e-mails in the outbox (one per person per batch of
{SWEEP_BATCH}).

A sweep marks every due deadline first, one `UPDATE … WHERE id IN (SELECT … LIMIT 5000 FOR
UPDATE SKIP LOCKED)` per batch, so a backlog is recorded at once; it then announces them in
batches of 200, one transaction each: the batch's notifications, then one signal on which each
domain writes the whole batch's consequences in a few statements (timeline lines, violations,
their notice limits and notices, escalations; many rows of a table are fed by `COPY` into a
table of the session and written with one `INSERT … ON CONFLICT`, `core.bulk.rows_merge`),
and records them announced, so a sweep stopped
in between leaves the rest to the next, which announces each once. The people answering for
a batch are read once for it; each message is rendered once per language; the e-mails of a
batch (every person here has an address) reach the broker as one message, which the
deliveries worker fans out into a task per e-mail.

Query plan of finding a batch (partial index `deadline_due` on pending rows):

```
{query_plan}
```
"""
    path = write("deadlines", report)
    print(report)
    print(f"written to {path}")


if __name__ == "__main__":
    main()
