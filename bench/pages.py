"""Benchmark of the list pages and their API twins (`make bench-pages`).

Fills PostgreSQL with a synthetic province — by default 10,000,000 complaints and 1,000,000
incidents over three years, with their deadlines (the open ones pending) — using
INSERT … SELECT (indexes dropped during the load and rebuilt after), then measures the
complaint list, the incident list and "my deadlines", each as a page and (where it has one)
as its `/api/v1/` twin, through Django's test client, as a customer-service manager who sees
everything and as a branch's interface person scoped to their department: the first page, a
deep page reached by following the "next" cursor, and filtered. Each is measured against a
yardstick in the same run, alternating: the bare keyset SQL query of the same rows.

    python bench/pages.py                                  # the full size (load 10–20 minutes)
    python bench/pages.py --complaints 1000000 --incidents 100000   # a quick look
    python bench/pages.py --reuse --runs 3                 # measure again without reloading
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import vocabulary
from bench.common import RESULTS, machine, percentile, secondary_indexes, setup_django, step

TABLES = (
    "incidents_incident",
    "incidents_incident_cities",
    "complaints_complaint",
    "deadlines_deadline",
)
LINES = "ARRAY['network','business_support','value_added','enterprise_product','terminal','billing','service','information_security']"
INCIDENT_KINDS = ("incident-explanation", "incident-root-cause", "incident-publish")
COMPLAINT_KINDS = ("complaint-handover", "complaint-contact", "complaint-callback")
OPEN_COMPLAINT_STATES = "ARRAY['received','dispatched','assigned','in_progress','replied']"
# the departments that handle complaints and own incidents (not the hotline, not the office)
BRANCHES = ("CC", "JL", "SP", "LY", "TH", "BS", "SY", "BC", "YB")
HANDLERS = ("NET", "ENT", "MKT", "DATA", "ITC", *(f"BR-{code}" for code in BRANCHES))
TARGET_MS = 150.0


def fill(incidents: int, complaints: int, days: int, deadlines: bool = True) -> float:
    """Load the synthetic province (the tables emptied first); the seconds it took."""
    from django.contrib.auth.models import User
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from complaints.models import Complaint
    from incidents.models import Incident
    from organisation.demo import seed_demo
    from organisation.models import City, Department

    seed_demo()
    handlers = list(
        Department.objects.filter(code__in=HANDLERS).order_by("pk").values_list("pk", flat=True)
    )
    hotline = Department.objects.get(code="CSC").pk
    cities = list(City.objects.order_by("pk").values_list("pk", flat=True))
    manager = User.objects.get(username="manager").pk
    agent = User.objects.get(username="hotline1").pk
    params = {
        "departments": handlers,
        "hotline": hotline,
        "cities": cities,
        "manager": manager,
        "agent": agent,
        "days": days,
        "incident_type": ContentType.objects.get_for_model(Incident).pk,
        "complaint_type": ContentType.objects.get_for_model(Complaint).pk,
        **vocabulary.params(),
        **_policies(),
    }
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
        dropped = {table: secondary_indexes(cursor, table) for table in TABLES}
        for indexes in dropped.values():
            for name, _definition in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
        try:
            # one in a hundred incidents still live, the newest ones among them
            step(
                f"{incidents:,} incidents",
                cursor,
                f"""
                INSERT INTO incidents_incident (number, title, description, business_line, source,
                    hq_level, customers_affected, publicity, legal_involved, occurred_at, detected_at,
                    owning_department_id, handling_mode, state, level, level_reasons, cancel_reason,
                    created_by_id, created_at, updated_at, resolved_at, restored_at, closed_at)
                SELECT 'INC-' || to_char(t, 'YYYYMMDD') || '-' || to_char(g %% 10000000, 'FM0000000'),
                    {vocabulary.INCIDENT_TITLE}, {vocabulary.INCIDENT_DESCRIPTION},
                    ({LINES})[1 + g %% 8], 'business_risk', '',
                    (random() * 5000)::int, 'none', false, t - interval '20 minutes', t,
                    (%(departments)s::bigint[])[1 + g %% cardinality(%(departments)s::bigint[])],
                    'point', s, l, '[]', '', %(manager)s, t, t,
                    CASE WHEN s IN ('resolved', 'improving', 'closed')
                         THEN t + random() * interval '30 hours' END,
                    CASE WHEN s IN ('resolved', 'improving', 'closed')
                         THEN t + random() * interval '20 hours' END,
                    CASE WHEN s = 'closed' THEN t + interval '2 days' + random() * interval '8 days' END
                FROM (
                    SELECT g, CASE WHEN g %% 100 = 0 THEN now() - random() * interval '20 days'
                                   ELSE now() - random() * (%(days)s * interval '1 day') END AS t,
                        CASE WHEN g %% 100 = 0 THEN
                                (ARRAY['dispatched','handling','resolved','improving'])[1 + g / 100 %% 4]
                             WHEN g %% 97 = 0 THEN 'cancelled' ELSE 'closed' END AS s,
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
            # the hotline takes every complaint; two in three are dispatched to a department;
            # one in a hundred is still open (received in the last ten days)
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
                    SELECT 'CMP-' || to_char(t, 'YYYYMMDD') || '-' || to_char(g %% 10000000, 'FM0000000'),
                        '', 'hotline', {vocabulary.CUSTOMER_NAME}, {vocabulary.CUSTOMER_PHONE},
                        {vocabulary.CUSTOMER_ACCOUNT}, '地址', ({LINES})[1 + g %% 8],
                        {vocabulary.SUMMARY}, {vocabulary.DESCRIPTION}, g %% 50 = 0,
                        CASE WHEN g %% 40 = 0 THEN 'ministry' ELSE 'none' END, 'general', s,
                        CASE WHEN s = 'archived' THEN
                            CASE WHEN g %% 10 = 0 THEN 'unsatisfied' ELSE 'satisfied' END ELSE '' END,
                        CASE WHEN g %% 17 = 0 THEN 1 ELSE 0 END, 0, t, t,
                        CASE WHEN s = 'archived' THEN t + random() * interval '3 days' END,
                        (%(cities)s::bigint[])[1 + g %% cardinality(%(cities)s::bigint[])],
                        CASE WHEN g %% 3 = 0 THEN NULL ELSE
                            (%(departments)s::bigint[])[1 + g / 3 %% cardinality(%(departments)s::bigint[])]
                        END,
                        %(hotline)s, %(agent)s
                    FROM (
                        SELECT g,
                            CASE WHEN g %% 100 = 0 THEN now() - random() * interval '10 days'
                                 ELSE now() - random() * (%(days)s * interval '1 day') END AS t,
                            CASE WHEN g %% 100 = 0 THEN ({OPEN_COMPLAINT_STATES})[1 + g / 100 %% 5]
                                 ELSE 'archived' END AS s
                        FROM generate_series(%(first)s, %(last)s) g
                    ) x
                    """,
                    {**params, "first": first, "last": last},
                )
            if deadlines:
                # three deadlines per incident: met (one in nine late) for the settled, pending for
                # the live ones; one per open complaint, pending
                step(
                    f"{incidents * 3:,} incident deadlines",
                    cursor,
                    """
                    INSERT INTO deadlines_deadline (content_type_id, object_id, kind, round,
                        policy_id, policy_version_id, started_at, due_at, reminders, state, met_at,
                        breached_at, problem, created_at, responsible_department_id)
                    SELECT %(incident_type)s, i.id, (%(incident_kinds)s::text[])[k],
                        0, (%(incident_policies)s::bigint[])[k], (%(incident_versions)s::bigint[])[k],
                        i.created_at,
                        i.created_at + k * interval '4 hours', '[]',
                        CASE WHEN i.state IN ('closed', 'cancelled')
                             THEN CASE WHEN i.id %% 9 = 0 THEN 'breached' ELSE 'met' END
                             ELSE 'pending' END,
                        CASE WHEN i.state IN ('closed', 'cancelled')
                             THEN i.created_at + k * interval '3 hours' END,
                        CASE WHEN i.state IN ('closed', 'cancelled') AND i.id %% 9 = 0
                             THEN i.created_at + k * interval '4 hours' END, '', i.created_at,
                        i.owning_department_id
                    FROM incidents_incident i CROSS JOIN generate_series(1, 3) k
                    """,
                    params,
                )
                step(
                    "open complaint deadlines",
                    cursor,
                    """
                    INSERT INTO deadlines_deadline (content_type_id, object_id, kind, round,
                        policy_id, policy_version_id, started_at, due_at, reminders, state, problem,
                        created_at, responsible_department_id)
                    SELECT %(complaint_type)s, c.id, (%(complaint_kinds)s::text[])[1 + c.id %% 3], 0,
                        (%(complaint_policies)s::bigint[])[1 + c.id %% 3],
                        (%(complaint_versions)s::bigint[])[1 + c.id %% 3],
                        c.created_at, c.created_at + interval '2 days', '[]', 'pending', '',
                        c.created_at, coalesce(c.department_id, c.first_ask_department_id)
                    FROM complaints_complaint c WHERE c.state <> 'archived'
                    """,
                    params,
                )
        finally:  # the indexes back, even when the load failed
            cursor.execute("SET maintenance_work_mem = '1GB'")
            for indexes in dropped.values():
                for name, definition in indexes:
                    step(f"index {name}", cursor, definition)
        for table in TABLES:
            cursor.execute(f"ANALYZE {table}")
    return time.perf_counter() - started


def _policies() -> dict[str, list]:
    """The deadline kinds the load writes, each with its policy and that policy's version."""
    from deadlines.models import DeadlinePolicy
    from deadlines.versions import policy_version

    out: dict[str, list] = {}
    for record, kinds in (("incident", INCIDENT_KINDS), ("complaint", COMPLAINT_KINDS)):
        policies = [DeadlinePolicy.objects.get(code=kind) for kind in kinds]
        out[f"{record}_kinds"] = list(kinds)
        out[f"{record}_policies"] = [policy.pk for policy in policies]
        out[f"{record}_versions"] = [policy_version(policy).pk for policy in policies]
    return out


def _deep_cursor(model, keys, where: str, last: bool = False) -> str:
    """The cursor of the first row (``last``: the last) of ``where``, in the list's order: a
    page deep in the list."""
    from django.db import connection

    from core.keyset import _encode

    columns = ", ".join(key.field for key in keys)
    order = ", ".join(f"{key.field} {'DESC' if key.descending != last else 'ASC'}" for key in keys)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns} FROM {model._meta.db_table} WHERE {where} ORDER BY {order} LIMIT 1"
        )
        return _encode(list(cursor.fetchone()), True)


def cases() -> list[dict]:
    """What is measured: each page (and its API twin) as a user sees it."""
    from django.contrib.auth.models import User

    from complaints.models import Complaint
    from complaints.selectors import COMPLAINT_ORDER, complaint_list, complaints_filter
    from deadlines.models import Deadline
    from incidents.models import Incident
    from incidents.selectors import (
        DEADLINE_ORDER,
        INCIDENT_ORDER,
        deadline_list,
        deadlines_filter,
        incident_list,
        incidents_filter,
    )
    from organisation.models import City

    manager = User.objects.get(username="manager")
    contact = User.objects.get(username="cc_contact")  # the Changchun branch's interface person
    city = City.objects.order_by("pk").first()
    assert city is not None
    old_complaint = _deep_cursor(
        Complaint, COMPLAINT_ORDER, "created_at < now() - interval '700 days'"
    )
    old_incident = _deep_cursor(
        Incident, INCIDENT_ORDER, "created_at < now() - interval '700 days'"
    )
    department = contact.profile.department_id
    mid_deadline = _deep_cursor(
        Deadline,
        DEADLINE_ORDER,
        f"met_at IS NULL AND state IN ('pending', 'breached') AND responsible_department_id = "
        f"{department} AND due_at < now() - interval '5 days'",
        last=True,
    )
    out = []

    def complaint(label, user, query, cursor=None):
        cleaned = {"state": query.get("state"), "business_line": query.get("business_line")}
        if "city" in query:
            cleaned["city"] = city
        out.append(
            {
                "list": "complaints",
                "label": label,
                "user": user,
                "page": "/complaints/",
                "api": "/api/v1/complaints/",
                "query": {
                    **{k: v for k, v in query.items() if k != "city"},
                    **({"city": city.pk} if "city" in query else {}),
                },
                "api_query": {
                    **(
                        {"state": query["state"]}
                        if query.get("state") not in (None, "open")
                        else {}
                    ),
                    **(
                        {"business_line": query["business_line"]}
                        if "business_line" in query
                        else {}
                    ),
                },
                "cursor": cursor,
                "rows": lambda: complaints_filter(complaint_list(user=user), cleaned),
                "keys": COMPLAINT_ORDER,
                "size": 30,
            }
        )

    def incident(label, user, query, cursor=None):
        out.append(
            {
                "list": "incidents",
                "label": label,
                "user": user,
                "page": "/incidents/",
                "api": "/api/v1/incidents/",
                "query": query,
                "api_query": {k: v for k, v in query.items() if k != "state"},
                "cursor": cursor,
                "rows": lambda: incidents_filter(incident_list(user=user), query),
                "keys": INCIDENT_ORDER,
                "size": 25,
            }
        )

    def deadline(label, user, query, cursor=None):
        everyone = query.get("scope") == "all"
        out.append(
            {
                "list": "my deadlines",
                "label": label,
                "user": user,
                "page": "/incidents/deadlines/",
                "api": None,
                "query": query,
                "api_query": {},
                "cursor": cursor,
                "rows": lambda: deadlines_filter(deadline_list(user=user, everyone=everyone), {}),
                "keys": DEADLINE_ORDER,
                "size": 50,
            }
        )

    complaint("manager, first page", manager, {})
    complaint("manager, two years back", manager, {}, old_complaint)
    complaint("manager, open ones", manager, {"state": "open"})
    complaint("manager, billing in one city", manager, {"business_line": "billing", "city": 1})
    complaint("branch contact, first page", contact, {})
    complaint("branch contact, two years back", contact, {}, old_complaint)
    incident("manager, first page", manager, {})
    incident("manager, two years back", manager, {}, old_incident)
    incident("manager, live ones", manager, {"state": "live"})
    incident("branch contact, first page", contact, {})
    incident("branch contact, two years back", contact, {}, old_incident)
    deadline("manager, everyone's", manager, {"scope": "all"})
    deadline("branch contact, first page", contact, {})
    deadline("branch contact, further on", contact, {}, mid_deadline)
    return out


def _yardstick(case):
    """The bare keyset query of the same rows: their ids alone, nothing joined or drawn."""
    from core.keyset import _after, _decode, order_by

    rows = case["rows"]()
    forward = True
    if case["cursor"]:
        values, forward = _decode(case["cursor"], case["keys"])
        rows = rows.filter(_after(case["keys"], values, forward))
    query = rows.order_by(*order_by(case["keys"], forward)).values_list("pk", flat=True)
    return query[: case["size"] + 1]


def _measure_case(case: dict, client, repeat: int) -> dict[str, list[float]]:
    page_query = {**case["query"], **({"cursor": case["cursor"]} if case["cursor"] else {})}
    api_query = {**case["api_query"], **({"cursor": case["cursor"]} if case["cursor"] else {})}
    if case["api"] and case["list"] == "complaints":
        api_query["page_size"] = 30
    if case["api"] and case["list"] == "incidents":
        api_query["page_size"] = 25
    failures = []

    def page():
        response = client.get(case["page"], page_query)
        # a list with rows (only the "nothing matches" row spans the table's columns)
        if response.status_code != 200 or b"colspan=" in response.content:
            failures.append((case["page"], response.status_code))

    def api():
        response = client.get(case["api"], api_query)
        if response.status_code != 200 or not response.json()["results"]:
            failures.append((case["api"], response.status_code))

    def bare():
        list(_yardstick(case))

    page(), bare()  # warm
    if case["api"]:
        api()
    samples: dict[str, list[float]] = {"page": [], "api": [], "bare": []}
    for _ in range(repeat):  # alternating: the yardstick, the page, its API twin
        for name, call in (("bare", bare), ("page", page), ("api", api)):
            if name == "api" and not case["api"]:
                continue
            start = time.perf_counter()
            call()
            samples[name].append((time.perf_counter() - start) * 1000)
    if failures:
        raise SystemExit(f"refused: {len(failures)} requests failed, e.g. {failures[0]}")
    return samples


def measure(repeat: int) -> list[dict]:
    from django.test import Client

    clients: dict = {}
    results = []
    for case in cases():
        user = case["user"]
        if user.username not in clients:
            clients[user.username] = Client()
            clients[user.username].force_login(user)
        samples = _measure_case(case, clients[user.username], repeat)
        results.append({**case, "samples": samples})
        line = (
            f"  {case['list']}: {case['label']}: page p95 {percentile(samples['page'], 95):.1f} ms"
        )
        if samples["api"]:
            line += f", API p95 {percentile(samples['api'], 95):.1f} ms"
        line += f", bare keyset p95 {percentile(samples['bare'], 95):.1f} ms"
        print(line, flush=True)
    return results


def plans() -> list[tuple[str, str]]:
    """EXPLAIN ANALYZE of the main queries: each list's page query as the page runs it."""
    from core.keyset import _after, _decode, order_by

    chosen = {
        ("complaints", "manager, two years back"),
        ("complaints", "manager, open ones"),
        ("complaints", "branch contact, first page"),
        ("incidents", "manager, first page"),
        ("incidents", "branch contact, two years back"),
        ("my deadlines", "branch contact, first page"),
    }
    out = []
    for case in cases():
        if (case["list"], case["label"]) not in chosen:
            continue
        rows = case["rows"]()
        forward = True
        if case["cursor"]:
            values, forward = _decode(case["cursor"], case["keys"])
            rows = rows.filter(_after(case["keys"], values, forward))
        query = rows.order_by(*order_by(case["keys"], forward))[: case["size"] + 1]
        if case["list"] == "incidents":
            query = query.prefetch_related(None)
        plan = query.explain(analyze=True)
        out.append((f"{case['list']}: {case['label']}", plan))
    return out


def _table(runs: list[list[dict]]) -> str:
    rows = [
        "| list | case | run | page p50 ms | page p95 ms | API p95 ms | bare keyset p95 ms "
        "| page ÷ bare | p95 ≤ 150 ms |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for index, results in enumerate(runs, 1):
        for r in results:
            page = percentile(r["samples"]["page"], 95)
            api = percentile(r["samples"]["api"], 95) if r["samples"]["api"] else None
            bare = percentile(r["samples"]["bare"], 95)
            worst = max(page, api or 0)
            rows.append(
                f"| {r['list']} | {r['label']} | {index} "
                f"| {statistics.median(r['samples']['page']):.1f} | {page:.1f} "
                f"| {f'{api:.1f}' if api is not None else '— (no API twin)'} | {bare:.1f} "
                f"| {page / bare:.0f}× | {'met' if worst <= TARGET_MS else 'missed'} |"
            )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--complaints", type=int, default=10_000_000)
    parser.add_argument("--days", type=int, default=1095, help="history the records span")
    parser.add_argument("--repeat", type=int, default=40, help="calls of each case per run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="keep the data of the last run")
    parser.add_argument("--load-only", action="store_true", help="load, do not measure")
    args = parser.parse_args()
    setup_django()
    load = None
    if not args.reuse:
        print("loading …", flush=True)
        load = fill(args.incidents, args.complaints, args.days)
        print(f"  load: {load / 60:.1f} min", flush=True)
    if args.load_only:
        return
    from django.db import connection

    with connection.cursor() as cursor:
        # as autovacuum leaves a table in service: its statistics, and the visibility map
        # that index-only scans read (a table just loaded has none)
        for table in TABLES:
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    runs = []
    for run in range(1, args.runs + 1):
        print(f"run {run} …", flush=True)
        runs.append(measure(args.repeat))
    write_results(args, runs, load, plans())


def write_results(args, runs, load, explained) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        counts = {}
        for table in ("complaints_complaint", "incidents_incident", "deadlines_deadline"):
            cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [table])
            counts[table] = cursor.fetchone()[0]
    met = all(
        max(
            percentile(r["samples"]["page"], 95),
            percentile(r["samples"]["api"], 95) if r["samples"]["api"] else 0,
        )
        <= TARGET_MS
        for results in runs
        for r in results
    )
    plans_text = "\n\n".join(f"### {label}\n\n```\n{plan}\n```" for label, plan in explained)
    text = f"""# List pages benchmark

`python bench/pages.py{" --reuse" if args.reuse else ""} --runs {args.runs} --repeat {args.repeat}`
on {machine()}.

Data: about {counts["complaints_complaint"]:,} complaints and {counts["incidents_incident"]:,}
incidents over {args.days} days, and about {counts["deadlines_deadline"]:,} deadlines (three
per incident, one per open complaint; those of live incidents and open complaints pending).
The hotline centre takes every complaint; two in three are dispatched to one of fourteen
departments; one in a hundred complaints and incidents is still open.
{f"Load {load / 60:.1f} min (INSERT … SELECT, indexes rebuilt after)." if load else "Data of an earlier load (--reuse)."}
The tables are vacuumed and analysed before the runs, as autovacuum keeps them in service.

Each case is requested {args.repeat} times per run in-process through Django's test client
(session, scoping, filters, the page's template or the API's JSON), as the working group's
manager (sees every record) or as the Changchun branch's interface person (scoped to their
department). "Two years back" and "further on" open the page a `cursor` names deep in the
list. In the same run, alternating call by call, the yardstick: the bare keyset query of the
same rows (their ids alone, nothing joined, annotated or drawn). A run where any request
failed is refused. Target: p95 ≤ {TARGET_MS:.0f} ms for every page and its API twin in all
{len(runs)} runs — **{"met" if met else "not met"}**.

{_table(runs)}

"My deadlines" has no API twin.

## Query plans (EXPLAIN ANALYZE of the page's main query)

{plans_text}
"""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "pages.md"
    path.write_text(text, encoding="utf-8")
    print(f"written to {path}")


if __name__ == "__main__":
    main()
