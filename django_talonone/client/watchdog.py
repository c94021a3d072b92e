"""A wall-clock bound on waiting for a reply's status line and headers.

``requests`` applies its read timeout to each socket read, so a server that trickles its
headers a byte at a time holds a call for as long as it likes. The body is read within the
call's deadline by :mod:`.body`; for the part before it, the transport's connections hand
their socket to a :class:`Watchdog`, whose one thread shuts the socket down when the call's
deadline passes (the blocked read then fails at once, and the transport reports a timeout).
"""

from __future__ import annotations

import heapq
import itertools
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.response import BaseHTTPResponse

__all__ = ["Watch", "Watchdog", "watched_adapter"]


class Watch:
    """One attempt's deadline (on ``time.monotonic``) and whether it had to be enforced."""

    __slots__ = ("at", "done", "fired", "sock")

    def __init__(self, at: float) -> None:
        self.at = at
        self.sock: socket.socket | None = None
        self.done = False
        self.fired = False


#: The attempt being sent in this thread (or task), set by the transport around a request.
_current: ContextVar[tuple[Watchdog, Watch] | None] = ContextVar("talonone_watch", default=None)


class Watchdog:
    """Shuts down the socket of an attempt still waiting for its headers at its deadline."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._heap: list[tuple[float, int, Watch]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None
        self._closed = False

    @contextmanager
    def attempt(self, seconds: float) -> Iterator[Watch]:
        """Watch the request sent inside the block; ``seconds`` is what is left of the call."""
        watch = Watch(time.monotonic() + max(seconds, 0.0))
        token = _current.set((self, watch))
        try:
            yield watch
        finally:
            _current.reset(token)
            watch.done = True

    def guard(self, watch: Watch, sock: socket.socket) -> None:
        """Start guarding ``sock`` until ``watch`` is done (called by the connection)."""
        watch.sock = sock
        with self._condition:
            if self._closed:
                return
            heapq.heappush(self._heap, (watch.at, next(self._order), watch))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="talonone-watchdog", daemon=True
                )
                self._thread.start()
            self._condition.notify()

    def close(self) -> None:
        with self._condition:
            self._closed = True
            self._heap.clear()
            self._condition.notify()

    def _run(self) -> None:
        with self._condition:
            while not self._closed:
                if not self._heap:
                    self._condition.wait()
                    continue
                at, _, watch = self._heap[0]
                left = at - time.monotonic()
                if watch.done:
                    heapq.heappop(self._heap)
                elif left > 0:
                    self._condition.wait(left)
                else:
                    heapq.heappop(self._heap)
                    _shut(watch)


def _shut(watch: Watch) -> None:
    if watch.done or watch.sock is None:
        return
    watch.fired = True
    with suppress(OSError):  # closed meanwhile: nothing left to interrupt
        watch.sock.shutdown(socket.SHUT_RDWR)


class _WatchedConnection(HTTPConnection):
    def getresponse(self) -> BaseHTTPResponse:  # type: ignore[override]
        current = _current.get()
        if current is not None and self.sock is not None:
            watchdog, watch = current
            watchdog.guard(watch, self.sock)
        response: BaseHTTPResponse = super().getresponse()
        if current is not None:
            current[1].done = True  # headers are in: the body has its own bound
        return response


class _WatchedHTTPSConnection(_WatchedConnection, HTTPSConnection):
    pass


class _WatchedPool(HTTPConnectionPool):
    ConnectionCls = _WatchedConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class _WatchedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _WatchedPool,
            "https": _WatchedHTTPSPool,
        }


def watched_adapter(session: requests.Session) -> None:
    """Mount adapters whose connections report their socket to the current watchdog."""
    for prefix in ("http://", "https://"):
        session.mount(prefix, _WatchedAdapter())
