"""A cart priced with Talon.One's verdict: what the cart page shows and checkout charges.

Talon.One's effects arrive summarised as an ``Evaluation``: per-item discounts keyed by the
line's session position (its index in the adapter's line order, which is also the order
shown here), cart-wide discounts, and a verdict per code. When Talon.One could not be asked
the evaluation says so, and the cart is priced at full price, flagged.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django_talonone.cart import CodeVerdict, Discount, Evaluation
from django_talonone.services import evaluate_cart

from .discounts import ItemisedDiscount
from .models import Cart, CartLine

ZERO = Decimal(0)


@dataclass(frozen=True)
class PricedLine:
    line: CartLine
    position: int
    total: Decimal
    discount: Decimal

    @property
    def net(self) -> Decimal:
        return self.total - self.discount


#: Rejections that depend on who the shopper is: a signed-out shopper is asked to sign in
#: instead (Talon.One cannot tell a friend's referral from someone else's without them).
WHO_YOU_ARE = frozenset(
    {
        "ReferralRecipientDoesNotMatch",
        "ReferralRecipientIdSameAsAdvocate",
        "ReferralCustomerAlreadyReferred",
        "ProfileLimitReached",
        "ProfileRequired",
    }
)


@dataclass(frozen=True)
class CodeStatus:
    """A code the shopper entered; ``verdict`` is ``None`` when it could not be checked.

    ``sign_in_needed``: refused only because the shopper is signed out."""

    code: str
    verdict: CodeVerdict | None
    sign_in_needed: bool = False

    @property
    def accepted(self) -> bool:
        return self.verdict is not None and self.verdict.accepted


@dataclass(frozen=True)
class PricedCart:
    cart: Cart
    lines: tuple[PricedLine, ...]
    evaluation: Evaluation | None
    coupons: tuple[CodeStatus, ...]
    referral: CodeStatus | None

    @property
    def subtotal(self) -> Decimal:
        return sum((line.total for line in self.lines), ZERO)

    @property
    def discount(self) -> Decimal:
        if self.evaluation is None or not self.evaluation.available:
            return ZERO
        return min(self.evaluation.discount_total, self.subtotal)

    @property
    def total(self) -> Decimal:
        return self.subtotal - self.discount

    @property
    def cart_discounts(self) -> tuple[Discount, ...]:
        """Discounts on the whole cart (not tied to a line)."""
        if self.evaluation is None:
            return ()
        return tuple(d for d in self.evaluation.discounts if d.position is None)

    @property
    def itemised_discounts(self) -> tuple[ItemisedDiscount, ...]:
        """The cart-wide discounts, one per promotion, each told apart by what gave it
        (a campaign is matched to the coupon or referral Talon.One accepted for it)."""
        if self.evaluation is None or not self.evaluation.available:
            return ()
        coupons = {v.campaign_id: v.code for v in self.evaluation.coupons if v.accepted}
        referral = self.evaluation.referral
        referral_campaign = referral.campaign_id if referral and referral.accepted else None
        points_campaigns = {change.campaign_id for change in self.evaluation.points.spent}
        itemised: dict[tuple[int | None, str], Decimal] = {}
        for discount in self.cart_discounts:
            key = (discount.campaign_id, discount.name or "Discount")
            itemised[key] = itemised.get(key, ZERO) + discount.amount
        result = []
        for (campaign_id, name), amount in itemised.items():
            if campaign_id is not None and campaign_id in coupons:
                result.append(ItemisedDiscount(name, amount, "coupon", coupons[campaign_id]))
            elif campaign_id is not None and campaign_id == referral_campaign:
                result.append(ItemisedDiscount(name, amount, "referral"))
            elif campaign_id is not None and campaign_id in points_campaigns:
                result.append(ItemisedDiscount(name, amount, "points"))
            else:
                result.append(ItemisedDiscount(name, amount, "promotion"))
        return tuple(result)

    @property
    def points_to_earn(self) -> Decimal:
        """Loyalty points this order earns (pending ones included)."""
        return self.evaluation.points_to_earn if self._evaluated else ZERO

    @property
    def points_spent(self) -> Decimal:
        """Points Talon.One accepted to spend on this cart (their value is a discount)."""
        return self.evaluation.points_spent if self._evaluated else ZERO

    @property
    def points_balance(self) -> Decimal | None:
        """Points the shopper can spend, or ``None`` when Talon.One did not say."""
        return self.evaluation.points_to_spend() if self._evaluated else None

    @property
    def points_refused(self) -> bool:
        """Points were asked for, and Talon.One did not spend them (not enough active)."""
        asked = self.cart.points_to_spend or ZERO
        return self._evaluated and asked > 0 and self.points_spent == 0

    @property
    def _evaluated(self) -> bool:
        return self.evaluation is not None and self.evaluation.available

    @property
    def promotions_available(self) -> bool:
        return self.evaluation is None or self.evaluation.available

    @property
    def accepted_coupons(self) -> tuple[str, ...]:
        return tuple(status.code for status in self.coupons if status.accepted)

    @property
    def accepted_referral(self) -> str:
        return self.referral.code if self.referral and self.referral.accepted else ""


def price_cart(cart: Cart) -> PricedCart:
    """Ask Talon.One (synchronously, failing open) and price every line of ``cart``."""
    lines = list(cart.lines.select_related("product__category").order_by("pk"))
    has_codes = bool(cart.coupon_codes or cart.referral_code or cart.points_to_spend)
    evaluation = evaluate_cart(cart) if lines or has_codes else None
    item_discounts = evaluation.item_discounts if evaluation and evaluation.available else {}
    verdicts = {v.code: v for v in evaluation.coupons} if evaluation else {}
    referral = None
    if cart.referral_code:
        verdict = evaluation.referral if evaluation and evaluation.available else None
        signed_out = cart.user_id is None
        refused_for_who = verdict is not None and verdict.reason in WHO_YOU_ARE
        referral = CodeStatus(cart.referral_code, verdict, signed_out and refused_for_who)
    return PricedCart(
        cart=cart,
        lines=tuple(
            PricedLine(
                line=line,
                position=position,
                total=line.line_total,
                discount=item_discounts.get(position, ZERO),
            )
            for position, line in enumerate(lines)
        ),
        evaluation=evaluation,
        coupons=tuple(CodeStatus(code, verdicts.get(code)) for code in cart.coupon_codes),
        referral=referral,
    )
