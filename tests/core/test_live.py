"""Live updates (core.live) through the real server (uvicorn) and the real log (a Redis
stream; the embedded default's table): a change reaches the open streams that may hear it
within two seconds, once per transaction and never for one rolled back, and a stream that
was away catches up on what it missed."""

import json
import queue
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
import pytest
from django.conf import settings
from django.db import connections, transaction
from django.test import Client
from django.utils import timezone

from core import live
from core.models import LiveChange
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(params=["redis", "database"])
def log(request, settings):
    """Each test runs on both logs: Redis (the broker's, as in production) and the table."""
    if request.param == "database":
        settings.LIVE_REDIS_URL = ""
    return request.param


def session_of(user) -> dict[str, str]:
    client = Client()
    client.force_login(user)
    return {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}


class Stream:
    """An open SSE stream read in a thread: ``next()`` is the next change event heard."""

    def __init__(self, server, user, topics, since=None, last_event_id=None, token=None):
        params = {"t": token or live.token(user.pk, topics)}
        if since is not None:
            params["since"] = since
        headers = {"Last-Event-ID": last_event_id} if last_event_id else {}
        self.events: queue.Queue = queue.Queue()
        self.client = httpx.Client(base_url=server.url, cookies=session_of(user), timeout=30)
        self.status: int | None = None
        self.ready = threading.Event()
        self.closed = False
        self.thread = threading.Thread(target=self._read, args=(params, headers), daemon=True)
        self.thread.start()
        assert self.ready.wait(10), "the stream did not answer"

    def _read(self, params, headers):
        try:
            with self.client.stream("GET", "/live/", params=params, headers=headers) as response:
                self.status = response.status_code
                self.ready.set()
                event: dict[str, str] = {}
                for line in response.iter_lines():
                    if self.closed:
                        return
                    if line.startswith(("id:", "event:", "data:")):
                        name, _colon, value = line.partition(":")
                        event[name] = value.strip()
                    elif not line and event:
                        if event.get("event") == "change":
                            self.events.put((event["id"], json.loads(event["data"])))
                        event = {}
        except httpx.HTTPError:
            pass
        finally:
            self.ready.set()

    def next(self, timeout: float = 2.0) -> tuple[str, list[str]]:
        return self.events.get(timeout=timeout)

    def quiet(self, seconds: float = 1.0) -> bool:
        try:
            self.events.get(timeout=seconds)
        except queue.Empty:
            return True
        return False

    def close(self):
        self.closed = True
        self.client.close()


@pytest.fixture
def streams(asgi_server):
    opened: list[Stream] = []

    def open_(user, topics, **kwargs):
        stream = Stream(asgi_server, user, topics, **kwargs)
        opened.append(stream)
        if stream.status == 200:
            time.sleep(0.3)  # the server's listener follows the log
        return stream

    yield open_
    for stream in opened:
        stream.close()


def test_a_change_reaches_the_streams_that_may_hear_it_within_two_seconds(log, streams):
    watcher, other = factories.UserFactory(), factories.UserFactory()
    stream = streams(watcher, ["incident:1", f"user:{watcher.pk}"])
    elsewhere = streams(other, ["incident:2"])
    assert stream.status == 200
    started = time.monotonic()
    live.publish(["incident:1", "incident:3"])
    position, heard = stream.next()
    assert time.monotonic() - started < 2
    assert heard == ["incident:1"]  # only what it was granted
    assert position
    assert elsewhere.quiet()


def test_one_transaction_is_one_change_and_a_rolled_back_one_is_none(log, streams):
    user = factories.UserFactory()
    stream = streams(user, ["a", "b", "c"])
    with transaction.atomic():
        live.publish(["a"])
        live.publish(["b"])
        assert stream.quiet(0.5)  # nothing before the commit
    assert stream.next()[1] == ["a", "b"]
    with transaction.atomic():
        live.publish(["a"])
        transaction.set_rollback(True)
    live.publish(["c"])
    assert stream.next()[1] == ["c"]


def test_a_stream_that_was_away_hears_what_it_missed(log, streams):
    user = factories.UserFactory()
    stream = streams(user, ["incident:1", "incident:2"])
    live.publish(["incident:1"])
    last_heard, _topics = stream.next()
    stream.close()
    live.publish(["incident:2"])  # while the browser reconnects
    live.publish(["incident:9"])
    again = streams(user, ["incident:1", "incident:2"], last_event_id=last_heard)
    position, heard = again.next()
    assert heard == ["incident:2"]
    assert live.backend().key(position) > live.backend().key(last_heard)


def test_a_page_hears_a_change_made_between_its_render_and_its_stream(log, streams):
    user = factories.UserFactory()
    since = live.backend().page_position()  # as the page's script tag carries it
    live.publish(["complaints"])
    stream = streams(user, ["complaints"], since=since)
    assert stream.next()[1] == ["complaints"]


def test_a_gap_the_log_no_longer_holds_is_heard_as_everything(settings, streams):
    settings.LIVE_REDIS_URL = ""
    from core.services import live_changes_prune

    user = factories.UserFactory()
    live.publish(["x"])
    since = live.backend().position()
    live.publish(["y"])
    live.publish(["z"])
    LiveChange.objects.filter(id__lte=int(since) + 1).update(at=timezone.now() - timedelta(days=9))
    live_changes_prune()  # "y" is gone while the page was away
    stream = streams(user, ["y", "z"], since=since)
    _position, heard = stream.next()
    assert live.EVERYTHING in heard


def test_a_token_is_for_its_own_person_and_a_stream_for_a_signed_in_one(asgi_server):
    owner, thief = factories.UserFactory(), factories.UserFactory()
    stolen = live.token(owner.pk, ["incident:1"])
    assert Stream(asgi_server, thief, [], token=stolen).status == 403
    assert Stream(asgi_server, thief, [], token="forged").status == 403
    anonymous = httpx.get(f"{asgi_server.url}/live/", params={"t": stolen}, timeout=10)
    assert anonymous.status_code == 401


def test_a_wsgi_server_tells_the_browser_not_to_wait_for_a_stream(client):
    user = factories.UserFactory()
    client.force_login(user)

    def ask():
        # as a WSGI server's thread does: one without an event loop of its own (a browser
        # test may have left one running in the test's thread)
        try:
            return client.get("/live/", {"t": live.token(user.pk, ["x"])})
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        response = pool.submit(ask).result()
    assert response.status_code == 204  # EventSource does not reconnect after a 204


def test_the_log_table_is_pruned_after_its_retention(settings):
    settings.LIVE_REDIS_URL = ""
    from core.services import live_changes_prune

    live.publish(["old"])
    live.publish(["older"])
    LiveChange.objects.update(at=timezone.now() - settings.LIVE_RETENTION - timedelta(minutes=1))
    live.publish(["new"])
    assert live_changes_prune() == 1
    assert live_changes_prune() == 0
    # the last one pruned stays, as "read everything again" for a reader from before it
    assert list(LiveChange.objects.order_by("id").values_list("topics", flat=True)) == [
        [live.EVERYTHING],
        ["new"],
    ]
