"""Behaviour tests: the project's real client against the emulator, in process.

These are the acceptance tests of the emulator's faithfulness: every call goes through
``TalonOneClient`` (the code shops run in production) and the emulator's full HTTP shell
(auth, validation, routing, handlers), only the socket is replaced by the in-process
adapter. Tests that need real sockets (overlapping requests, dropped connections) use the
threaded server fixture instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from django_talonone.client import TalonOneClient
from django_talonone.emulator import Emulator


@pytest.fixture
def client(talonone_emulator: Emulator) -> Iterator[TalonOneClient]:
    with talonone_emulator.client(max_attempts=1) as client:
        yield client


def item(sku: str, price: str, quantity: int = 1, **extra: Any) -> dict[str, Any]:
    """A cart line as a shop would send it."""
    return {"name": f"Product {sku}", "sku": sku, "quantity": quantity, "price": Decimal(price)} | (
        extra
    )


def session_body(**fields: Any) -> dict[str, Any]:
    response_content = fields.pop("responseContent", None)
    body: dict[str, Any] = {"customerSession": fields}
    if response_content is not None:
        body["responseContent"] = response_content
    return body


def effects_of(state: dict[str, Any], effect_type: str) -> list[dict[str, Any]]:
    return [effect for effect in state["effects"] if effect["effectType"] == effect_type]


def total_discount(state: dict[str, Any]) -> Decimal:
    """Sum of the discount effects, as a cart page would show it."""
    return sum(
        (
            Decimal(effect["props"]["value"])
            for effect in state["effects"]
            if effect["effectType"] in ("setDiscount", "setDiscountPerItem")
        ),
        Decimal(0),
    )
