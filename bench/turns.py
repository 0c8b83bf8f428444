"""Two versions of the code take turns serving the same pages on the same data.

A change's effect on a page is smaller than the difference between two invocations of a
benchmark minutes apart on a shared machine, and than the drift of its load within one.
Here the version before the change (another checkout: ``git worktree add /tmp/before
<commit>``) and this one each run in a process of their own, side by side, and serve the
pages request by request in turn, so the machine's moods fall on both alike.

    python bench/turns.py --before /tmp/before /incidents/@cc_contact /complaints/@manager

Each page is ``PATH@USERNAME`` (a query string may follow the path); the data is the
benchmark database's (``bench/pages.py --load-only``). Each process warms up, then is told
page by page what to request in-process through Django's test client and answers how long
it took; which version goes first alternates. A request that fails refuses the run. Three
runs (``--runs``), each with processes started afresh, all reported; writes
``bench/results/turns.md``.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
WARM_UP = 60  # past GC_FREEZE_AFTER_REQUESTS: a web process in service has frozen its heap


def serve(pages: list[str]) -> None:
    """Request each page named on standard input, answering the milliseconds it took, with
    the code of the checkout on this process's path."""
    from bench.common import setup_django

    setup_django(migrate=False)
    from django.contrib.auth.models import User
    from django.test import Client

    clients: dict[str, Client] = {}
    for page in pages:
        username = page.rpartition("@")[2]
        if username not in clients:
            clients[username] = Client()
            clients[username].force_login(User.objects.get(username=username))

    def get(page: str) -> float:
        path, _, username = page.rpartition("@")
        start = time.perf_counter()
        response = clients[username].get(path)
        elapsed = (time.perf_counter() - start) * 1000
        # a list with rows (only the "nothing matches" row spans the table's columns)
        if response.status_code != 200 or b"colspan=" in response.content:
            raise SystemExit(f"refused: {page} answered {response.status_code} or nothing")
        return elapsed

    for _ in range(WARM_UP // len(pages) + 1):
        for page in pages:
            get(page)
    print("ready", flush=True)
    for line in sys.stdin:
        print(f"{get(line.strip()):.3f}", flush=True)


class Version:
    """A checkout's serving process."""

    def __init__(self, tree: Path, pages: list[str]):
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--serve", *pages],
            cwd=tree,
            env={**os.environ, "PYTHONPATH": str(tree)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self._expect("ready")

    def _expect(self, what: str) -> str:
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        if not line or (what and line != what):
            self.process.kill()
            raise SystemExit(f"a serving process stopped ({self.process.wait()})")
        return line

    def request(self, page: str) -> float:
        assert self.process.stdin is not None
        self.process.stdin.write(page + "\n")
        self.process.stdin.flush()
        return float(self._expect(""))

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait()


def measure(trees: dict[str, Path], pages: list[str], repeat: int) -> dict:
    """One run: each page's milliseconds by version."""
    versions = {name: Version(tree, pages) for name, tree in trees.items()}
    samples: dict[str, dict[str, list[float]]] = {p: {n: [] for n in trees} for p in pages}
    try:
        for i in range(repeat):
            for page in pages:
                names = list(versions) if i % 2 == 0 else list(reversed(versions))
                for name in names:
                    samples[page][name].append(versions[name].request(page))
    finally:
        for version in versions.values():
            version.close()
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="+", metavar="PATH@USERNAME")
    parser.add_argument("--before", type=Path, help="the other checkout")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=100, help="requests of each page a run")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.pages)
        return
    if args.before is None:
        parser.error("--before is required")
    sys.path.insert(0, str(HERE))
    from bench.common import setup_django

    trees = {"before": args.before.resolve(), "after": HERE}
    runs = []
    for run in range(1, args.runs + 1):
        print(f"run {run} …", flush=True)
        runs.append(measure(trees, args.pages, args.repeat))
    setup_django(migrate=False)
    write_results(args, trees, runs)


def _commit(tree: Path) -> str:
    described = subprocess.run(
        ["git", "-C", str(tree), "log", "-1", "--format=%h %s"], capture_output=True, text=True
    ).stdout.strip()
    status = ["status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench/results"]
    dirty = subprocess.run(
        ["git", "-C", str(tree), *status], capture_output=True, text=True
    ).stdout.strip()
    short = described if len(described) <= 80 else described[:79] + "…"
    return f"{short}{' (with uncommitted changes)' if dirty else ''}"


def write_results(args, trees: dict[str, Path], runs: list[dict]) -> None:
    from bench.common import machine, percentile, write

    rows = []
    for number, samples in enumerate(runs, 1):
        for page, by_version in samples.items():
            before, after = by_version["before"], by_version["after"]
            rows.append(
                f"| `{page}` | {number} | {statistics.median(before):.1f} "
                f"| {percentile(before, 95):.1f} | {statistics.median(after):.1f} "
                f"| {percentile(after, 95):.1f} "
                f"| {statistics.median(after) / statistics.median(before):.2f} |"
            )
    table = "\n".join(rows)
    versions = "\n".join(f"- {name}: `{_commit(tree)}`" for name, tree in trees.items())
    text = f"""# Two versions taking turns

`python bench/turns.py --before … --runs {args.runs} --repeat {args.repeat}`
on {machine()}, on the data of the list-pages benchmark.

{versions}

Each version serves in a process of its own, side by side; after a warm-up ({WARM_UP}
requests) each page is requested {args.repeat} times by each, request by request in turn
(which goes first alternates), in-process through Django's test client. Each run starts
both processes afresh.

| page@user | run | before p50 ms | before p95 ms | after p50 ms | after p95 ms | after ÷ before (p50) |
|---|---|---|---|---|---|---|
{table}
"""
    print(f"written to {write('turns', text)}")


if __name__ == "__main__":
    main()
