"""Time helpers: one RFC 3339 format everywhere, and an injectable UTC clock.

Handlers never call ``datetime.now`` themselves; they ask the state's clock, so tests can
move time (coupon expiry, the 24-hour idempotency window) without sleeping.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The real current time, in UTC."""
    return datetime.now(timezone.utc)


def format_timestamp(moment: datetime) -> str:
    """Render ``moment`` as RFC 3339 in UTC with a ``Z`` suffix (microseconds kept)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    text = moment.astimezone(timezone.utc).isoformat()
    return text.replace("+00:00", "Z")


_TIMESTAMP = re.compile(
    r"(?P<stamp>\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2})"
    r"(?:\.(?P<fraction>\d+))?"
    r"(?P<offset>[Zz]|[+-]\d{2}:?\d{2})?"
)


def parse_timestamp(text: str) -> datetime:
    """Parse an RFC 3339 timestamp; naive values are taken as UTC.

    Accepts what real clients send - ``Z``, ``+02:00`` or ``+0200`` offsets, any number of
    fractional digits - on every supported Python (3.10's ``fromisoformat`` takes only
    ``+HH:MM`` and 3 or 6 digits). A leap second (``:60``, which request validation lets
    through) becomes the last microsecond of its minute, since ``datetime`` cannot hold
    it. Raises ``ValueError`` for anything else, so config validation can name the field.
    """
    found = _TIMESTAMP.fullmatch(text) if isinstance(text, str) else None
    if found is None:
        raise ValueError(f"not an RFC 3339 timestamp: {text!r}")
    stamp, fraction, offset = found.group("stamp", "fraction", "offset")
    micros = (fraction or "").ljust(6, "0")[:6]
    if stamp.endswith(":60"):
        stamp, micros = stamp[:-2] + "59", "999999"
    if offset in (None, "Z", "z"):
        offset = "+00:00"
    elif ":" not in offset:
        offset = f"{offset[:3]}:{offset[3:]}"
    try:
        moment = datetime.fromisoformat(f"{stamp}.{micros}{offset}")
    except ValueError:
        raise ValueError(f"not an RFC 3339 timestamp: {text!r}") from None
    return moment.astimezone(timezone.utc)


class MovableClock:
    """A clock the emulator can move forward: ``base`` plus an offset it adds to.

    The emulator's own, so that moving time is something it knows of: it is how the
    control endpoint (``PUT /_emulator/clock``) and ``Emulator.move_clock`` make pending
    loyalty points active, and announce it, with no sleeping.
    """

    def __init__(self, base: Clock = system_clock) -> None:
        self.base = base
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return self.base() + self.offset

    def move(self, delta: timedelta) -> None:
        """Move forward by ``delta`` (``ValueError`` for a step back)."""
        if delta < timedelta(0):
            raise ValueError("the clock only moves forward")
        self.offset += delta

    def rewind(self) -> None:
        """Back to ``base`` (a reset: nothing is left that the move made)."""
        self.offset = timedelta(0)
