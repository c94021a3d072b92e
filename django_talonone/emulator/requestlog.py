"""A bounded, thread-safe record of recent API requests, for tests and debugging.

Entries are plain JSON-able dicts so ``GET /_emulator/requests`` can return them as they
are. Credentials never enter the log: ``Authorization`` is cut down to its scheme before
an entry is built, and no other header that could carry a secret is kept.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Mapping
from typing import Any

DEFAULT_LOG_SIZE = 500
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
        if limit is not None:
            snapshot = snapshot[-limit:] if limit > 0 else []
        return snapshot

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
