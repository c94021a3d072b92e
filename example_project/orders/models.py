"""Orders keep copies of what was bought and paid, whatever the catalogue does later."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from cart.discounts import ItemisedDiscount
from cart.models import Cart
from catalog.models import Product


class Order(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "awaiting payment"
        PAID = "paid", "paid"
        CANCELLED = "cancelled", "cancelled"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
    )
    #: The cart the order came from: its Talon.One session becomes the order's.
    cart = models.ForeignKey(Cart, null=True, blank=True, on_delete=models.SET_NULL)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    #: Only the codes Talon.One accepted when the shopper paid: the close redeems them.
    coupon_codes = models.JSONField(default=list, blank=True)
    referral_code = models.CharField(max_length=100, blank=True)
    #: The loyalty points Talon.One accepted to spend at checkout: the close spends them.
    points_to_spend = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    subtotal = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    discount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    total = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    #: The cart's currency when the order was placed.
    currency = models.CharField(max_length=3, default="USD")
    #: The discounts as charged, itemised as the cart showed them: one entry per
    #: promotion, ``{"name", "amount", "source", "code"}`` with ``source`` one of
    #: ``"promotion"`` (automatic), ``"coupon"`` or ``"referral"``.
    discount_lines = models.JSONField(default=list, blank=True)
    promotions_applied = models.BooleanField(
        "priced by Talon.One",
        default=True,
        help_text="Ticked: Talon.One priced the order at checkout. Unticked: it could not be "
        "reached, and the order was charged full price.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Order {self.number}"

    @property
    def number(self) -> str:
        return f"#{self.pk:05d}" if self.pk else "#new"

    @property
    def itemised_discounts(self) -> list[ItemisedDiscount]:
        return [ItemisedDiscount.from_dict(item) for item in self.discount_lines]

    @property
    def refunded_total(self) -> Decimal:
        """What was paid back so far (the lines refunded, each net of its discounts)."""
        return sum(
            (line.refunded_amount or Decimal(0) for line in self.lines.all() if line.is_refunded),
            Decimal(0),
        )

    @property
    def kept_total(self) -> Decimal:
        """What the shopper paid and was not paid back."""
        return self.total - self.refunded_total

    @property
    def refund_state(self) -> str:
        """``"refunded"`` (every line), ``"partly refunded"``, or ``""`` (none)."""
        lines = list(self.lines.all())
        refunded = sum(1 for line in lines if line.is_refunded)
        if not refunded:
            return ""
        return "refunded" if refunded == len(lines) else "partly refunded"

    @property
    def status_words(self) -> str:
        """The status a shopper reads: a paid order some of whose lines went back says so."""
        if self.status == self.Status.PAID and self.refund_state:
            return self.refund_state
        return self.get_status_display()

    @property
    def cart_discount(self) -> Decimal:
        """The part of the discount given to the whole cart rather than to a line."""
        return self.discount - sum((line.discount for line in self.lines.all()), Decimal(0))


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.SET_NULL)
    sku = models.CharField("SKU", max_length=32)
    name = models.CharField(max_length=200)
    category = models.CharField(max_length=50, blank=True)
    price = models.DecimalField(max_digits=10, decimal_places=2)
    quantity = models.PositiveIntegerField()
    #: This line's own discount (per-item effects), as charged.
    discount = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal(0))
    refunded_at = models.DateTimeField(null=True, blank=True)
    refunded_amount = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)

    class Meta:
        # Line order is the Talon.One session position: keep it stable.
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.name}"

    @property
    def total(self) -> Decimal:
        return self.price * self.quantity

    @property
    def net(self) -> Decimal:
        """What the line cost after its own discount (cart-wide discounts not included)."""
        return self.total - self.discount

    @property
    def is_refunded(self) -> bool:
        return self.refunded_at is not None
