"""A campaigns file with every reward kind, a clock to move, and handler shortcuts.

Shared by the loyalty, giveaway and achievement suites: the handlers are called
directly (no HTTP), on a state whose clock only moves when a test moves it.
"""

from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from django_talonone.emulator.handlers import HANDLERS
from django_talonone.emulator.routing import Request
from django_talonone.emulator.state import EmulatorState

PROGRAM = {
    "id": 7,
    "name": "points",
    "title": "Shop points",
    "pendingDays": 14,
    "expiryDays": 90,
    "tiers": [{"name": "Silver", "minPoints": 100}, {"name": "Gold", "minPoints": 300}],
}


def campaign(campaign_id: int, *effects: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """An automatic campaign with one unconditional rule giving ``effects``."""
    rule = {"name": f"rule of {campaign_id}", "effects": list(effects)}
    return {"id": campaign_id, "name": f"campaign {campaign_id}", "rules": [rule], **extra}


def config(*campaigns: dict[str, Any], flatten: bool = False, **sections: Any) -> dict[str, Any]:
    return {
        "application": {"flattenCartItems": flatten},
        "loyaltyPrograms": sections.pop("programs", [copy.deepcopy(PROGRAM)]),
        "campaigns": list(campaigns),
        **sections,
    }


FIXED = {"type": "addLoyaltyPoints", "programId": 7, "name": "Order points", "points": 50}
SPEND = {
    "type": "redeemLoyaltyPoints",
    "programId": 7,
    "name": "Points discount",
    "attribute": "pointsToRedeem",
    "pointValue": Decimal("0.1"),
}


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def move(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def world(*campaigns: dict[str, Any], **options: Any) -> tuple[EmulatorState, Clock]:
    clock = Clock()
    return EmulatorState(config(*campaigns, **options), clock=clock), clock


def item(sku: str, price: str, quantity: int = 1, **extra: Any) -> dict[str, Any]:
    return {"name": sku, "sku": sku, "quantity": quantity, "price": Decimal(price), **extra}


def put(
    state: EmulatorState,
    session_id: str,
    /,
    content: Any = None,
    key: str | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """UpdateCustomerSessionV2 for profile ``ann`` unless ``profileId`` says otherwise."""
    body: dict[str, Any] = {"customerSession": {"profileId": "ann", **fields}}
    if content is not None:
        body["responseContent"] = content
    headers = {"Idempotency-Key": key} if key else {}
    request = Request(
        "updateCustomerSessionV2", "PUT", {"customerSessionId": session_id}, {}, headers, body
    )
    response = HANDLERS["updateCustomerSessionV2"](state, request)
    assert response.status == 200
    reply: dict[str, Any] = response.body
    return reply


def give_back(
    state: EmulatorState, session_id: str, positions: list[int], key: str | None = None
) -> dict[str, Any]:
    body = {
        "return": {"returnedCartItems": [{"position": p} for p in positions]},
        "responseContent": ["loyalty"],
    }
    headers = {"Idempotency-Key": key} if key else {}
    request = Request(
        "returnCartItems", "POST", {"customerSessionId": session_id}, {}, headers, body
    )
    response = HANDLERS["returnCartItems"](state, request)
    assert response.status == 200
    reply: dict[str, Any] = response.body
    return reply


def inventory(state: EmulatorState, profile_id: str = "ann") -> dict[str, Any]:
    query = {"loyalty": "true", "giveaways": "true", "achievements": "true"}
    request = Request("getCustomerInventory", "GET", {"integrationId": profile_id}, query, {}, None)
    reply: dict[str, Any] = HANDLERS["getCustomerInventory"](state, request).body
    return reply


def ledger(state: EmulatorState, profile_id: str = "ann") -> dict[str, Any]:
    """The ``points`` program's LedgerInfo in the profile's inventory."""
    info: dict[str, Any] = inventory(state, profile_id)["loyalty"]["programs"]["points"]["ledger"]
    return info


def balances(state: EmulatorState, profile_id: str = "ann") -> tuple[Decimal, ...]:
    """``(current, pending, expired, spent)`` of the ``points`` program."""
    info = ledger(state, profile_id)
    keys = ("currentBalance", "pendingBalance", "expiredBalance", "spentBalance")
    return tuple(info[key] for key in keys)


def of_type(reply: dict[str, Any], effect_type: str) -> list[dict[str, Any]]:
    return [e for e in reply["effects"] if e["effectType"] == effect_type]
