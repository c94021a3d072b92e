"""Oscar's basket, order and user as Talon.One sessions and profiles.

Prices (tax-inclusive or not, as ``OSCAR_OFFERS_INCL_TAX`` says) come from oscar's pricing
strategy: the basket's own (set by oscar's ``BasketMiddleware``) in a request, and
``Selector().strategy(user=owner)`` where there is no request (a worker building an
order's close), as oscar documents. The SKU is the stock
record's ``partner_sku``. Lines of quantity 0, or without a price, are not sent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.crypto import salted_hmac
from oscar.core.loading import get_class, get_model

from django_talonone.cart import CartAdapter, CustomerAdapter, LineItem, OrderAdapter
from django_talonone.conf import get_settings

Selector: Any = get_class("partner.strategy", "Selector")

_GUEST_SALT = "django_talonone.contrib.oscar.guest"

#: The class paths oscar loads the site offer's condition and benefit from.
CONDITION_CLASS = "django_talonone.contrib.oscar.models.TalonOneCondition"
BENEFIT_CLASS = "django_talonone.contrib.oscar.models.TalonOneBenefit"


def offers_incl_tax() -> bool:
    """Oscar's ``OSCAR_OFFERS_INCL_TAX``: whether its offers discount tax-inclusive prices.

    Talon.One is sent the same prices, so its amounts are discounts of what oscar discounts.
    """
    return bool(getattr(settings, "OSCAR_OFFERS_INCL_TAX", False))


def _price_field() -> str:
    return "unit_price_incl_tax" if offers_incl_tax() else "unit_price_excl_tax"


def _price(line: Any) -> Decimal | None:
    value = getattr(line, _price_field())
    return None if value is None else Decimal(value)


def unit_price(line: Any) -> Decimal:
    """A priced line's unit price, as Talon.One sees it (see :func:`priced_lines`)."""
    price = _price(line)
    return Decimal(0) if price is None else price


def ensure_strategy(basket: Any) -> None:
    """Give a basket loaded outside a request the strategy oscar would give its owner."""
    if not basket.has_strategy:
        basket.strategy = Selector().strategy(user=basket.owner)


def priced_lines(basket: Any) -> list[Any]:
    """The basket lines Talon.One sees, in order: their index is the session position."""
    ensure_strategy(basket)
    return [line for line in basket.all_lines() if line.quantity > 0 and _price(line) is not None]


def guest_profile_id(email: str) -> str:
    """A stable guest profile id that does not reveal the e-mail (keyed by SECRET_KEY)."""
    digest = salted_hmac(_GUEST_SALT, email.strip().lower(), secret=settings.SECRET_KEY)
    return f"guest-{digest.hexdigest()[:32]}"


class OscarBasketAdapter(CartAdapter):
    """An oscar basket: lines priced by its strategy, codes from its Talon.One coupons."""

    user_attribute = "owner"

    def get_items(self, basket: Any) -> Sequence[LineItem]:
        items = []
        for line in priced_lines(basket):
            price = _price(line)
            assert price is not None  # priced_lines keeps priced lines only
            items.append(
                LineItem(
                    sku=line.stockrecord.partner_sku,
                    name=line.product.get_title(),
                    quantity=line.quantity,
                    price=price,
                    key=line.pk,
                )
            )
        return items

    def get_coupon_codes(self, basket: Any) -> Sequence[str] | None:
        return [row.code for row in basket_codes(basket) if row.kind == "coupon"]

    def get_referral_code(self, basket: Any) -> str | None:
        """The newest referral code typed into the basket ("" for none: a removed one
        leaves the session too)."""
        referrals = [row.code for row in basket_codes(basket) if row.kind == "referral"]
        return referrals[-1] if referrals else ""


class OscarOrderAdapter(OrderAdapter):
    """An oscar order: placed once it exists, cancelled in ``CANCELLED_STATUSES``."""

    line_parent = "order"
    cart_attribute = "basket"

    def get_lines(self, order: Any) -> Any:
        return order.lines.order_by("pk")

    def line_to_item(self, line: Any) -> LineItem:
        return LineItem(
            sku=line.partner_sku or line.upc or str(line.product_id),
            name=line.title,
            quantity=line.quantity,
            price=Decimal(getattr(line, _price_field())),
            key=line.pk,
        )

    def is_placed(self, order: Any) -> bool:
        return order.pk is not None

    def is_cancelled(self, order: Any) -> bool:
        return order.status in get_settings().oscar.cancelled_statuses

    def get_guest_id(self, order: Any) -> str:
        email = getattr(order, "guest_email", "") or ""
        return guest_profile_id(email) if email else ""

    def get_charged_discount(self, order: Any) -> Decimal | None:
        """What the Talon.One offer took off the basket (oscar's own vouchers and offers,
        and shipping discounts, are not Talon.One's)."""
        offers = get_model("offer", "ConditionalOffer")._default_manager.filter(
            benefit__proxy_class=BENEFIT_CLASS
        )
        ours = order.basket_discounts.filter(offer_id__in=offers.values("pk"))
        return sum((Decimal(d.amount) for d in ours), Decimal(0))


class OscarCustomerAdapter(CustomerAdapter):
    """Oscar's customers are Django users; the profile id is ``PROFILE_ID_FUNCTION``'s and
    the attributes are ``TALONONE["OSCAR"]["PROFILE_ATTRIBUTES"]``'s."""

    def get_attributes(self, customer: Any) -> Mapping[str, Any]:
        attributes = {}
        for attribute, source in get_settings().oscar.profile_attributes.items():
            value = getattr(customer, source)
            attributes[attribute] = value() if callable(value) else value
        return attributes


def basket_codes(basket: Any) -> list[Any]:
    """The basket's Talon.One code rows, oldest first (none for an unsaved basket)."""
    return [] if basket.pk is None else list(basket.talonone_coupons.all())


def line_total(line: Any) -> Decimal:
    """What the basket line costs before discounts, in the prices Talon.One is sent."""
    price = _price(line)
    return Decimal(0) if price is None else price * line.quantity
