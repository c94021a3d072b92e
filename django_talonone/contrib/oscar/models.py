"""What the oscar contrib stores, and the offer proxies oscar loads by class path.

``BasketCoupon`` holds the Talon.One codes typed into oscar's voucher form (they have no
oscar ``Voucher``): coupons, and the referral code when Talon.One knows the code as one.
``TalonOneCondition`` and ``TalonOneBenefit`` are oscar's documented way to add a custom
offer: proxy models whose path is stored in ``proxy_class`` of the site offer this app
creates at migrate time, so oscar's ``Applicator`` applies Talon.One's effects with the
rest of its offers.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from oscar.apps.offer import results
from oscar.core.loading import get_model

from . import offers

Benefit: Any = get_model("offer", "Benefit")
Condition: Any = get_model("offer", "Condition")


class BasketCoupon(models.Model):
    """A Talon.One code on an oscar basket: a coupon (sent in the session's
    ``couponCodes``) or a referral code (its ``referralCode``; a session has one)."""

    COUPON = "coupon"
    REFERRAL = "referral"

    basket = models.ForeignKey(
        "basket.Basket", on_delete=models.CASCADE, related_name="talonone_coupons"
    )
    code = models.CharField(max_length=100)
    kind = models.CharField(
        max_length=8, choices=[(COUPON, "coupon"), (REFERRAL, "referral")], default=COUPON
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["basket", "code"], name="talonone_oscar_coupon_once")
        ]
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.code


class ReturnedEventLine(models.Model):
    """A payment or shipping event's line already returned to Talon.One (never twice)."""

    kind = models.CharField(max_length=16)  # "payment" or "shipping"
    quantity_id = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "quantity_id"], name="talonone_oscar_returned_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.quantity_id}"


class TalonOneCondition(Condition):  # type: ignore[misc]
    """Satisfied when Talon.One gives the basket a discount."""

    name = "Talon.One decides"
    description = "Talon.One decides"

    class Meta:
        proxy = True

    def is_satisfied(self, offer: Any, basket: Any, **kwargs: Any) -> bool:
        return offers.has_discount(basket)

    def is_partially_satisfied(self, offer: Any, basket: Any, **kwargs: Any) -> bool:
        return False


class TalonOneBenefit(Benefit):  # type: ignore[misc]
    """Applies Talon.One's discounts to the basket's lines."""

    name = "Talon.One discounts"
    description = "Talon.One discounts"

    class Meta:
        proxy = True

    def apply(self, basket: Any, condition: Any, offer: Any, **kwargs: Any) -> Any:
        amount = offers.apply_discounts(basket, offer)
        if amount <= 0:
            return results.ZERO_DISCOUNT
        result = results.BasketDiscount(amount)
        result.description = offers.describe(basket)  # shown under the offer in the basket
        return result
