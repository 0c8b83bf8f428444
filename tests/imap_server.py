"""A small real IMAP4rev1 server for the mailbox tests, over a socket: the commands the
stdlib client (imaplib) needs to poll a mailbox: CAPABILITY, LOGIN, SELECT, SEARCH (ALL /
UNSEEN), FETCH (BODY[] / BODY.PEEK[]), STORE (+FLAGS), NOOP, LOGOUT. One mailbox, held in
memory; ``on_store(message)`` runs as a message's flags change (in the server's thread)."""

import re
import socketserver
import threading
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Message:
    raw: bytes
    flags: set[str] = field(default_factory=set)

    @property
    def seen(self) -> bool:
        return "\\Seen" in self.flags


class IMAPServer:
    def __init__(self, user: str = "hq", password: str = "secret"):
        self.user, self.password = user, password
        self.messages: list[Message] = []
        self.on_store: Callable[[Message], None] | None = None
        self.commands: list[str] = []

    def add(self, raw: bytes) -> Message:
        message = Message(raw)
        self.messages.append(message)
        return message

    def __enter__(self):
        server = self

        class Handler(socketserver.StreamRequestHandler):
            def send(self, line: str | bytes) -> None:
                self.wfile.write(line if isinstance(line, bytes) else line.encode() + b"\r\n")

            def handle(self):
                self.send("* OK IMAP4rev1 test server ready")
                authenticated = selected = False
                while True:
                    line = self.rfile.readline()
                    if not line:
                        return
                    tag, _, rest = line.decode().rstrip("\r\n").partition(" ")
                    command, _, args = rest.partition(" ")
                    command = command.upper()
                    server.commands.append(command)
                    if command == "CAPABILITY":
                        self.send("* CAPABILITY IMAP4rev1")
                    elif command == "LOGIN":
                        user, password = (a.strip('"') for a in args.split(" ", 1))
                        if (user, password) != (server.user, server.password):
                            self.send(f"{tag} NO [AUTHENTICATIONFAILED] invalid credentials")
                            continue
                        authenticated = True
                    elif command == "SELECT" and authenticated:
                        selected = True
                        self.send(f"* {len(server.messages)} EXISTS")
                        self.send("* FLAGS (\\Seen)")
                        self.send(f"{tag} OK [READ-WRITE] SELECT completed")
                        continue
                    elif command == "SEARCH" and selected:
                        unseen = args.upper().strip() == "UNSEEN"
                        found = [
                            str(number)
                            for number, message in enumerate(server.messages, 1)
                            if not (unseen and message.seen)
                        ]
                        self.send("* SEARCH" + "".join(f" {n}" for n in found))
                    elif command == "FETCH" and selected:
                        number, what = args.split(" ", 1)
                        message = server.messages[int(number) - 1]
                        if "PEEK" not in what.upper():
                            message.flags.add("\\Seen")
                        self.send(
                            f"* {number} FETCH (BODY[] {{{len(message.raw)}}}".encode() + b"\r\n"
                        )
                        self.send(message.raw + b")\r\n")
                    elif command == "STORE" and selected:
                        number, operation, flags = args.split(" ", 2)
                        message = server.messages[int(number) - 1]
                        names = set(re.findall(r"\\\w+", flags))
                        if operation.upper().startswith("+"):
                            message.flags |= names
                        else:
                            message.flags -= names
                        if server.on_store is not None:
                            server.on_store(message)
                        flags_text = " ".join(sorted(message.flags))
                        self.send(f"* {number} FETCH (FLAGS ({flags_text}))")
                    elif command == "NOOP":
                        pass
                    elif command == "LOGOUT":
                        self.send("* BYE logging out")
                        self.send(f"{tag} OK LOGOUT completed")
                        return
                    else:
                        self.send(f"{tag} BAD unknown or out-of-state command")
                        continue
                    self.send(f"{tag} OK {command} completed")

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
