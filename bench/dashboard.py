"""Benchmark of the dashboards' metrics endpoints (`make bench-dashboard`).

Fills PostgreSQL with a synthetic province — by default 1,000,000 incidents and 10,000,000
complaints over three years, with their deadlines and alert acknowledgments — using
INSERT … SELECT (indexes dropped during the load and rebuilt after), builds the daily rollups
once, then measures each `/api/v1/metrics/…` endpoint through Django (authentication,
rollup queries, serialisation) against the raw GROUP BY over the base tables that would
answer the same question, in the same run.

    python bench/dashboard.py                      # the full size (about 20 minutes)
    python bench/dashboard.py --complaints 1000000 --incidents 100000   # a tenth
    python bench/dashboard.py --reuse              # measure again without reloading

It measures three runs (``--runs``) and writes every one to bench/results/dashboard.md.
On a shared machine, load first outside the benchmark lock and measure under it:

    python bench/dashboard.py --incidents 100000 --complaints 1000000 --load-only
    flock /tmp/bench.lock python bench/dashboard.py --reuse --incidents 100000 …
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    machine,
    percentile,
    secondary_indexes,
    setup_django,
    step,
    summary,
    timed,
    write,
)

TABLES = (
    "incidents_incident",
    "incidents_incident_cities",
    "complaints_complaint",
    "deadlines_deadline",
    "alerts_alert",
    "alerts_alertrecipient",
)
LINES = "ARRAY['network','business_support','value_added','enterprise_product','terminal','billing','service','information_security']"
KINDS = "ARRAY['incident-explanation','incident-root-cause','complaint-handover','complaint-contact','complaint-callback','complaint-repair']"


def _empty_version() -> int:
    """The policy version of the generated deadlines: an empty policy, as they need none."""
    from deadlines.models import DeadlinePolicyVersion, snapshot_digest

    version, _ = DeadlinePolicyVersion.objects.get_or_create(
        digest=snapshot_digest({}), defaults={"snapshot": {}}
    )
    return version.pk


def fill(incidents: int, complaints: int, days: int) -> dict:
    from django.db import connection

    from organisation.demo import seed_demo
    from organisation.models import City, Department

    seed_demo()
    departments = list(Department.objects.order_by("pk").values_list("pk", flat=True))
    cities = list(City.objects.order_by("pk").values_list("pk", flat=True))
    from django.contrib.auth.models import User

    users = list(User.objects.order_by("pk").values_list("pk", flat=True)[:2])
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
        cursor.execute(
            "TRUNCATE dashboards_incidentrollup, dashboards_ackrollup,"
            " dashboards_complaintrollup, dashboards_deadlinerollup, dashboards_rolluprun"
        )
        dropped = {table: secondary_indexes(cursor, table) for table in TABLES}
        for indexes in dropped.values():
            for name, _definition in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
        params = {
            "departments": departments,
            "cities": cities,
            "user": users[0],
            "other": users[1],
            "days": days,
        }
        step(
            f"{incidents:,} incidents",
            cursor,
            f"""
            INSERT INTO incidents_incident (number, title, description, business_line, source,
                hq_level, customers_affected, publicity, legal_involved, occurred_at, detected_at,
                owning_department_id, handling_mode, state, level, level_reasons, cancel_reason,
                created_by_id, created_at, updated_at, resolved_at, restored_at, closed_at,
                recurrence_of_id)
            SELECT 'B-' || g, 'bench ' || g, '', ({LINES})[1 + g %% 8], 'business_risk', '',
                (random() * 5000)::int, 'none', false, t - interval '20 minutes', t,
                (%(departments)s::bigint[])[1 + g %% cardinality(%(departments)s::bigint[])],
                'point', s, l, '[]', '', %(user)s, t, t,
                CASE WHEN s IN ('resolved', 'improving', 'closed')
                     THEN t + random() * interval '30 hours' END,
                CASE WHEN s IN ('resolved', 'improving', 'closed')
                     THEN t + random() * interval '20 hours' END,
                CASE WHEN s = 'closed' THEN t + interval '2 days' + random() * interval '8 days' END,
                CASE WHEN s = 'closed' AND g > 1000 AND g %% 29 = 0 THEN g - 1000 END
            FROM (
                SELECT g, now() - random() * (%(days)s * interval '1 day') AS t,
                    CASE WHEN g %% 200 = 0 THEN 'handling' WHEN g %% 300 = 0 THEN 'improving'
                         ELSE 'closed' END AS s,
                    CASE WHEN g %% 50 = 0 THEN 'red' WHEN g %% 12 = 0 THEN 'orange'
                         WHEN g %% 3 = 0 THEN 'none' ELSE 'yellow' END AS l
                FROM generate_series(1, %(n)s) g
            ) x
            """,
            {**params, "n": incidents},
        )
        step(
            "incident cities",
            cursor,
            """
            INSERT INTO incidents_incident_cities (incident_id, city_id)
            SELECT id, (%(cities)s::bigint[])[1 + id %% cardinality(%(cities)s::bigint[])]
            FROM incidents_incident
            UNION ALL
            SELECT id, (%(cities)s::bigint[])[1 + (id + 1) %% cardinality(%(cities)s::bigint[])]
            FROM incidents_incident WHERE id %% 5 = 0
            """,
            params,
        )
        chunk = 1_000_000
        for first in range(1, complaints + 1, chunk):
            last = min(first + chunk - 1, complaints)
            step(
                f"complaints {first:,}–{last:,}",
                cursor,
                f"""
                INSERT INTO complaints_complaint (number, external_id, channel, customer_name,
                    customer_phone, customer_account, address, business_line, summary,
                    description, is_vip, escalation, severity, state, satisfaction,
                    repeat_count, round, created_at, updated_at, archived_at, city_id,
                    department_id, first_ask_department_id, first_ask_owner_id)
                SELECT 'BC-' || g, '', 'hotline', '客户', '138' || lpad((g %% 100000000)::text, 8, '0'),
                    'A' || g, '地址', ({LINES})[1 + g %% 8], '投诉', '', false,
                    CASE WHEN g %% 40 = 0 THEN 'ministry' ELSE '' END, 'general', s,
                    CASE WHEN s = 'archived' THEN
                        CASE WHEN g %% 10 = 0 THEN 'unsatisfied' ELSE 'satisfied' END ELSE '' END,
                    CASE WHEN g %% 17 = 0 THEN 1 ELSE 0 END, 0, t, t,
                    CASE WHEN s = 'archived' THEN t + random() * interval '3 days' END,
                    (%(cities)s::bigint[])[1 + g %% cardinality(%(cities)s::bigint[])],
                    CASE WHEN g %% 3 = 0 THEN NULL ELSE
                        (%(departments)s::bigint[])[1 + g %% cardinality(%(departments)s::bigint[])] END,
                    (%(departments)s::bigint[])[1], %(other)s
                FROM (
                    SELECT g, now() - random() * (%(days)s * interval '1 day') AS t,
                        CASE WHEN g %% 100 = 0 THEN 'in_progress' ELSE 'archived' END AS s
                    FROM generate_series(%(first)s, %(last)s) g
                ) x
                """,
                {**params, "first": first, "last": last},
            )
        cursor.execute(
            "SELECT id FROM django_content_type WHERE app_label = 'incidents' AND model = 'incident'"
        )
        incident_type = cursor.fetchone()[0]
        step(
            f"{incidents * 3:,} deadlines",
            cursor,
            f"""
            INSERT INTO deadlines_deadline (content_type_id, object_id, kind, round,
                policy_version_id, started_at, due_at, reminders, state, met_at, breached_at,
                problem, created_at, responsible_department_id)
            SELECT %(type)s, 1 + g %% %(incidents)s, ({KINDS})[1 + g %% 6], 0, %(version)s, t,
                t + interval '2 hours', '[]',
                CASE WHEN g %% 9 = 0 THEN 'breached' ELSE 'met' END,
                CASE WHEN g %% 9 <> 0 THEN t + interval '1 hour'
                     WHEN g %% 900 <> 0 THEN t + interval '3 hours' END,
                CASE WHEN g %% 9 = 0 THEN t + interval '2 hours' END, '', t,
                (%(departments)s::bigint[])[1 + g %% cardinality(%(departments)s::bigint[])]
            FROM (SELECT g, now() - random() * (%(days)s * interval '1 day') AS t
                  FROM generate_series(1, %(n)s) g) x
            """,
            {
                **params,
                "type": incident_type,
                "incidents": incidents,
                "n": incidents * 3,
                "version": _empty_version(),
            },
        )
        step(
            "alerts",
            cursor,
            """
            INSERT INTO alerts_alert (incident_id, sequence, level, is_upgrade, content,
                published_by_id, published_at)
            SELECT id, 1, level, false, '{}', %(user)s, created_at + interval '5 minutes'
            FROM incidents_incident WHERE id %% 2 = 0
            """,
            params,
        )
        step(
            "alert recipients",
            cursor,
            """
            INSERT INTO alerts_alertrecipient (incident_id, user_id, department_id, audience,
                first_alert_id, latest_alert_id, acknowledged_at, acknowledged_via, link_nonce)
            SELECT a.incident_id, u.user_id, u.department_id, 'interface_person', a.id, a.id,
                CASE WHEN a.id %% 97 = 0 THEN NULL
                     ELSE a.published_at + random() * interval '40 minutes' END,
                'inbox', ''
            FROM alerts_alert a
            CROSS JOIN (VALUES (%(user)s, (%(departments)s::bigint[])[1]),
                               (%(other)s, (%(departments)s::bigint[])[2])) u(user_id, department_id)
            """,
            params,
        )
        for indexes in dropped.values():
            for name, definition in indexes:
                step(f"index {name}", cursor, definition)
    # as autovacuum does after so many inserts: the statistics, and the visibility map that
    # lets a count be read from an index alone (VACUUM cannot run in a transaction)
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    return {"load_seconds": time.perf_counter() - started}


def rebuild() -> float:
    from django.core.management import call_command

    start = time.perf_counter()
    call_command("rollup_rebuild")  # analyzes the rollups it wrote
    return time.perf_counter() - start


# The raw GROUP BY over the base tables that answers each endpoint's question.
RAW = {
    "trends": [
        """SELECT date_trunc('day', created_at AT TIME ZONE 'Asia/Shanghai') d, level, count(*)
           FROM incidents_incident WHERE created_at >= %(since)s AND created_at < %(until)s
           GROUP BY 1, 2""",
        """SELECT date_trunc('day', created_at AT TIME ZONE 'Asia/Shanghai') d, count(*),
                  count(*) FILTER (WHERE escalation <> '')
           FROM complaints_complaint WHERE created_at >= %(since)s AND created_at < %(until)s
           GROUP BY 1""",
    ],
    "departments": [
        """SELECT responsible_department_id, kind, count(*) FILTER (WHERE state = 'met'),
                  count(*) FILTER (WHERE state = 'breached')
           FROM deadlines_deadline WHERE due_at >= %(since)s AND due_at < %(until)s
             AND state IN ('met', 'breached') GROUP BY 1, 2""",
        """SELECT r.department_id, count(*), sum(r.acknowledged_at - a.published_at)
           FROM alerts_alertrecipient r JOIN alerts_alert a ON a.id = r.first_alert_id
           WHERE r.acknowledged_at >= %(since)s AND r.acknowledged_at < %(until)s GROUP BY 1""",
        """SELECT owning_department_id, count(*), sum(restored_at - occurred_at)
           FROM incidents_incident WHERE resolved_at >= %(since)s AND resolved_at < %(until)s
           GROUP BY 1""",
        """SELECT owning_department_id, count(*), count(recurrence_of_id)
           FROM incidents_incident WHERE state = 'closed' AND closed_at >= %(since)s
             AND closed_at < %(until)s GROUP BY 1""",
        """SELECT coalesce(department_id, first_ask_department_id), count(*),
                  count(*) FILTER (WHERE satisfaction = 'satisfied' AND repeat_count = 0),
                  count(*) FILTER (WHERE satisfaction <> ''),
                  count(*) FILTER (WHERE satisfaction = 'satisfied'),
                  count(*) FILTER (WHERE repeat_count > 0)
           FROM complaints_complaint WHERE state = 'archived' AND archived_at >= %(since)s
             AND archived_at < %(until)s GROUP BY 1""",
    ],
}


class RequestFailed(Exception):
    pass


def measure(days_back: int, repeat: int) -> list[dict]:
    """Each endpoint ``repeat`` times, alternating with its raw GROUP BY: after every tenth
    call of the endpoint the raw statements run once, so both see the same moment of a
    shared machine. Any answer but 200 refuses the whole run."""
    from datetime import timedelta

    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from incidents.selectors import period_bounds

    client = Client()
    client.force_login(User.objects.get(username="manager"))
    until = timezone.localdate()
    since = until - timedelta(days=days_back - 1)
    query = {"since": since.isoformat(), "until": until.isoformat()}
    start, end = period_bounds(since, until)
    results = []
    for endpoint in ("overview", "trends", "departments"):
        path = f"/api/v1/metrics/{endpoint}/"

        def call(path=path):
            status = client.get(path, query).status_code
            if status != 200:
                raise RequestFailed(f"{path} answered {status}")

        statements = RAW.get(endpoint, ())

        def run_raw(statements=statements):
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql, {"since": start, "until": end})
                    cursor.fetchall()

        call()  # warm: the first call of a process pays for imports and plans
        samples: list[float] = []
        raw: list[float] = []
        for n in range(repeat):
            samples += timed(call, 1)
            if endpoint in RAW and n % 10 == 9:
                raw += timed(run_raw, 1)
        results.append(
            {"endpoint": endpoint, "days": days_back, "api": samples, "raw": raw or None}
        )
        line = f"  {endpoint} ({days_back} days): {summary(samples)}"
        if raw:
            line += f"; raw GROUP BY p95 {percentile(raw, 95):.1f} ms"
        print(line, flush=True)
    return results


TARGET_MS = 50
TARGET_SHARE = 0.1  # of the raw GROUP BY's p95 in the same run


def verdict(result: dict) -> bool:
    p95 = percentile(result["api"], 95)
    if p95 > TARGET_MS:
        return False
    return result["raw"] is None or p95 <= TARGET_SHARE * percentile(result["raw"], 95)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--complaints", type=int, default=10_000_000)
    parser.add_argument("--days", type=int, default=1095, help="history the records span")
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3, help="measurement runs, each reported")
    parser.add_argument("--reuse", action="store_true", help="keep the data of the last run")
    parser.add_argument(
        "--load-only", action="store_true", help="load and build the rollups, measure nothing"
    )
    args = parser.parse_args()
    setup_django()
    load, build = None, None
    if not args.reuse:
        print("loading …", flush=True)
        load = fill(args.incidents, args.complaints, args.days)["load_seconds"]
        print("building the rollups …", flush=True)
        build = rebuild()
        print(f"  rollups: {build:.1f} s", flush=True)
        remember_load(args, load, build)
    if args.load_only:
        return
    runs = []
    try:
        for number in range(1, args.runs + 1):
            print(f"measuring, run {number} of {args.runs} …", flush=True)
            runs.append(measure(30, args.repeat) + measure(365, args.repeat))
    except RequestFailed as error:
        sys.exit(f"refused: {error}; no result written")
    write_results(args, runs)


# What the load took, kept beside the data so that a --reuse run reports it.
LOAD_NOTE = "bench_dashboard_load"


def remember_load(args, load: float, build: float) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {LOAD_NOTE} (note text)")
        cursor.execute(f"TRUNCATE {LOAD_NOTE}")
        cursor.execute(
            f"INSERT INTO {LOAD_NOTE} VALUES (%s)",
            [
                f"Load {load / 60:.1f} min (`--incidents {args.incidents} --complaints"
                f" {args.complaints} --days {args.days}`, INSERT … SELECT, indexes rebuilt"
                f" after); first rollup build {build / 60:.1f} min."
            ],
        )


def load_note() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [LOAD_NOTE])
        if cursor.fetchone()[0] is None:
            return ""
        cursor.execute(f"SELECT note FROM {LOAD_NOTE}")
        row = cursor.fetchone()
    return row[0] if row else ""


def _cell(result: dict) -> str:
    p95 = percentile(result["api"], 95)
    if result["raw"] is None:
        return f"{p95:.1f}"
    return f"{p95:.1f} ({percentile(result['raw'], 95) / p95:.0f}×)"


def write_results(args, runs: list[list[dict]]) -> None:
    from django.db import connection

    from dashboards.models import ComplaintRollup, IncidentRollup

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM incidents_incident")
        incidents = cursor.fetchone()[0]
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE relname = 'complaints_complaint'"
        )
        complaints = cursor.fetchone()[0]
    overall = [
        f"| endpoint | period | {' | '.join(f'run {n} p95 ms (raw ÷)' for n in range(1, len(runs) + 1))} | target |",
        f"|---|---|{'---|' * len(runs)}---|",
    ]
    for i, first in enumerate(runs[0]):
        across = [run[i] for run in runs]
        met = all(verdict(r) for r in across)
        overall.append(
            f"| `/api/v1/metrics/{first['endpoint']}/` | {first['days']} days "
            f"| {' | '.join(_cell(r) for r in across)} | {'met' if met else 'missed'} |"
        )
    sections = []
    for number, results in enumerate(runs, start=1):
        rows = [
            "| endpoint | period | p50 ms | p95 ms | max ms | raw GROUP BY p95 ms | raw ÷ endpoint | target |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for r in results:
            p95 = percentile(r["api"], 95)
            raw = percentile(r["raw"], 95) if r["raw"] else None
            rows.append(
                f"| `/api/v1/metrics/{r['endpoint']}/` | {r['days']} days "
                f"| {percentile(r['api'], 50):.1f} | {p95:.1f} | {max(r['api']):.1f} "
                f"| {f'{raw:.0f}' if raw is not None else '— (live counts)'} "
                f"| {f'{raw / p95:.0f}×' if raw is not None else '—'} "
                f"| {'met' if verdict(r) else 'missed'} |"
            )
        sections.append(f"### Run {number}\n\n" + "\n".join(rows))
    met_all = all(verdict(r) for results in runs for r in results)
    text = f"""# Dashboard metrics benchmark

`python bench/dashboard.py --incidents {args.incidents} --complaints {args.complaints} --days {args.days} --runs {args.runs}`
on {machine()}, {time.strftime("%Y-%m-%d %H:%M %Z")}.

Data: {incidents:,} incidents and about {complaints:,} complaints over {args.days} days, with
three deadlines per incident (one in nine missed; all but one in a hundred of the missed
were done late, as work is, so a few thousand stay overdue) and alert acknowledgments;
{IncidentRollup.objects.count():,} incident rollup rows and {ComplaintRollup.objects.count():,}
complaint rollup rows (day and month rows).
{load_note() or "Data of an earlier run (--reuse)."}

Periods longer than 92 days read the month rows of the months they cover whole and the day
rows at their edges, and draw their trends month by month.

Each run calls each endpoint {args.repeat} times in-process through Django's test client as
the working-group manager (session, filters, rollup queries, JSON), and after every tenth call
runs once the aggregations over the base tables that would answer the same question without
rollups ("raw GROUP BY", indexed by the event times), so that both meet the same moments of
a shared machine. The target: every endpoint's p95 ≤ {TARGET_MS} ms and ≤ {TARGET_SHARE} × the
raw GROUP BY's p95 of the same run (raw ÷ endpoint ≥ {1 / TARGET_SHARE:.0f}×), in every run.

## All runs

p95 of each run, with raw GROUP BY ÷ endpoint in brackets: **target {"met in every run" if met_all else "missed"}**.

{chr(10).join(overall)}

The overview's figures are live counts (open incidents, unmet deadlines, unacknowledged alerts)
that indexes answer directly, plus today's complaint rollup; it has no GROUP BY to compare.

{(chr(10) * 2).join(sections)}
"""
    path = write("dashboard", text)
    print(f"written to {path}")


if __name__ == "__main__":
    main()
