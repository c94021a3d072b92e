"""Talon.One's rule for parallel requests on one session or profile.

Today's Integration API accepts up to three requests in flight for the same customer
session or profile: one is processed, the next two wait their turn, in arrival order. A
fourth that arrives while three are in flight is refused at once with 409 "Too many
requests are updating this session/profile at the same time". The emulator keeps that
rule, so a shop whose code writes one session from two places at once sees it in its
tests: the requests that had to wait are marked in the request log (``queued``), and a
burst beyond the limit gets the real 409.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from .errors import conflict_busy
from .routing import LockKey

#: Requests per session or profile Talon.One holds at once: one processed, two queued.
IN_FLIGHT_LIMIT = 3


@dataclass
class _Line:
    """The requests in flight for one entity, the one being processed first."""

    tickets: deque[object] = field(default_factory=deque)


class EntityGates:
    """One queue per session or profile; requests of other entities never wait."""

    def __init__(self, limit: int = IN_FLIGHT_LIMIT) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self._lines: dict[LockKey, _Line] = {}
        self._changed = threading.Condition(threading.Lock())

    @contextmanager
    def enter(self, key: LockKey, kind: str) -> Iterator[bool]:
        """Hold ``key``'s turn for the block; yields whether the request had to wait.

        Raises the 409 :class:`~.errors.ApiError` when ``limit`` requests are already in
        flight for ``key``.
        """
        ticket = object()
        with self._changed:
            line = self._lines.setdefault(key, _Line())
            if len(line.tickets) >= self.limit:
                raise conflict_busy(kind)
            line.tickets.append(ticket)
            waited = line.tickets[0] is not ticket
            while line.tickets[0] is not ticket:
                self._changed.wait()
        try:
            yield waited
        finally:
            with self._changed:
                line.tickets.popleft()
                if not line.tickets:
                    del self._lines[key]
                self._changed.notify_all()

    def in_flight(self, key: LockKey) -> int:
        """How many requests for ``key`` are being processed or waiting now."""
        with self._changed:
            line = self._lines.get(key)
            return len(line.tickets) if line is not None else 0
