"""Real servers for the tests of outgoing channels: an SMTP server (aiosmtpd) and a local
HTTP server that records what it receives."""

import json
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _MailHandler:
    def __init__(self):
        self.messages = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        """A mailbox that does not exist (``nobody@…``) is refused, as real servers do."""
        if address.startswith("nobody@"):
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(
            {
                "to": envelope.rcpt_tos,
                "subject": str(message["subject"]),
                "body": message.get_body(preferencelist=("plain",)).get_content(),
                "message_id": str(message["message-id"]),
                "attachments": [
                    (part.get_filename(), part.get_content_type(), part.get_content())
                    for part in message.iter_attachments()
                ],
                "connection": session.peer,  # the client's address and port
            }
        )
        return "250 OK"


class SMTPServer:
    def __init__(self, port: int | None = None):
        self.handler = _MailHandler()
        self.port = port or free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def messages(self):
        return self.handler.messages

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


@dataclass
class Request:
    path: str
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class HTTPServer:
    """Answers every POST with ``reply`` (status, JSON body; or a function of the request
    that gives them) and records it."""

    reply: tuple[int, dict] | Callable[[Request], tuple[int, dict]] = (
        200,
        {"errcode": 0, "code": 0},
    )
    requests: list[Request] = field(default_factory=list)

    def __enter__(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                request = Request(self.path, dict(self.headers), self.rfile.read(length))
                server.requests.append(request)
                reply = server.reply
                status, body = reply(request) if callable(reply) else reply
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


class HungServer:
    """A server that takes connections and never answers (a mail server or gateway that
    hangs): the kernel completes the TCP handshake, nothing is ever read or written."""

    def __enter__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        return self

    def __exit__(self, *exc):
        self.sock.close()


class TricklingServer:
    """An HTTP server that answers at once but sends its body one byte a second, forever
    (each read is quick, the answer never ends)."""

    def __enter__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()
        return self

    def _serve(self):
        self.sock.settimeout(0.2)
        while not self.stop.is_set():
            try:
                client, _address = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._trickle, args=(client,), daemon=True).start()

    def _trickle(self, client):
        with client:
            client.recv(65536)
            client.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
            while not self.stop.wait(0.2):
                try:
                    client.sendall(b" ")
                except OSError:
                    return

    def __exit__(self, *exc):
        self.stop.set()
        self.sock.close()


class ASGIServer:
    """Fenghuo itself under uvicorn, as `make run` and production serve it (ASGI: the live
    updates' streams need it), in a thread on a free port, static files included. The test's
    rows must be committed (a transactional test) for its requests to see them."""

    def __enter__(self):
        import time

        import uvicorn
        from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
        from django.core.asgi import get_asgi_application

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            ASGIStaticFilesHandler(get_asgi_application()),
            host="127.0.0.1",
            port=self.port,
            lifespan="off",
            log_level="warning",
            timeout_graceful_shutdown=1,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        started = time.monotonic()
        while not self.server.started:
            if time.monotonic() - started > 10 or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(10)
