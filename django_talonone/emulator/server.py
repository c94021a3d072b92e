"""A real HTTP/1.1 server for the emulator: keep-alive connections, one thread each.

Shop test suites and the demo send thousands of calls through it, so it is built for
that: a client's pooled connection stays open across calls (HTTP/1.1 keep-alive, no TCP
set-up per call), and each reply leaves in one socket write. Threads matter: Talon.One
queues or refuses a request for a session other requests are updating, and only
overlapping connections can show that. The "dropped connection" fault resets the socket
with no reply at all. Stopping the server closes the connections still open, so a
pooled client sees it gone as a real outage.
"""

from __future__ import annotations

import contextlib
import io
import logging
import socket
import struct
import sys
import threading
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler
from socketserver import BaseServer, TCPServer, ThreadingMixIn
from types import TracebackType
from typing import Any
from urllib.parse import unquote

from .faults import DropConnection
from .wsgi import RAW_URI_KEY, WsgiApp, status_line

logger = logging.getLogger("django_talonone.emulator")

#: An idle keep-alive connection is closed after this many seconds.
IDLE_TIMEOUT = 30.0
_INTERNAL_ERROR = b'{"message":"Internal emulator error","errors":[],"StatusCode":500}'


class _BoundedBody(io.RawIOBase):
    """The request body as ``wsgi.input``: never reads past ``Content-Length``.

    On a kept-alive connection the next request follows the body directly, so whatever
    the app leaves unread is drained (:meth:`drain`) before that request is parsed.
    """

    def __init__(self, stream: Any, length: int) -> None:
        self._stream = stream
        self.remaining = length

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0 or size > self.remaining:
            size = self.remaining
        data: bytes = self._stream.read(size) if size else b""
        self.remaining -= len(data)
        return data

    def readline(self, size: int | None = -1) -> bytes:
        limit = self.remaining if size is None or size < 0 else min(size, self.remaining)
        data: bytes = self._stream.readline(limit) if limit else b""
        self.remaining -= len(data)
        return data

    def drain(self) -> None:
        while self.remaining and self.read(65536):
            pass


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "TalonOneEmulator"
    sys_version = ""
    timeout = IDLE_TIMEOUT
    disable_nagle_algorithm = True
    verbose = False
    server: EmulatorHTTPServer

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.untrack(self.connection)

    def _serve(self) -> None:
        """Build the WSGI environ, run the app, send its reply in one write."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self.close_connection = True
            self.send_error(411, "Chunked request bodies are not supported; send Content-Length")
            return
        try:
            length = max(0, int(self.headers.get("Content-Length") or 0))
        except ValueError:
            self.close_connection = True
            self.send_error(400, "Content-Length is not a number")
            return
        body = _BoundedBody(self.rfile, length)
        reply: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], *_: Any) -> None:
            reply["status"], reply["headers"] = status, headers

        try:
            chunks: Iterable[bytes] = self.server.app(self._environ(body, length), start_response)
            payload = b"".join(chunks)
        except DropConnection:
            self._abort()
            return
        except Exception:
            logger.exception("emulator: unexpected error serving %s %s", self.command, self.path)
            reply = {"status": status_line(500), "headers": [("Content-Type", "application/json")]}
            payload = _INTERNAL_ERROR
        body.drain()
        self._send(reply["status"], reply["headers"], payload)

    def _environ(self, body: _BoundedBody, length: int) -> dict[str, Any]:
        path, _, query = self.path.partition("?")
        host, port = self.server.server_address[:2]
        environ: dict[str, Any] = {
            "REQUEST_METHOD": self.command,
            "SCRIPT_NAME": "",
            "PATH_INFO": unquote(path, encoding="latin-1"),
            RAW_URI_KEY: self.path,
            "QUERY_STRING": query,
            "SERVER_NAME": str(host),
            "SERVER_PORT": str(port),
            "SERVER_PROTOCOL": self.request_version,
            "REMOTE_ADDR": self.client_address[0],
            "CONTENT_LENGTH": str(length) if length else "",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": body,
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for name, value in self.headers.items():
            key = name.upper().replace("-", "_")
            if key == "CONTENT_TYPE":
                environ["CONTENT_TYPE"] = value
            elif key != "CONTENT_LENGTH":
                environ[f"HTTP_{key}"] = value
        return environ

    def _send(self, status: str, headers: list[tuple[str, str]], payload: bytes) -> None:
        lines = [f"{self.protocol_version} {status}", f"Server: {self.server_version}"]
        lines.append(f"Date: {self.date_time_string()}")
        lines.extend(f"{name}: {value}" for name, value in headers)
        if not any(name.lower() == "content-length" for name, _ in headers):
            lines.append(f"Content-Length: {len(payload)}")
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.wfile.write(head + (b"" if self.command == "HEAD" else payload))
        self.log_request(status.split(" ", 1)[0], len(payload))

    def handle_one_request(self) -> None:
        """Read one request and serve it, whatever its method: the app answers an unknown
        method with Talon.One's 404 or 405, never the stdlib's 501."""
        try:
            self.raw_requestline = self.rfile.readline(65537)
            if len(self.raw_requestline) > 65536:
                self.requestline = self.request_version = self.command = ""
                self.send_error(414)
                return
            if not self.raw_requestline:
                self.close_connection = True
                return
            if not self.parse_request():
                return
            self._serve()
            self.wfile.flush()
        except TimeoutError:
            self.close_connection = True  # an idle kept-alive connection: let it go

    def _abort(self) -> None:
        """Close with a TCP reset: the client sees the connection die mid-request."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def log_message(self, format: str, *args: Any) -> None:
        if self.verbose:
            logger.info("%s - %s", self.address_string(), format % args)


class _VerboseRequestHandler(_RequestHandler):
    verbose = True


class EmulatorHTTPServer(ThreadingMixIn, TCPServer):
    """A threading TCP server that serves ``app`` and knows its open connections."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(
        self, address: tuple[str, int], handler: type[_RequestHandler], app: WsgiApp
    ) -> None:
        super().__init__(address, handler)
        self.app = app
        self._open: set[socket.socket] = set()
        self._open_guard = threading.Lock()

    def track(self, connection: socket.socket) -> None:
        with self._open_guard:
            self._open.add(connection)

    def untrack(self, connection: socket.socket) -> None:
        with self._open_guard:
            self._open.discard(connection)

    def get_app(self) -> WsgiApp:
        return self.app

    def server_close(self) -> None:
        """Stop listening and close every kept-alive connection."""
        super().server_close()
        with self._open_guard:
            connections = list(self._open)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


#: The name earlier releases exported.
ThreadingWSGIServer = EmulatorHTTPServer


def make_server(
    app: WsgiApp, host: str = "127.0.0.1", port: int = 0, *, verbose: bool = False
) -> EmulatorHTTPServer:
    """Bind (``port=0`` picks a free port) without starting to serve."""
    handler = _VerboseRequestHandler if verbose else _RequestHandler
    return EmulatorHTTPServer((host, port), handler, app)


class RunningEmulator:
    """A server serving in a background thread; ``stop()`` or use it as a context manager."""

    def __init__(self, server: BaseServer, app: WsgiApp) -> None:
        self.server = server
        self.app = app
        address = server.server_address
        assert isinstance(address, tuple)
        self.host = str(address[0])
        self.port = int(address[1])
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"talonone-emulator-{self.port}",
            daemon=True,
        )
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        """Stop accepting, close the listening socket and the open connections."""
        if self._thread.is_alive():
            self.server.shutdown()
            self._thread.join()
        self.server.server_close()

    def __enter__(self) -> RunningEmulator:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<RunningEmulator {self.url}>"


def serve_in_thread(
    app: WsgiApp, host: str = "127.0.0.1", port: int = 0, *, verbose: bool = False
) -> RunningEmulator:
    """Serve ``app`` over real HTTP from a daemon thread; returns once it accepts."""
    return RunningEmulator(make_server(app, host, port, verbose=verbose), app)
