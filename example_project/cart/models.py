"""A cart belongs to a signed-in shopper, or to an anonymous browser session."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from catalog.models import Product


class Cart(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="carts",
    )
    #: Codes as the shopper typed them, in order; Talon.One says which apply.
    coupon_codes = models.JSONField(default=list, blank=True)
    referral_code = models.CharField(max_length=100, blank=True)
    #: What the shopper buys in; it routes the cart to that currency's Talon.One
    #: Application (USD: the default one, EUR: "eur"), with its own campaigns.
    currency = models.CharField(max_length=3, default="USD")
    #: Loyalty points the shopper asked to spend on this cart ("use my points").
    points_to_spend = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"cart {self.pk}"


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT)
    quantity = models.PositiveIntegerField(default=1)

    class Meta:
        # Line order is the Talon.One session position: keep it stable.
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "product"], name="cart_line_unique_product")
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product.sku}"

    @property
    def line_total(self) -> Decimal:
        return self.product.price * self.quantity
