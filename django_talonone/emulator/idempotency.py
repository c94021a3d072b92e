"""``Idempotency-Key``: a retried write is answered from memory instead of applied again.

Today's API honours the header on six writes (UpdateCustomerSessionV2, ReturnCartItems,
ReopenCustomerSession, UpdateCustomerProfileV2, UpdateCustomerProfilesV2, TrackEventV2;
the emulator has no ReopenCustomerSession): within 24 hours the same key gets the first
reply again. The sources do not say how a key is scoped; the emulator scopes it to the
operation and its path (a key reused for another session is a new call) and remembers
only successful replies (a call refused with 409 or 400 may be sent again with its key).
Dry runs are neither answered from memory nor remembered.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from .clock import parse_timestamp
from .routing import Request, Response
from .state import EmulatorState

__all__ = ["IDEMPOTENCY_WINDOW", "KEYED_OPERATIONS", "honour_keys"]

IDEMPOTENCY_WINDOW = timedelta(hours=24)
KEYED_OPERATIONS = frozenset(
    {
        "updateCustomerSessionV2",
        "returnCartItems",
        "updateCustomerProfileV2",
        "updateCustomerProfilesV2",
        "trackEventV2",
    }
)
MAX_KEY_LENGTH = 255

Handler = Callable[[EmulatorState, Request], Response]


def _key(request: Request) -> str | None:
    for name, value in request.headers.items():
        if name.lower() == "idempotency-key" and value:
            return value
    return None


def _scope(request: Request, key: str) -> str:
    where = "/".join(f"{name}={value}" for name, value in sorted(request.path_params.items()))
    return f"{request.operation} {where} {key}"


def _remembered(state: EmulatorState, scope: str) -> dict[str, Any] | None:
    """The stored reply for ``scope`` if still inside the window; purges stale entries."""
    entries: dict[str, dict[str, Any]] = state.data["idempotency"]
    now = state.now()
    for stale in [
        name
        for name, entry in entries.items()
        if now - parse_timestamp(entry["at"]) >= IDEMPOTENCY_WINDOW
    ]:
        del entries[stale]
    return entries.get(scope)


def honour_keys(handler: Handler) -> Handler:
    """``handler``, answering a repeated ``Idempotency-Key`` with the first reply."""

    def keyed(state: EmulatorState, request: Request) -> Response:
        key = _key(request)
        if key is None or request.query.get("dry") == "true":
            return handler(state, request)
        scope = _scope(request, key[:MAX_KEY_LENGTH])
        remembered = _remembered(state, scope)
        if remembered is not None:
            return Response(remembered["status"], copy.deepcopy(remembered["body"]))
        response = handler(state, request)
        if 200 <= response.status < 300:
            state.data["idempotency"][scope] = {
                "at": state.now_text(),
                "status": response.status,
                "body": copy.deepcopy(response.body),
            }
        return response

    keyed.__doc__ = handler.__doc__
    return keyed
