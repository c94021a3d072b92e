"""How a shopper looks to Talon.One: a profile per user, keyed by the user's id."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django_talonone.cart import CustomerAdapter


class ShopCustomerAdapter(CustomerAdapter):
    def get_attributes(self, customer: Any) -> Mapping[str, Any]:
        # Each attribute must exist in the Talon.One Application (the emulator takes any).
        return {"Name": customer.get_full_name() or customer.get_username()}
