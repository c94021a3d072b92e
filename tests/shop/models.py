"""Carts and orders the way a small Django shop would model them."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Cart(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    coupon_code = models.CharField(max_length=100, blank=True)
    referral_code = models.CharField(max_length=100, blank=True)
    #: What the cart is priced in; it routes the cart to that currency's Application.
    currency = models.CharField(max_length=3, blank=True)
    #: Loyalty points the shopper asks to spend (``None``: no request).
    points_to_spend = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)

    def __str__(self) -> str:
        return f"cart {self.pk}"


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, related_name="lines", on_delete=models.CASCADE)
    sku = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    quantity = models.PositiveIntegerField(default=1)
    price = models.DecimalField(max_digits=10, decimal_places=2)
    category = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"{self.quantity} x {self.sku}"


class Order(models.Model):
    class Status(models.TextChoices):
        NEW = "new"
        PAID = "paid"
        SHIPPED = "shipped"
        CANCELLED = "cancelled"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    cart = models.ForeignKey(Cart, null=True, blank=True, on_delete=models.SET_NULL)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    coupon_code = models.CharField(max_length=100, blank=True)
    #: The discount the shop charged (``None``: the shop keeps no record of it).
    discount_total = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)

    def __str__(self) -> str:
        return f"order {self.pk} ({self.status})"


class OrderLine(models.Model):
    order = models.ForeignKey(Order, related_name="lines", on_delete=models.CASCADE)
    sku = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    quantity = models.PositiveIntegerField(default=1)
    price = models.DecimalField(max_digits=10, decimal_places=2)

    def __str__(self) -> str:
        return f"{self.quantity} x {self.sku}"


class PlainOrder(models.Model):
    """An order that copies only the lines from its cart: no coupon or referral fields."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    cart = models.ForeignKey(Cart, null=True, blank=True, on_delete=models.SET_NULL)
    paid = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"plain order {self.pk}"


class PlainOrderLine(models.Model):
    order = models.ForeignKey(PlainOrder, related_name="lines", on_delete=models.CASCADE)
    sku = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    quantity = models.PositiveIntegerField(default=1)
    price = models.DecimalField(max_digits=10, decimal_places=2)

    def __str__(self) -> str:
        return f"{self.quantity} x {self.sku}"
