"""Fault injection: the failures a real network and a busy Talon.One produce, on demand.

A :class:`FaultSpec` is parsed from the JSON documented in ``docs/emulator.md``; a
:class:`FaultInjector` draws from a seeded ``random.Random`` so a test run that sends the
same requests in the same order sees the same faults every time. Every matching request
consumes exactly two draws (one for the error status, one for the drop), whatever the
outcome, so one fault never shifts the sequence of the next.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .routing import OPERATIONS_BY_NAME

FAULT_STATUSES = (409, 429, 500, 502, 503)
_KNOWN_KEYS = {"seed", "errorRates", "latencyMs", "dropRate", "dropAfterApply", "operations"}


class DropConnection(Exception):
    """Raised by the app to ask its transport to abort the connection with no reply.

    The threaded server resets the socket; the in-process adapter turns it into
    ``requests.exceptions.ConnectionError``. Not part of the public API.
    """


class ResponseTimedOut(Exception):
    """Raised by the app when injected latency outlasted the caller's read timeout.

    Only the in-process adapter passes a read timeout in; it turns this into
    ``requests.exceptions.ReadTimeout``.
    """


@dataclass(frozen=True)
class FaultSpec:
    """What to inject; immutable so a spec can be shared between threads."""

    seed: int | None = None
    error_rates: Mapping[int, float] | None = None
    latency_ms: int = 0
    drop_rate: float = 0.0
    drop_after_apply: bool = False
    operations: frozenset[str] | None = None

    def applies_to(self, operation: str) -> bool:
        return self.operations is None or operation in self.operations

    def to_dict(self) -> dict[str, Any]:
        """The spec in the JSON form :func:`parse_faults` accepts."""
        data: dict[str, Any] = {
            "seed": self.seed,
            "errorRates": {str(k): v for k, v in sorted((self.error_rates or {}).items())},
            "latencyMs": self.latency_ms,
            "dropRate": self.drop_rate,
            "dropAfterApply": self.drop_after_apply,
        }
        if self.operations is not None:
            data["operations"] = sorted(self.operations)
        return data


@dataclass(frozen=True)
class FaultDecision:
    """The fate of one request: reply ``status``, drop it, and/or delay it."""

    status: int | None = None
    drop: bool = False
    drop_after_apply: bool = False
    latency_ms: int = 0


NO_FAULT = FaultDecision()


def parse_faults(data: Any) -> FaultSpec:
    """Validate the fault JSON; ``ValueError`` names the offending field."""
    if not isinstance(data, Mapping):
        raise ValueError("faults: must be a JSON object")
    unknown = sorted(set(data) - _KNOWN_KEYS)
    if unknown:
        raise ValueError(f"faults: unknown field(s) {', '.join(unknown)}")
    seed = data.get("seed")
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
        raise ValueError("seed: must be an integer or null")
    rates = _error_rates(data.get("errorRates", {}))
    latency = data.get("latencyMs", 0)
    if not isinstance(latency, int) or isinstance(latency, bool) or not 0 <= latency <= 600_000:
        raise ValueError("latencyMs: must be an integer between 0 and 600000")
    drop_after = data.get("dropAfterApply", False)
    if not isinstance(drop_after, bool):
        raise ValueError("dropAfterApply: must be true or false")
    return FaultSpec(
        seed=seed,
        error_rates=rates,
        latency_ms=latency,
        drop_rate=_rate(data.get("dropRate", 0), "dropRate"),
        drop_after_apply=drop_after,
        operations=_operations(data.get("operations")),
    )


def _rate(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise ValueError(f"{where}: must be a number between 0 and 1")
    rate = float(value)
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"{where}: must be between 0 and 1, got {value}")
    return rate


def _error_rates(raw: Any) -> dict[int, float]:
    if not isinstance(raw, Mapping):
        raise ValueError("errorRates: must be an object mapping a status to a rate")
    rates: dict[int, float] = {}
    for key, value in raw.items():
        text = str(key)
        if not text.isdigit() or int(text) not in FAULT_STATUSES:
            allowed = ", ".join(str(s) for s in FAULT_STATUSES)
            raise ValueError(f"errorRates: status {key!r} cannot be injected (use {allowed})")
        rates[int(text)] = _rate(value, f"errorRates.{text}")
    if sum(rates.values()) > 1.0 + 1e-9:
        raise ValueError("errorRates: the rates add up to more than 1")
    return rates


def _operations(raw: Any) -> frozenset[str] | None:
    if raw is None:
        return None
    if not isinstance(raw, list) or not all(isinstance(name, str) for name in raw):
        raise ValueError("operations: must be a list of operation names")
    unknown = sorted(set(raw) - set(OPERATIONS_BY_NAME))
    if unknown:
        raise ValueError(f"operations: unknown operation(s) {', '.join(unknown)}")
    return frozenset(raw)


class FaultInjector:
    """Holds the active spec and its random stream; safe to call from many threads."""

    def __init__(self, spec: FaultSpec | None = None) -> None:
        self._lock = threading.Lock()
        self._spec: FaultSpec | None = None
        self._random = random.Random()
        self.set(spec)

    @property
    def spec(self) -> FaultSpec | None:
        return self._spec

    def set(self, spec: FaultSpec | None) -> None:
        """Install ``spec`` (``None`` clears) and restart the random stream from its seed."""
        with self._lock:
            self._spec = spec
            self._random = random.Random(spec.seed if spec is not None else None)

    def decide(self, operation: str) -> FaultDecision:
        """Draw the fate of one request for ``operation``."""
        with self._lock:
            spec = self._spec
            if spec is None or not spec.applies_to(operation):
                return NO_FAULT
            status_draw = self._random.random()
            drop_draw = self._random.random()
        return FaultDecision(
            status=_pick_status(spec.error_rates or {}, status_draw),
            drop=drop_draw < spec.drop_rate,
            drop_after_apply=spec.drop_after_apply,
            latency_ms=spec.latency_ms,
        )


def _pick_status(rates: Mapping[int, float], draw: float) -> int | None:
    """Map a uniform draw onto consecutive ranges, one per status, in status order."""
    threshold = 0.0
    for status in sorted(rates):
        threshold += rates[status]
        if draw < threshold:
            return status
    return None
