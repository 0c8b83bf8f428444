"""Benchmark of live updates (`make bench-push`): many open streams, one change told to all.

Starts the web as production serves it (uvicorn, `config.asgi`, production settings, one
worker process), opens N Server-Sent-Event streams (N open pages of signed-in people, each
granted the topic), tells one change through the log (the Redis stream) and measures, for
every stream, the time from telling the change to the event's arrival; and the web
process's resident memory before and with the streams open (per connection). A run where a
stream did not open or did not hear the change is refused.

    python bench/push.py --connections 1000 --runs 3
"""

import argparse
import asyncio
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import machine, percentile, uvicorn, write

PORT = 8766
BASE = f"http://127.0.0.1:{PORT}"
TARGET_P99_S = 2.0
PEOPLE = 50  # the streams belong to this many people (several pages each)


def environment() -> dict[str, str]:
    url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fenghuo_bench")
    redis = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/12")
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "bench-only-secret",  # the web checks the tokens signed here
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_HTTPS": "false",
        "DATABASE_URL": url,
        "BENCH_DATABASE_URL": url,
        "CELERY_BROKER_URL": redis,
        "LIVE_REDIS_URL": redis,
    }


def prepare() -> list[tuple[str, str]]:
    """Migrate; sign in PEOPLE people; return each one's (session cookie, token)."""
    os.environ.update(environment())
    from bench.common import _ensure_database

    _ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from core import live

    call_command("migrate", verbosity=0)
    people = []
    for n in range(PEOPLE):
        user, _ = User.objects.get_or_create(username=f"bench_push_{n}")
        session = SessionStore()
        session["_auth_user_id"] = str(user.pk)
        session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        session["_auth_user_hash"] = user.get_session_auth_hash()
        session.create()
        cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
        people.append((cookie, live.token(user.pk, [f"user:{user.pk}", "bench"])))
    return people


def serve() -> subprocess.Popen:
    return uvicorn(PORT, environment(), "--timeout-graceful-shutdown", "1")


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise SystemExit("no VmRSS")


class Streams:
    """What the streams of a run have done: opened (or not), heard the change (when)."""

    def __init__(self, count: int):
        self.count, self.ready, self.heard = count, [], []
        self.opened = asyncio.Event()

    async def one(self, client, cookie: str, token: str) -> None:
        import httpx

        try:
            async with client.stream(
                "GET", f"{BASE}/live/", params={"t": token}, headers={"Cookie": cookie}
            ) as response:
                self.ready.append(response.status_code == 200)
                if len(self.ready) == self.count:
                    self.opened.set()
                if response.status_code != 200:
                    return
                async for line in response.aiter_lines():
                    if line.startswith("data:") and "bench" in line:  # the change told
                        self.heard.append(time.perf_counter())
                        return
        except httpx.HTTPError:
            self.ready.append(False)  # counted: the run is refused
            if len(self.ready) == self.count:
                self.opened.set()


async def one_run(people, connections: int, server_pid: int) -> dict:
    import httpx

    from core import live

    limits = httpx.Limits(max_connections=connections + 10, max_keepalive_connections=0)
    async with httpx.AsyncClient(limits=limits, timeout=httpx.Timeout(60, pool=60)) as client:
        before = rss_kib(server_pid)
        streams = Streams(connections)
        started = time.perf_counter()
        tasks = [
            asyncio.create_task(streams.one(client, *people[n % len(people)]))
            for n in range(connections)
        ]
        try:
            await asyncio.wait_for(streams.opened.wait(), 120)
        except TimeoutError:
            raise SystemExit(f"refused: {len(streams.ready)} of {connections} opened") from None
        if not all(streams.ready):
            raise SystemExit(f"refused: {streams.ready.count(False)} streams were refused")
        open_s = time.perf_counter() - started
        await asyncio.sleep(2)  # the server hands its listener's position to the last ones
        during = rss_kib(server_pid)
        told = time.perf_counter()
        await asyncio.to_thread(live.backend().append, ["bench"])
        _done, pending = await asyncio.wait(tasks, timeout=30)
        for task in pending:
            task.cancel()
        if len(streams.heard) != connections:
            raise SystemExit(f"refused: {len(streams.heard)} of {connections} heard the change")
        delays = [at - told for at in streams.heard]
        return {
            "open_s": open_s,
            "p50": percentile(delays, 50),
            "p99": percentile(delays, 99),
            "max": max(delays),
            "per_connection_kib": (during - before) / connections,
            "before_mib": before / 1024,
            "during_mib": during / 1024,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    # a thousand sockets at each end: raise the soft limit of open files (the server inherits it)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 4 * args.connections)), hard))
    people = prepare()
    runs = []
    for number in range(1, args.runs + 1):
        server = serve()  # a fresh process each run: its memory is the run's own
        try:
            result = asyncio.run(one_run(people, args.connections, server.pid))
        finally:
            server.terminate()
            server.wait(10)
        runs.append(result)
        print(
            f"run {number}: p99 {result['p99'] * 1000:.0f} ms,"
            f" {result['per_connection_kib']:.0f} KiB per connection"
        )
    met = sum(r["p99"] <= TARGET_P99_S for r in runs)
    rows = "\n".join(
        f"| {n} | {args.connections} | {r['open_s']:.1f} s | {r['p50'] * 1000:.0f} ms"
        f" | **{r['p99'] * 1000:.0f} ms** | {r['max'] * 1000:.0f} ms"
        f" | {r['before_mib']:.0f} → {r['during_mib']:.0f} MiB:"
        f" **{r['per_connection_kib']:.0f} KiB** per connection |"
        for n, r in enumerate(runs, 1)
    )
    text = f"""# Live updates: one change to {args.connections} open streams

`python bench/push.py --connections {args.connections} --runs {args.runs}` on {machine()}.

One web process as production runs it (uvicorn, `config.asgi`, production settings), the
log a Redis stream; {args.connections} Server-Sent-Event streams of {PEOPLE} signed-in people
(several pages each) opened by one asyncio client on the same machine; one change told to
all. Delivery: from telling the change (appending it to the log) to its event's arrival at
each stream. Memory: the web process's resident set before the streams and with them open.

| run | streams | all open after | p50 | p99 (target ≤ {TARGET_P99_S * 1000:.0f} ms) | max | memory |
|---|---|---|---|---|---|---|
{rows}

Target p99 ≤ {TARGET_P99_S * 1000:.0f} ms: met in {met} of {len(runs)} runs.
"""
    print(f"written to {write('push', text)}")


if __name__ == "__main__":
    main()
