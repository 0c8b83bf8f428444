"""The fan-out benchmark's sinks, a process of their own: a real SMTP server (aiosmtpd) and an
HTTP server standing in for the SMS gateway. Each records when every message arrived
(``time.time()``, the clock the benchmark reads too) and to whom.

    python -m bench.sinks        # prints {"smtp": port, "http": port} on its first line

``GET /arrivals`` on the HTTP port answers the arrivals recorded since the last call (and
forgets them): ``[[seconds, "email" | "sms", address], ...]``. They run apart from the
benchmark and its workers so that their work is nobody's GIL but their own.
"""

import json
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

_arrivals: list[tuple[float, str, str]] = []
_lock = threading.Lock()


def _arrived(channel: str, address: str) -> None:
    with _lock:
        _arrivals.append((time.time(), channel, address))


class _Mail:
    async def handle_DATA(self, server, session, envelope):
        for address in envelope.rcpt_tos:
            _arrived("email", address)
        return "250 OK"


class _Gateway(BaseHTTPRequestHandler):
    """An SMS gateway: accepts ``{"phone": …, "text": …}``, or several such messages as
    ``{"messages": [...]}`` (the gateway's batch template), and answers 200, keeping the
    connection open for the next request when the client wants it (HTTP/1.1)."""

    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        try:
            request = json.loads(body)
            messages = request.get("messages", [request])
            phones = [message["phone"] for message in messages]
        except (ValueError, KeyError, TypeError):
            self._answer(400, b'{"code": 1}')
            return
        for phone in phones:
            _arrived("sms", phone)
        self._answer(200, b'{"code": 0}')

    def do_GET(self):
        global _arrivals
        if self.path != "/arrivals":
            self._answer(404, b"{}")
            return
        with _lock:
            taken, _arrivals = _arrivals, []
        self._answer(200, json.dumps(taken).encode())

    def _answer(self, status: int, payload: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


def main() -> None:
    http = ThreadingHTTPServer(("127.0.0.1", 0), _Gateway)
    http.daemon_threads = True
    with socket.socket() as probe:  # a free port (the controller checks it by connecting)
        probe.bind(("127.0.0.1", 0))
        smtp_port = probe.getsockname()[1]
    smtp = Controller(_Mail(), hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    print(json.dumps({"smtp": smtp_port, "http": http.server_address[1]}))
    sys.stdout.flush()
    try:
        http.serve_forever()
    finally:
        smtp.stop()


if __name__ == "__main__":
    main()
