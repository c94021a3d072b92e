"""Sections the emulator does not model yet, answered so nobody mistakes them for "none".

Loyalty (balances, tiers), giveaways, achievements and campaign eligibility are not
modelled: an empty list or
``{"programs": {}}`` would read as "this customer has no points", and a shop's tests
would pass on a wallet that is really just unmodelled. So those sections are left out of
the reply, and the ``X-Emulator-Unmodelled`` header names each one that was asked for
(``loyalty, giveaways``). See docs/emulator.md.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .routing import Request, Response
from .state import EmulatorState

__all__ = ["UNMODELLED_HEADER", "mark_unmodelled"]

UNMODELLED_HEADER = "X-Emulator-Unmodelled"
#: Reply keys (responseContent values and inventory sections) with nothing modelled.
_UNMODELLED_KEYS = (
    "loyalty",
    "awardedGiveaways",
    "giveaways",
    "achievements",
    "campaignEligibility",
)
_INVENTORY_FLAGS = ("loyalty", "giveaways", "achievements")

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
