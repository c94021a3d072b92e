"""The suite's fake clocks: time that moves only when a test (or a fake sleep) moves it.

Two kinds, because the code under test reads two kinds of time. :class:`OutboxClock` is the
wall clock the outbox schedules retries by (a ``datetime``); :class:`MonotonicClock` is the
monotonic clock of the client's deadlines and the snapshot recorder's wake interval, plus
the epoch seconds the client reads ``Retry-After`` dates against. Neither starts from the
machine's own clock state, so a test reads the same on a machine booted a minute or a
month ago.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone


class OutboxClock:
    """The outbox's clock. It starts a minute ahead of the wall clock, so rows a test
    enqueues (stamped with the real time) are already due for it."""

    def __init__(self) -> None:
        self.now = timezone.now() + timedelta(minutes=1)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)

    def move_to(self, moment: datetime) -> None:
        """Jump forward to ``moment`` (never back)."""
        self.now = max(self.now, moment)


class MonotonicClock:
    """Monotonic and epoch seconds that only move when something sleeps or a test says."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now
        self.wall = 1_700_000_000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    __call__ = monotonic

    def time(self) -> float:
        return self.wall

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        self.wall += seconds
