"""Driving the oscar test shop through oscar's own views, and counting Talon.One calls."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import create_product

from django_talonone.testing import TalonOneHarness

UPDATE = "updateCustomerSessionV2"

Basket: Any = get_model("basket", "Basket")
Order: Any = get_model("order", "Order")
Country: Any = get_model("address", "Country")


class Shop:
    """A shopper's browser (``client``) and the emulator it talks to (``talonone``)."""

    def __init__(self, talonone: TalonOneHarness, client: Client) -> None:
        self.talonone = talonone
        self.client = client
        self.products: dict[str, Any] = {}

    def product(self, sku: str, price: str, stock: int = 100) -> Any:
        made = create_product(
            title=sku.title(), partner_sku=sku, price=Decimal(price), num_in_stock=stock
        )
        self.products[sku] = made
        return made

    def calls(self, operation: str = UPDATE) -> int:
        return len(self.talonone.requests(operation))

    def add(self, sku: str, quantity: int = 1) -> Any:
        product = self.products[sku]
        return self.client.post(
            reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": quantity}
        )

    def basket(self) -> Any:
        """The basket page (oscar's ``BasketView``)."""
        return self.client.get(reverse("basket:summary"))

    def the_basket(self) -> Any:
        """The shopper's open basket row (the newest)."""
        return Basket.objects.filter(status=Basket.OPEN).order_by("-pk").first()

    def set_quantities(self, quantities: dict[str, int], **headers: Any) -> Any:
        """Post oscar's basket formset: a quantity per SKU (0 deletes the line)."""
        basket = self.the_basket()
        lines = list(basket.lines.order_by("pk"))
        data: dict[str, Any] = {
            "form-TOTAL_FORMS": len(lines),
            "form-INITIAL_FORMS": len(lines),
            "form-MIN_NUM_FORMS": 0,
            "form-MAX_NUM_FORMS": 1000,
        }
        for index, line in enumerate(lines):
            data[f"form-{index}-id"] = line.pk
            data[f"form-{index}-quantity"] = quantities.get(
                line.stockrecord.partner_sku, line.quantity
            )
        return self.client.post(reverse("basket:summary"), data, **headers)

    def voucher(self, code: str) -> Any:
        return self.client.post(reverse("basket:vouchers-add"), {"code": code}, follow=True)

    def remove_voucher(self, code: str) -> Any:
        return self.client.post(reverse("basket:vouchers-add"), {"remove_code": code}, follow=True)

    def checkout_as_guest(self, email: str = "guest@example.com") -> Any:
        """Oscar's anonymous checkout, from the gateway to the placed order."""
        Country.objects.get_or_create(
            iso_3166_1_a2="GB", defaults={"name": "United Kingdom", "is_shipping_country": True}
        )
        self.client.post(reverse("checkout:index"), {"username": email, "options": "anonymous"})
        return self._address_to_order()

    def checkout(self) -> Any:
        """Oscar's checkout for a signed-in shopper."""
        Country.objects.get_or_create(
            iso_3166_1_a2="GB", defaults={"name": "United Kingdom", "is_shipping_country": True}
        )
        self.client.get(reverse("checkout:index"))
        return self._address_to_order()

    def _address_to_order(self) -> Any:
        self.client.post(
            reverse("checkout:shipping-address"),
            {
                "first_name": "Ada",
                "last_name": "Lovelace",
                "line1": "1 Analytical Street",
                "line4": "London",
                "postcode": "N1 9GU",
                "country": "GB",
            },
        )
        self.client.get(reverse("checkout:shipping-method"))
        self.client.get(reverse("checkout:payment-method"))
        self.client.get(reverse("checkout:payment-details"))
        preview = self.client.get(reverse("checkout:preview"))
        placed = self.client.post(reverse("checkout:preview"), {"action": "place_order"})
        assert placed.status_code == 302, placed.content[:2000]
        assert placed["Location"].endswith(reverse("checkout:thank-you")), placed["Location"]
        return preview

    def messages(self, response: Any) -> list[str]:
        return [str(message) for message in response.context["messages"]]
