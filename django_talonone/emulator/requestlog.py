"""A bounded, thread-safe record of recent API requests, for tests and debugging.

Entries are plain JSON-able dicts so ``GET /_emulator/requests`` can return them as they
are. Bodies are recorded as the bytes that crossed the wire (:class:`RawBody`) and decoded
when the log is first read, not on the request's path: most logged requests are never
looked at. Credentials never enter the log: ``Authorization`` is cut down to its scheme before
an entry is built, and no other header that could carry a secret is kept.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .wsgi import loads

DEFAULT_LOG_SIZE = 500
_BODY_FIELDS = ("requestBody", "responseBody")
_KEPT_HEADERS = ("Authorization", "Idempotency-Key", "Content-Type")


def redact_authorization(value: str) -> str:
    """``"ApiKey-v1 secret"`` becomes ``"ApiKey-v1 ***"``; a bare token becomes ``"***"``."""
    scheme, _, credential = value.strip().partition(" ")
    if not credential:
        return "***"
    return f"{scheme} ***"


def loggable_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The few request headers worth recording, with the credential redacted."""
    kept = {name: headers[name] for name in _KEPT_HEADERS if name in headers}
    if "Authorization" in kept:
        kept["Authorization"] = redact_authorization(kept["Authorization"])
    return kept


@dataclass(frozen=True, slots=True)
class RawBody:
    """A request or reply body as sent; ``json=False`` for a page that is not JSON."""

    data: bytes
    json: bool = True

    def decoded(self) -> Any:
        """Decoded JSON when possible, else the text itself, so the log stays JSON-able."""
        if not self.data:
            return None
        if self.json:
            try:
                return loads(self.data)
            except ValueError:
                pass
        return self.data.decode("utf-8", errors="replace")


class RequestLog:
    """The last ``size`` requests, oldest first."""

    def __init__(self, size: int = DEFAULT_LOG_SIZE) -> None:
        if size < 1:
            raise ValueError("request log size must be at least 1")
        self._entries: deque[dict[str, Any]] = deque(maxlen=size)
        self._lock = threading.Lock()

    def append(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self, limit: int | None = None) -> list[dict[str, Any]]:
        """The most recent ``limit`` entries (all when ``None``), newest last."""
        with self._lock:
            snapshot = list(self._entries)
            for entry in snapshot:
                for name in _BODY_FIELDS:
                    body = entry.get(name)
                    if isinstance(body, RawBody):
                        entry[name] = body.decoded()
        if limit is not None:
            snapshot = snapshot[-limit:] if limit > 0 else []
        return snapshot

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
