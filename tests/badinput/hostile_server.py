"""A hostile Talon.One on loopback: a real HTTP server answering every call with one kind of
broken reply, so the app's whole stack (requests, urllib3, sockets, the client) meets it.

Not a mock of our code: the client under test connects to it over TCP exactly as it would to
Talon.One. Each test picks a ``kind`` (see :data:`KINDS`); the server logs every request it
got and, for the trickle, how many body bytes it managed to send before the client hung up.
"""

from __future__ import annotations

import functools
import gzip
import io
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

#: A reply that would be valid for every operation the app reads a body from.
VALID = {
    "customerSession": {"integrationId": "s", "state": "open"},
    "effects": [
        {
            "campaignId": 1,
            "rulesetId": 1,
            "ruleIndex": 0,
            "ruleName": "ten off",
            "effectType": "setDiscount",
            "props": {"name": "ten off", "value": 10},
        }
    ],
    "id": 1,
    "code": "REF-1234",
    "data": [],
}


def _deep(levels: int) -> bytes:
    return b'{"effects": [' + b"[" * levels + b"]" * levels + b"]}"


@functools.cache
def _bomb(decoded_bytes: int) -> bytes:
    """A small gzip body that inflates to ``decoded_bytes`` of a JSON string."""
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9) as packed:
        packed.write(b'{"effects": [], "padding": "')
        zeros = b"0" * (1024 * 1024)
        for _ in range(decoded_bytes // len(zeros)):
            packed.write(zeros)
        packed.write(b'"}')
    return out.getvalue()


@dataclass
class Reply:
    """What the server sends: status, headers, body, and how (all at once or trickled)."""

    body: bytes
    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})
    trickle: float = 0.0  # seconds between body bytes; 0 sends the body at once
    trickle_headers: bool = False  # trickle the status line and headers too
    cut_after: int | None = None  # close the connection after this many body bytes


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


#: Every kind of broken reply, by name, built lazily (the bomb takes a moment to pack).
KINDS: dict[str, Callable[[HostileTalonOne], Reply]] = {
    "array": lambda server: Reply(_json([VALID])),
    "wrong_types": lambda server: Reply(
        _json(
            {
                "customerSession": {"state": 1},
                "effects": [{"effectType": "setDiscount", "props": {"value": "10.00"}}],
                "id": "7",
                "code": 1234,
                "data": {"0": {}},
                "coupons": [{"value": 1234, "state": ["active"]}],
            }
        )
    ),
    "object_for_list": lambda server: Reply(
        _json(
            {
                **VALID,
                "effects": {"0": VALID["effects"]},
                "coupons": {"0": {"value": "C-1"}},
                "data": {"0": {}},
                "integrationStates": {"0": {}},
            }
        )
    ),
    "string_amount": lambda server: Reply(
        _json({**VALID, "effects": [{"effectType": "setDiscount", "props": {"value": "abc"}}]})
    ),
    "huge": lambda server: Reply(_json({**VALID, "padding": "x" * (5 * 1024 * 1024)})),
    "deep": lambda server: Reply(_deep(100_000)),
    "bomb": lambda server: Reply(
        _bomb(64 * 1024 * 1024),
        headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
    ),
    "trickle": lambda server: Reply(_json(VALID), trickle=server.trickle_interval),
    "trickle_headers": lambda server: Reply(
        _json(VALID), trickle=server.trickle_interval, trickle_headers=True
    ),
    "truncated": lambda server: Reply(_json(VALID), cut_after=20),
    "html": lambda server: Reply(
        b"<html><body>Please sign in to the Wi-Fi</body></html>",
        headers={"Content-Type": "text/html; charset=utf-8"},
    ),
    "json_as_text": lambda server: Reply(
        _json(VALID), headers={"Content-Type": "text/plain; charset=utf-8"}
    ),
    "redirect": lambda server: Reply(
        b"", status=302, headers={"Location": f"{server.url}/elsewhere", "Content-Length": "0"}
    ),
}


#: Not a broken kind: a reply as Talon.One sends it, to show the broken ones are the cause.
CONTROL = "valid"


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client hanging up on a bad reply is the point, not an error to print."""


class HostileTalonOne:
    """Serves ``kind`` (a key of :data:`KINDS`) to every request until told otherwise."""

    def __init__(self, kind: str = "array", *, trickle_interval: float = 0.4) -> None:
        self.kind = kind
        self.trickle_interval = trickle_interval
        self.requests: list[tuple[str, str]] = []
        self.body_bytes_sent: list[int] = []
        self._replies: dict[str, Reply] = {}
        self._lock = threading.Lock()
        self._server = _QuietServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def reply(self) -> Reply:
        with self._lock:
            if self.kind not in self._replies:
                if self.kind == CONTROL:
                    self._replies[self.kind] = Reply(_json(VALID))
                else:
                    self._replies[self.kind] = KINDS[self.kind](self)
            return self._replies[self.kind]

    def hung_up_early(self, timeout: float) -> bool:
        """Whether a client hung up before a whole body was sent (waits for the handler)."""
        full = len(self.reply().body)
        give_up = time.monotonic() + timeout
        while time.monotonic() < give_up:
            if any(sent < full for sent in self.body_bytes_sent):
                return True
            time.sleep(0.05)
        return False

    def hung_up_in_headers(self, timeout: float) -> bool:
        """Whether a client hung up before the status line and headers were all sent."""
        give_up = time.monotonic() + timeout
        while time.monotonic() < give_up:
            if any(sent < 0 for sent in self.body_bytes_sent):
                return True
            time.sleep(0.05)
        return False

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the tests read ``server.requests`` instead."""

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                server.requests.append((self.command, self.path))
                reply = server.reply()
                if reply.trickle_headers:
                    self._trickle_everything(reply)
                    return
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if "Content-Length" not in reply.headers:
                    self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.flush()
                body = reply.body if reply.cut_after is None else reply.body[: reply.cut_after]
                sent = 0
                try:
                    if reply.trickle:
                        for index in range(len(body)):
                            self.wfile.write(body[index : index + 1])
                            self.wfile.flush()
                            sent += 1
                            time.sleep(reply.trickle)
                    else:
                        self.wfile.write(body)
                        sent = len(body)
                    self.wfile.flush()
                except OSError:  # the client hung up: what the trickle test wants
                    pass
                server.body_bytes_sent.append(sent)
                if reply.cut_after is not None:
                    self.close_connection = True

            def _trickle_everything(self, reply: Reply) -> None:
                head = (
                    f"HTTP/1.1 {reply.status} OK\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(reply.body)}\r\n\r\n"
                ).encode()
                sent = 0
                try:
                    for index in range(len(head)):
                        self.wfile.write(head[index : index + 1])
                        self.wfile.flush()
                        sent += 1
                        time.sleep(reply.trickle)
                except OSError:
                    pass
                server.body_bytes_sent.append(sent - len(head))  # < 0: cut in the headers
                self.close_connection = True

            do_GET = do_PUT = do_POST = do_DELETE = _answer

        return Handler
