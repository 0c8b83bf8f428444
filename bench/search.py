"""Benchmark of the search box (`make bench-search`).

Loads the province of `bench/pages.py` (its `fill`: 10,000,000 complaints and 1,000,000
incidents written from `bench/vocabulary.py`, the search indexes rebuilt after; no deadlines),
then searches the complaint list by phone, by number and by Chinese words of known frequency
(``网速`` in one complaint in 50, ``加急`` in one in 1,000, ``瑶池`` in one in 100,000), through
the list's selector,
its API and its page (Django's test client, in-process), as the working group's manager and
as the Changchun branch's interface person. Alternating call by call with a yardstick: the
same list's first page without a search, through the same selector.

    python bench/search.py                 # load (about 20 minutes on two cores) and measure
    python bench/search.py --load-only     # load only
    python bench/search.py --reuse         # measure the data of the last load
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import RESULTS, machine, percentile, setup_django

TARGET_MS = 150.0
PAGE_SIZE = 30
# the words looked for, with the share of complaints holding them (bench/vocabulary.py)
FREQUENT, MID, RARE = "网速", "加急", "瑶池"
PHRASE = "网速很慢"


def _in_scope(user, share: float):
    """A complaint ``user`` may see, about ``share`` of the way into the table: its number
    and full phone number."""
    from django.db.models import Max

    from complaints.models import Complaint
    from complaints.selectors import complaint_scope

    offset = int(Complaint.objects.aggregate(last=Max("pk"))["last"] * share)
    complaint = (
        complaint_scope(user).order_by().filter(pk__gte=offset).only("number", "customer_phone")
    ).first()
    assert complaint is not None
    return complaint


def cases() -> list[dict]:
    from django.contrib.auth.models import User

    manager = User.objects.get(username="manager")
    contact = User.objects.get(username="cc_contact")  # the Changchun branch's interface person
    out = []
    for who, user in (("manager", manager), ("branch contact", contact)):
        mine = _in_scope(user, 0.4321 if user is manager else 0.6543)
        out += [
            {"label": f"{who}, full phone", "user": user, "q": mine.customer_phone},
            {"label": f"{who}, number", "user": user, "q": mine.number},
            {"label": f"{who}, 2 characters, 1 in 50 ({FREQUENT})", "user": user, "q": FREQUENT},
            {"label": f"{who}, 2 characters, 1 in 1,000 ({MID})", "user": user, "q": MID},
            {"label": f"{who}, 2 characters, 1 in 100,000 ({RARE})", "user": user, "q": RARE},
            {"label": f"{who}, 4 characters, 1 in 50 ({PHRASE})", "user": user, "q": PHRASE},
        ]
    return out


def _query(user, q):
    from complaints.selectors import COMPLAINT_ORDER, complaint_list, complaints_search
    from core.keyset import order_by

    rows = complaint_list(user=user)
    if q is not None:
        rows = complaints_search(rows, q)
    return rows.order_by(*order_by(COMPLAINT_ORDER))


def _first_page(user, q):
    """The query of the first page as the list reads it: branch by branch for a department,
    a word that is not common in windows of time (those looked in before it is returned)."""
    from complaints.selectors import COMPLAINT_ORDER, complaint_branches
    from core.keyset import page_query

    return page_query(
        _query(user, q), COMPLAINT_ORDER, None, PAGE_SIZE, complaint_branches(user)
    ).query


def _measure_case(case: dict, client, repeat: int) -> dict[str, list[float]]:
    failures = []

    def selector():
        if not list(_first_page(case["user"], case["q"])):
            failures.append(("selector", case["q"]))

    def yardstick():
        list(_first_page(case["user"], None))

    def api():
        response = client.get("/api/v1/complaints/", {"q": case["q"], "page_size": PAGE_SIZE})
        if response.status_code != 200 or not response.json()["results"]:
            failures.append(("/api/v1/complaints/", case["q"], response.status_code))

    def page():
        response = client.get("/complaints/", {"q": case["q"]})
        # a list with rows (only the "nothing matches" row spans the table's columns)
        if response.status_code != 200 or b"colspan=" in response.content:
            failures.append(("/complaints/", case["q"], response.status_code))

    calls = (("yardstick", yardstick), ("selector", selector), ("api", api), ("page", page))
    for _name, call in calls:  # warm
        call()
    samples: dict[str, list[float]] = {name: [] for name, _call in calls}
    for _ in range(repeat):  # alternating: the yardstick, the search's selector, API, page
        for name, call in calls:
            start = time.perf_counter()
            call()
            samples[name].append((time.perf_counter() - start) * 1000)
    if failures:
        raise SystemExit(f"refused: {len(failures)} requests failed, e.g. {failures[0]}")
    return samples


def measure(chosen: list[dict], repeat: int) -> list[dict]:
    from django.test import Client

    clients: dict = {}
    results = []
    for case in chosen:
        user = case["user"]
        if user.username not in clients:
            clients[user.username] = Client()
            clients[user.username].force_login(user)
        samples = _measure_case(case, clients[user.username], repeat)
        results.append({**case, "samples": samples})
        print(
            f"  {case['label']}: selector p95 {percentile(samples['selector'], 95):.1f} ms, "
            f"API p95 {percentile(samples['api'], 95):.1f} ms, "
            f"page p95 {percentile(samples['page'], 95):.1f} ms, "
            f"yardstick p95 {percentile(samples['yardstick'], 95):.1f} ms",
            flush=True,
        )
    return results


def plans(chosen: list[dict]) -> list[tuple[str, str]]:
    """EXPLAIN (ANALYZE, BUFFERS) of each statement of each case's first page (a search read
    in windows: one per window looked at, then the page's rows)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    out = []
    for case in chosen:
        with CaptureQueriesContext(connection) as queries:
            list(_first_page(case["user"], case["q"]))
        explained = []
        for query in queries.captured_queries:
            if "complaints_complaint" not in query["sql"]:
                continue
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query['sql']}")
                explained.append("\n".join(row[0] for row in cursor.fetchall()))
        out.append((case["label"], "\n\n".join(explained)))
    return out


def _worst(r) -> float:
    return max(percentile(r["samples"]["selector"], 95), percentile(r["samples"]["api"], 95))


def _table(runs: list[list[dict]]) -> str:
    rows = [
        "| case | run | selector p50 ms | selector p95 ms | API p95 ms | page p95 ms "
        "| yardstick p95 ms | selector and API p95 ≤ 150 ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for index, results in enumerate(runs, 1):
        for r in results:
            samples = r["samples"]
            rows.append(
                f"| {r['label']} | {index} | {statistics.median(samples['selector']):.1f} "
                f"| {percentile(samples['selector'], 95):.1f} "
                f"| {percentile(samples['api'], 95):.1f} | {percentile(samples['page'], 95):.1f} "
                f"| {percentile(samples['yardstick'], 95):.1f} "
                f"| {'met' if _worst(r) <= TARGET_MS else 'missed'} |"
            )
    return "\n".join(rows)


def write_results(args, runs, load, explained) -> Path:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE relname = 'complaints_complaint'"
        )
        complaints = cursor.fetchone()[0]
        cursor.execute(
            "SELECT pg_size_pretty(pg_relation_size('complaint_search_text')),"
            " pg_size_pretty(pg_relation_size('complaints_complaint'))"
        )
        index_size, table_size = cursor.fetchone()
    met = all(_worst(r) <= TARGET_MS for results in runs for r in results)
    pages_met = all(
        percentile(r["samples"]["page"], 95) <= TARGET_MS for results in runs for r in results
    )
    plans_text = "\n\n".join(f"### {label}\n\n```\n{plan}\n```" for label, plan in explained)
    loaded = (
        f"Load {load / 60:.1f} min (`bench/pages.py`'s `fill`: INSERT … SELECT in chunks of a "
        "million, the indexes dropped and built again after, the bigram index among them)."
        if load
        else "Data of an earlier load (--reuse)."
    )
    text = f"""# Search benchmark

`python bench/search.py{" --reuse" if args.reuse else ""} --runs {args.runs} --repeat {args.repeat}`
on {machine()}.

Data: about {complaints:,} complaints (table {table_size}; the bigram index
`complaint_search_text` {index_size}) written from `bench/vocabulary.py`: every customer's
phone number distinct; a problem phrase in one complaint in 50 (`{FREQUENT}`, `{PHRASE}`), a
"mid" word in one in 1,000 (`{MID}`), a "rare" word in one in 100,000 (`{RARE}`: about 100
complaints). {loaded}

Each case is one search, its first page of {PAGE_SIZE}, asked {args.repeat} times per run
in-process: through the list's selector (`complaints_search(complaint_list(user=…), q)`, paged
by `keyset_page`'s query: a department's scope read branch by branch, a word the statistics
do not count as common read in windows of time, rows and prefetches read as the page reads
them), through
`/api/v1/complaints/?q=` and through the page `/complaints/?q=` (Django's test client: session,
scoping, serializer or template, masking, the log of full reads). As the working group's
manager (sees every complaint) and as the Changchun branch's interface person (scoped to their
department). Alternating call by call, the yardstick: the same user's list without a search,
through the same selector. A run where any request failed or found nothing is refused.

Target: p95 ≤ {TARGET_MS:.0f} ms through the selector and the API, every case, all
{len(runs)} runs — **{"met" if met else "not met"}**. The page's p95 is shown too; the page
{"stays" if pages_met else "does not stay"} under {TARGET_MS:.0f} ms in every case (the list
page without a search is measured by `make bench-pages`; most of a page's time is drawing it).

{_table(runs)}

## Query plans (EXPLAIN (ANALYZE, BUFFERS) of each search's first page)

{plans_text}
"""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "search.md"
    path.write_text(text, encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--complaints", type=int, default=10_000_000)
    parser.add_argument("--days", type=int, default=1095, help="history the records span")
    parser.add_argument("--repeat", type=int, default=20, help="calls of each case per run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="keep the data of the last load")
    parser.add_argument("--load-only", action="store_true", help="load, do not measure")
    args = parser.parse_args()
    setup_django()
    load = None
    if not args.reuse:
        from bench.pages import fill

        print("loading …", flush=True)
        load = fill(args.incidents, args.complaints, args.days, deadlines=False)
        print(f"  load: {load / 60:.1f} min", flush=True)
    if args.load_only:
        return
    chosen = cases()
    runs = []
    for run in range(1, args.runs + 1):
        print(f"run {run} …", flush=True)
        runs.append(measure(chosen, args.repeat))
    path = write_results(args, runs, load, plans(chosen))
    print(f"written to {path}")


if __name__ == "__main__":
    main()
