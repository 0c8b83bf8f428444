"""The live-update stream (``core.live``): Server-Sent Events for a signed-in person's page."""

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.db import connections
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.views.decorators.http import require_GET

from . import live


@require_GET
async def live_stream(request: HttpRequest) -> HttpResponse:
    """The changes of the topics the page's token grants (``?t=``), after the position the
    page was rendered at (``?since=``) or the last one this browser heard
    (``Last-Event-ID``, sent by the browser when it reconnects)."""
    if not isinstance(request, ASGIRequest):
        # a stream would hold a WSGI server's thread for good (the development server, a
        # test's): 204 tells the browser not to reconnect; the page works without live updates
        return HttpResponse(status=204)
    # Who asks is read from the session, a few streams at a time: a restart reconnects every
    # open page at once, and each reading takes a database connection for a moment. A stream
    # may then stay open for hours: it holds no connection (the one opened in this request's
    # thread is closed there).
    async with live.hub().admitting:
        user = await request.auser()
        await sync_to_async(connections.close_all)()
    if not user.is_authenticated:
        # EventSource stops on a status other than 200: a page whose session ended stops asking
        return HttpResponse(status=401)
    topics = live.token_topics(request.GET.get("t", ""), user.pk)
    if topics is None:
        return HttpResponse(status=403)
    since = request.headers.get("Last-Event-ID") or request.GET.get("since") or None
    if since is not None:
        try:
            live.backend().key(since)
        except ValueError:
            since = None  # not a position: nothing to replay
    response = StreamingHttpResponse(live.events(topics, since), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response
