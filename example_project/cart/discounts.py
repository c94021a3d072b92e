"""A cart-wide discount told apart by what gave it, as the cart and the order show it.

Kept free of Django and the app so an order (``orders.models``) can rebuild what it
stored at checkout without importing the pricing code.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class ItemisedDiscount:
    """One promotion's discount on the whole cart, and where it came from: an automatic
    ``"promotion"``, a ``"coupon"`` (with its ``code``), a ``"referral"`` or ``"points"``
    (loyalty points the shopper spent)."""

    name: str
    amount: Decimal
    source: str
    code: str = ""

    @property
    def source_words(self) -> str:
        if self.source == "coupon":
            return f"coupon {self.code}"
        if self.source == "referral":
            return "referral"
        if self.source == "points":
            return "loyalty points"
        return "automatic"

    def to_dict(self) -> dict[str, str]:
        return {
            "name": self.name,
            "amount": str(self.amount),
            "source": self.source,
            "code": self.code,
        }

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> ItemisedDiscount:
        return cls(data["name"], Decimal(data["amount"]), data["source"], data.get("code", ""))
