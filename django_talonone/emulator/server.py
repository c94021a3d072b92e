"""A real HTTP server for the emulator: stdlib ``wsgiref`` with one thread per connection.

Threads matter: Talon.One answers 409 to a request for a session another request is
updating, and only overlapping connections can show that. The request handler also
implements the "dropped connection" fault by resetting the socket with no reply at all.
"""

from __future__ import annotations

import logging
import socket
import struct
import sys
import threading
from socketserver import ThreadingMixIn
from types import TracebackType
from typing import Any
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer

from .faults import DropConnection
from .wsgi import RAW_URI_KEY, WsgiApp

logger = logging.getLogger("django_talonone.emulator")


class _Handler(ServerHandler):
    """Lets :class:`DropConnection` escape instead of becoming a 500 page."""

    def handle_error(self) -> None:
        if isinstance(sys.exc_info()[1], DropConnection):
            raise DropConnection
        super().handle_error()


class _RequestHandler(WSGIRequestHandler):
    verbose = False

    def get_environ(self) -> dict[str, Any]:
        environ = super().get_environ()
        environ[RAW_URI_KEY] = self.path
        return environ

    def handle(self) -> None:
        """Serve one request, as ``WSGIRequestHandler.handle`` does, plus the drop fault."""
        self.raw_requestline = self.rfile.readline(65537)
        if len(self.raw_requestline) > 65536:
            self.requestline = self.request_version = self.command = ""
            self.send_error(414)
            return
        if not self.parse_request():
            return
        handler = _Handler(
            self.rfile,
            self.wfile,  # type: ignore[arg-type]  # typeshed: BufferedIOBase vs IO[bytes]
            self.get_stderr(),
            self.get_environ(),
            multithread=True,
        )
        handler.request_handler = self  # type: ignore[attr-defined]
        try:
            handler.run(self.server.get_app())  # type: ignore[attr-defined]
        except DropConnection:
            self._abort()

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


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    """``wsgiref``'s server, one daemon thread per connection."""

    daemon_threads = True
    allow_reuse_address = True


def make_server(
    app: WsgiApp, host: str = "127.0.0.1", port: int = 0, *, verbose: bool = False
) -> ThreadingWSGIServer:
    """Bind (``port=0`` picks a free port) without starting to serve."""
    handler = _VerboseRequestHandler if verbose else _RequestHandler
    server = ThreadingWSGIServer((host, port), handler)
    server.set_app(app)
    return server


class RunningEmulator:
    """A server serving in a background thread; ``stop()`` or use it as a context manager."""

    def __init__(self, server: ThreadingWSGIServer, app: WsgiApp) -> None:
        self.server = server
        self.app = app
        self.host = str(server.server_address[0])
        self.port = int(server.server_address[1])
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
        """Stop accepting, close the listening socket and wait for the serving thread."""
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
