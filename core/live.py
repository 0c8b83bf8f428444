"""Live updates: open pages learn within a second or two that something they show changed,
and read it anew.

A change is told as the names of what changed (*topics*: ``incident:12``, ``user:5``,
``complaints:department:3``), never as content: a page told that a topic of one of its
regions changed fetches that region again through its own view, so that what it shows is
scoped exactly as the page is (:mod:`static/js/live.js`). A page may hear only the topics its
view put in the token it signed (``organisation.templatetags.live``).

Transport: Server-Sent Events from an async view under the ASGI server (one-way, plain HTTP
through any proxy, reconnection and ``Last-Event-ID`` built into every browser; the browser
never sends anything over it, so WebSockets would only add a protocol). Changes are appended
to a log that each web process reads with one listener and hands to its open streams:

- a Redis stream where there is Redis (``LIVE_REDIS_URL``, by default the broker's Redis);
- on the embedded default, a table (:class:`core.models.LiveChange`) in the database the web
  and the workers share (they are separate processes: a breach the clock finds must reach the
  web's pages too), read by polling every ``LIVE_POLL_SECONDS``.

A change is appended once its transaction commits, one entry per transaction.

Each event carries its position in the log as its SSE id: a browser that lost its connection
reconnects with ``Last-Event-ID`` and is sent every change it missed; a page is rendered with
the log's position, so a change between render and connection is not missed either. A gap the
log no longer holds (pruned, trimmed, or too long) is told as ``*``: read everything again.
"""

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Iterable
from datetime import timedelta
from functools import cache
from typing import Any
from weakref import WeakKeyDictionary

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core import signing
from django.db import connection, transaction
from django.utils import timezone

log = logging.getLogger(__name__)

EVERYTHING = "*"
STREAM = "fenghuo:live"
#: at most this many changes replayed to one stream; a longer gap is told as EVERYTHING
REPLAY_LIMIT = 500
#: a page hears the changes made from this long before it was rendered (clock skew, and the
#: time its view took to read)
PAGE_MARGIN_SECONDS = 2.0
#: a listener's read of the log returns after this long without a change (and looks whether
#: any stream is still open)
FOLLOW_SECONDS = 15
_SALT = "core.live"


# --- telling ---------------------------------------------------------------------------------


def publish(topics: Iterable[str]) -> None:
    """Tell the open pages that what ``topics`` name changed: when the current transaction
    commits (a change rolled back is told to nobody), at once outside one. What one
    transaction changes is told as one change."""
    names = {topic for topic in topics if topic}
    if not names:
        return
    writer = transaction.get_connection()
    pending = getattr(writer, "live_pending", None)
    # still waiting for this transaction's commit (a rolled-back one drops its callbacks)
    if pending is not None and any(
        callback == pending.tell for _savepoints, callback, _robust in writer.run_on_commit
    ):
        pending.topics |= names
        return
    pending = writer.live_pending = _Pending(names)
    transaction.on_commit(pending.tell, robust=True)


class _Pending:
    def __init__(self, topics: set[str]):
        self.topics = topics

    def tell(self) -> None:
        try:
            backend().append(sorted(self.topics))
        except Exception:  # Redis or the table out of reach: pages read it on their next change
            log.warning("live: could not tell %s", sorted(self.topics), exc_info=True)


def user_topic(user_id: int | None) -> str:
    """A person's own pages: their inbox, their bell."""
    return f"user:{user_id}" if user_id else ""


def token(user_id: int, topics: Iterable[str]) -> str:
    """What a page's view grants: the topics this person's page may hear."""
    return signing.dumps({"u": user_id, "t": sorted(set(topics))}, salt=_SALT, compress=True)


def token_topics(value: str, user_id: int) -> list[str] | None:
    """The topics ``value`` grants ``user_id``; None if it is not a token we signed for them."""
    try:
        granted = signing.loads(value, salt=_SALT, max_age=settings.SESSION_COOKIE_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(granted, dict) or granted.get("u") != user_id:
        return None
    return [str(topic) for topic in granted.get("t", [])]


# --- the log ---------------------------------------------------------------------------------


class RedisLog:
    """A capped Redis stream; positions are its entry ids (``<ms>-<n>``)."""

    def __init__(self, url: str):
        import redis
        import redis.asyncio

        self.url = url
        self.client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._async = redis.asyncio
        self._error = redis.RedisError

    def append(self, topics: list[str]) -> None:
        self.client.xadd(
            STREAM, {"t": json.dumps(topics)}, maxlen=settings.LIVE_LOG_LENGTH, approximate=True
        )

    def position(self) -> str:
        last: Any = self.client.xrevrange(STREAM, count=1)  # [(id, fields)], bytes
        return last[0][0].decode() if last else "0-0"

    def page_position(self) -> str:
        """Where a page rendered now starts hearing: a little before now by Redis's clock
        (entry ids are its milliseconds; the web's clock may differ), so that a change made
        while its view read the data is heard, at worst twice."""
        try:
            seconds, microseconds = self.client.time()
            now = seconds + microseconds / 1e6
        except self._error:  # the page still renders; its stream will say what it can
            now = time.time()
        return f"{int((now - PAGE_MARGIN_SECONDS) * 1000)}-0"

    @staticmethod
    def key(position: str) -> tuple[int, int]:
        ms, _dash, n = position.partition("-")
        return int(ms), int(n or 0)

    def connect(self):
        # a read waits up to FOLLOW_SECONDS for the next change: the socket waits longer
        return self._async.Redis.from_url(
            self.url, socket_timeout=FOLLOW_SECONDS + 10, socket_connect_timeout=5
        )

    async def latest(self, client) -> str:
        last = await client.xrevrange(STREAM, count=1)
        return last[0][0].decode() if last else "0-0"

    async def entries(self, client, after: str, upto: str | None) -> list[tuple[str, list[str]]]:
        """Up to REPLAY_LIMIT + 1 entries after ``after`` (up to ``upto``); a gap the stream
        was trimmed of is one EVERYTHING."""
        info = await client.xinfo_stream(STREAM) if await client.exists(STREAM) else None
        if info and info["entries-added"] > info["length"] and info["first-entry"]:
            first = info["first-entry"][0].decode()
            if self.key(first) > self.key(after):
                return [(upto or first, [EVERYTHING])]
        found = await client.xrange(
            STREAM, min=f"({after}", max=upto or "+", count=REPLAY_LIMIT + 1
        )
        return [(id_.decode(), json.loads(fields[b"t"])) for id_, fields in found]

    async def follow(self, client, after: str) -> list[tuple[str, list[str]]]:
        found = await client.xread({STREAM: after}, block=int(FOLLOW_SECONDS * 1000), count=1000)
        return [
            (id_.decode(), json.loads(fields[b"t"]))
            for _stream, entries in found or []
            for id_, fields in entries
        ]


class DatabaseLog:
    """The ``LiveChange`` table; positions are its ids. Pruning leaves the last row it
    would delete as an EVERYTHING (``core.services.live_changes_prune``): a reader from before
    it reads that the gap is lost. For the embedded default: SQLite's
    writers take turns, so ids become visible in the order they are drawn (on PostgreSQL a
    later id may commit first, and a reader past it would skip the earlier one: there the
    Redis log is used)."""

    def append(self, topics: list[str]) -> None:
        from .models import LiveChange

        LiveChange.objects.create(topics=topics)

    def position(self) -> str:
        from .models import LiveChange

        last = LiveChange.objects.order_by("-id").values_list("id", flat=True).first()
        return str(last or 0)

    def page_position(self) -> str:
        """Where a page rendered now starts hearing: the last change told a little before
        now, so that a change made while its view read the data is heard, at worst twice."""
        from .models import LiveChange

        before = timezone.now() - timedelta(seconds=PAGE_MARGIN_SECONDS)
        last = (
            LiveChange.objects.filter(at__lt=before)
            .order_by("-id")
            .values_list("id", flat=True)
            .first()
        )
        return str(last or 0)

    @staticmethod
    def key(position: str) -> tuple[int, int]:
        return int(position), 0

    def connect(self):
        return None

    async def latest(self, _client) -> str:
        def read() -> str:
            try:
                return self.position()
            finally:
                connection.close()

        return await sync_to_async(read, thread_sensitive=False)()

    def _read(self, after: str, upto: str | None) -> list[tuple[str, list[str]]]:
        from .models import LiveChange

        try:
            rows = LiveChange.objects.filter(id__gt=int(after)).order_by("id")
            if upto is not None:
                rows = rows.filter(id__lte=int(upto))
            return [(str(pk), topics) for pk, topics in rows.values_list("id", "topics")[:1000]]
        finally:
            connection.close()  # a reader thread of the pool: hold no connection between reads

    async def entries(self, _client, after: str, upto: str | None) -> list[tuple[str, list[str]]]:
        return await sync_to_async(self._read, thread_sensitive=False)(after, upto)

    async def follow(self, _client, after: str) -> list[tuple[str, list[str]]]:
        deadline = time.monotonic() + FOLLOW_SECONDS
        while time.monotonic() < deadline:
            found = await self.entries(None, after, None)
            if found:
                return found
            await asyncio.sleep(settings.LIVE_POLL_SECONDS)
        return []


def _redis_url() -> str:
    if settings.LIVE_REDIS_URL is not None:
        return settings.LIVE_REDIS_URL
    broker = settings.CELERY_BROKER_URL
    return broker if broker.startswith(("redis://", "rediss://")) else ""


@cache
def _backend(url: str) -> RedisLog | DatabaseLog:
    return RedisLog(url) if url else DatabaseLog()


def backend() -> RedisLog | DatabaseLog:
    return _backend(_redis_url())


# --- hearing ---------------------------------------------------------------------------------


class Hub:
    """The one listener of a web process (of its event loop) and the open streams it hands
    changes to: each stream hears the topics it was granted."""

    def __init__(self, log_: RedisLog | DatabaseLog):
        self.log = log_
        self.streams: dict[asyncio.Queue, frozenset[str]] = {}
        self.position = ""  # the last change handed over
        self.task: asyncio.Task | None = None
        self.client = None
        self.starting = asyncio.Lock()
        #: streams being admitted (their sessions read) at once
        self.admitting = asyncio.Semaphore(settings.LIVE_ADMIT_CONCURRENCY)

    async def open(self, topics: Iterable[str], since: str | None) -> asyncio.Queue:
        """A stream of the changes of ``topics`` after position ``since`` (those the log
        holds already, then those to come)."""
        async with self.starting:  # one listener, however many streams open at once
            if self.task is None or self.task.done():
                if self.client is not None:
                    await self.client.aclose()
                self.client = self.log.connect()
                self.position = await self.log.latest(self.client)
                self.task = asyncio.get_running_loop().create_task(self._listen())
        queue: asyncio.Queue = asyncio.Queue()
        granted = frozenset(topics)
        # registered before the replay is read: what comes after `upto` the listener hands
        # over, what came before it the replay does
        self.streams[queue] = granted
        upto = self.position
        if since:
            try:
                replay = await self.log.entries(self.client, since, upto)
            except Exception:  # a log we cannot read: read everything again
                log.warning("live: replay failed", exc_info=True)
                replay = [(upto, [EVERYTHING])]
            if len(replay) > REPLAY_LIMIT:
                replay = [(replay[-1][0], [EVERYTHING])]
            for position, changed in replay:
                self._hand(queue, granted, position, changed)
        return queue

    def close(self, queue: asyncio.Queue) -> None:
        self.streams.pop(queue, None)

    @staticmethod
    def _hand(queue, granted, position: str, changed: list[str]) -> None:
        heard = sorted(granted.intersection(changed)) or (
            [EVERYTHING] if EVERYTHING in changed else []
        )
        if heard:
            queue.put_nowait((position, heard))

    async def _listen(self) -> None:
        """Follow the log; after an outage, tell every stream to read everything again."""
        while self.streams:
            try:
                found = await self.log.follow(self.client, self.position)
            except asyncio.CancelledError:
                raise
            except Exception:  # Redis gone, database busy: retry, then catch up
                log.warning("live: the log could not be read", exc_info=True)
                await asyncio.sleep(1)
                try:
                    self.position = await self.log.latest(self.client)
                except Exception:
                    continue
                for queue, granted in list(self.streams.items()):
                    self._hand(queue, granted, self.position, [EVERYTHING])
                continue
            for position, changed in found:
                self.position = position
                for queue, granted in list(self.streams.items()):
                    self._hand(queue, granted, position, changed)


_hubs: WeakKeyDictionary = WeakKeyDictionary()


def hub() -> Hub:
    loop = asyncio.get_running_loop()
    if loop not in _hubs:
        _hubs[loop] = Hub(backend())
    return _hubs[loop]


async def events(topics: list[str], since: str | None) -> AsyncIterator[str]:
    """The text of an SSE stream: a retry hint, then an event per change heard (its data the
    topics, its id the log's position), a comment every LIVE_KEEPALIVE_SECONDS so that
    proxies keep the connection."""
    the_hub = hub()
    queue = await the_hub.open(topics, since)
    try:
        yield f"retry: {settings.LIVE_RETRY_MILLISECONDS}\n\n"
        while True:
            try:
                position, heard = await asyncio.wait_for(
                    queue.get(), timeout=settings.LIVE_KEEPALIVE_SECONDS
                )
            except TimeoutError:
                yield ": keep-alive\n\n"
                continue
            while not queue.empty():  # a burst: one event
                position, more = queue.get_nowait()
                heard = sorted(set(heard) | set(more))
            yield f"id: {position}\nevent: change\ndata: {json.dumps(heard)}\n\n"
    finally:
        the_hub.close(queue)
