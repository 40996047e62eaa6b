"""A real HTTP server on 127.0.0.1 that plays the vendor's ERP in tests: it records every
webhook request and answers with queued replies (status, headers, delay)."""

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict
    body: bytes
    peer: tuple = ()  # the client's (host, port): one per TCP connection

    def json(self):
        return json.loads(self.body)


@dataclass
class Reply:
    status: int = 200
    body: bytes = b'{"ok":true}'
    headers: dict = field(default_factory=dict)
    delay: float = 0.0


class Receiver:
    """Records every request; answers with the queued replies in turn, then `default`."""

    def __init__(self, keep_alive: bool = False):
        """keep_alive: answer in HTTP/1.1 and keep the connection open, as an ERP behind a
        load balancer does (by default each answer closes it, HTTP/1.0)."""
        self.requests: list[Recorded] = []
        self.replies: list[Reply] = []
        self.default = Reply()
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1" if keep_alive else "HTTP/1.0"

            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with receiver.lock:
                    receiver.requests.append(
                        Recorded(
                            "POST", self.path, {k.lower(): v for k, v in self.headers.items()}, body,
                            tuple(self.client_address),
                        )
                    )
                    reply = receiver.replies.pop(0) if receiver.replies else receiver.default
                if reply.delay:
                    time.sleep(reply.delay)
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    return  # the client gave up (timeout test)

            def log_message(self, format, *args):
                """Keep the test output quiet."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hooks/erp"

    def answer(self, *statuses_or_replies):
        with self.lock:
            for item in statuses_or_replies:
                self.replies.append(item if isinstance(item, Reply) else Reply(status=item))

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
