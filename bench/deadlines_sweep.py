"""Benchmark of the deadline sweep (`make bench-deadlines`).

Fills PostgreSQL with pending deadlines (most due in the coming weeks, some already due) with
INSERT … SELECT, then measures what beat pays every 30 s — a sweep that finds nothing due —
and how fast a sweep marks a backlog breached, against a bare SQL UPDATE of the same rows in the
same run (the marking phase), and then how many breaches per second it announces (the
consequences: timeline event, notifications of the responsible person and their superior,
violations and their notices to marketing; all idempotent).

    python bench/deadlines_sweep.py --pending 1000000 --due 10000
"""

import argparse
import sys
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

    leader, _ = User.objects.get_or_create(username="bench_leader")
    contact, _ = User.objects.get_or_create(username="bench_contact")
    Profile.objects.update_or_create(user=leader, defaults={"department": department})
    Profile.objects.update_or_create(
        user=contact, defaults={"department": department, "superior": leader}
    )
    contact.groups.add(Group.objects.get_or_create(name=Role.INTERFACE_PERSON)[0])
    # marketing, whose interface person is told of each violation the breaches propose
    marketing, _ = Department.objects.get_or_create(
        code="MKT", defaults={"name_zh": "市场部", "name_en": "Marketing", "kind": "marketing"}
    )
    assessor, _ = User.objects.get_or_create(username="bench_assessor")
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
        # Pending deadlines due over the next 30 days; the first `due` ones already overdue.
        cursor.execute(
            """
            INSERT INTO deadlines_deadline (content_type_id, object_id, kind, round, policy_id,
                policy_version_id, started_at, due_at, reminders, next_reminder_at, state, problem,
                responsible_department_id, responsible_person_id, created_at)
            SELECT %(ct)s, %(first)s + (g - 1) / %(kinds)s, (%(kind_names)s::text[])[1 + (g - 1) %% %(kinds)s],
                0, %(policy)s, %(version)s, now() - interval '1 hour',
                CASE WHEN g <= %(due)s THEN now() - interval '1 minute' * (1 + g %% 50)
                     ELSE now() + interval '1 second' * (60 + (g::bigint * 7919) %% 2592000) END,
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pending", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--idle-runs", type=int, default=50)
    args = parser.parse_args()
    setup_django()
    from django.utils import timezone

    from config.celery import app
    from deadlines.services import breaches_announce, deadlines_mark_due, deadlines_sweep

    # As in production: the email deliveries of the breaches go to the broker after commit.
    app.conf.task_always_eager = False
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
    started = time.perf_counter()
    announced = breaches_announce(now=now)
    announce_seconds = time.perf_counter() - started
    again = timed(lambda: deadlines_sweep(), 5)
    app.control.purge()
    from accountability.models import Violation
    from deadlines.models import Deadline
    from notifications.models import Notification

    breached = Deadline.objects.filter(state="breached").count()
    notifications = Notification.objects.count()
    violations = Violation.objects.count()
    report = f"""# Deadline sweep benchmark

Command: `make bench-deadlines` (`python bench/deadlines_sweep.py --pending {args.pending} --due {args.due}`)
Machine: {machine()}
Run: {timezone.localtime():%Y-%m-%d %H:%M %Z}

| measure | result |
|---|---|
| pending deadlines in the table | {args.pending:,} (filled in {fill_seconds:.1f} s with INSERT … SELECT) |
| idle sweep (nothing due), what beat pays every 30 s | {summary(idle)} |
| bare SQL `UPDATE` of the same rows (median of 3, rolled back) | {bare_ms:.0f} ms |
| **the sweep marks the backlog breached** | {marked:,} in {mark_ms:.0f} ms: **{mark_ms / marked * 10_000:.0f} ms per 10,000** (target ≤ 1,000), **{mark_ms / bare_ms:.2f} × the bare UPDATE** (target ≤ 2) |
| **then announces them**: timeline event, notifications in the app and by email (queued to the broker), violations and their notices | {announced:,} in {announce_seconds:.1f} s: **{announced / announce_seconds:,.0f} per second** (target ≥ 1,000) |
| sweep right after (nothing left) | {summary(again)} |
| check: breached rows / violations / notifications written (the responsible person and their superior, and the notices of the violations) | {breached:,} / {violations:,} / {notifications:,} |

A sweep marks every due deadline first, one `UPDATE … WHERE id IN (SELECT … LIMIT 5000 FOR
UPDATE SKIP LOCKED)` per batch, so a backlog is recorded at once; it then announces them in
batches of 200, one transaction each: the batch's notifications, then one signal on which each
domain writes the whole batch's consequences in a few statements (timeline lines, violations,
their notice limits and notices, escalations), and records them announced, so a sweep stopped
in between leaves the rest to the next, which announces each once.

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
