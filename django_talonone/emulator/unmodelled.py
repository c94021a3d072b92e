"""Sections the emulator does not model yet, answered so nobody mistakes them for "none".

Campaign eligibility is not modelled: an empty list would read as "no campaign is
eligible", and a shop's tests would pass on an answer that is really just unmodelled. So
the section is left out of the reply, and the ``X-Emulator-Unmodelled`` header names each
such section that was asked for. Loyalty, giveaways and achievements are modelled (see
docs/emulator.md); a key added here later is handled the same way, in replies and in the
inventory's query flags.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .routing import Request, Response
from .state import EmulatorState

__all__ = ["UNMODELLED_HEADER", "mark_unmodelled"]

UNMODELLED_HEADER = "X-Emulator-Unmodelled"
#: Reply keys (responseContent values and inventory sections) with nothing modelled.
_UNMODELLED_KEYS = ("campaignEligibility",)
#: Inventory query flags whose section is not modelled (none today).
_INVENTORY_FLAGS: tuple[str, ...] = ()

Handler = Callable[[EmulatorState, Request], Response]


def _strip(body: Any, found: list[str]) -> None:
    if not isinstance(body, dict):
        return
    for key in _UNMODELLED_KEYS:
        if key in body:
            del body[key]
            if key not in found:
                found.append(key)
    for state in body.get("integrationStates") or []:
        _strip(state, found)


def mark_unmodelled(handler: Handler) -> Handler:
    """``handler``, with unmodelled sections left out of its reply and named in a header."""

    def marked(state: EmulatorState, request: Request) -> Response:
        response = handler(state, request)
        found: list[str] = []
        if request.operation == "getCustomerInventory":
            found = [flag for flag in _INVENTORY_FLAGS if request.query.get(flag) == "true"]
        asked = request.body.get("responseContent") if isinstance(request.body, dict) else None
        if isinstance(asked, list):
            found.extend(key for key in _UNMODELLED_KEYS if key in asked)
        _strip(response.body, found)
        if found:
            response.headers[UNMODELLED_HEADER] = ", ".join(found)
        return response

    marked.__doc__ = handler.__doc__
    return marked
