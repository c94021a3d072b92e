"""Adapters: how a shop's cart, order and customer objects become Talon.One payloads.

A shop subclasses :class:`CartAdapter`, :class:`OrderAdapter` or :class:`CustomerAdapter`
and overrides only what differs from the defaults (lines read from ``line_model`` rows with
``sku``/``name``/``quantity``/``price`` attributes, the profile from ``obj.user``, coupon
codes from ``coupon_code``/``coupon_codes``). Payloads are validated here (with
:mod:`.payload_checks`), before any call or outbox write, so bad shop data fails loudly in
the shop's own code with the field named, instead of as a 400 from Talon.One minutes
later in a worker.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from django.db import models

from django_talonone.conf import get_settings

from .payload_checks import (
    MAX_AMOUNT,
    MAX_CART_ITEMS,
    MAX_CODE_LENGTH,
    MAX_ID_LENGTH,
    MAX_IDENTIFIERS,
    MAX_QUANTITY,
    InvalidPayload,
    _attributes,
    _money,
    _text,
    _with_points,
    check_sendable,
    validate_attributes,
    validate_id,
    validate_points,
)

__all__ = [
    "MAX_AMOUNT",
    "MAX_CART_ITEMS",
    "MAX_CODE_LENGTH",
    "MAX_IDENTIFIERS",
    "MAX_ID_LENGTH",
    "MAX_QUANTITY",
    "CartAdapter",
    "CustomerAdapter",
    "InvalidPayload",
    "LineItem",
    "OrderAdapter",
    "SessionAdapter",
    "check_sendable",
    "validate_attributes",
    "validate_id",
    "validate_points",
]


@dataclass(frozen=True)
class LineItem:
    """One cart line as Talon.One sees it; its index in the list is its session position.

    ``key`` identifies the shop's line (by default its primary key) so a refund of that
    line can be mapped back to its position.
    """

    sku: str
    quantity: int
    price: Decimal
    name: str = ""
    category: str = ""
    attributes: Mapping[str, Any] = field(default_factory=dict)
    key: Any = None


class SessionAdapter:
    """What carts and orders share: both are sent as a customer session snapshot."""

    #: The model holding the lines, and the name of its foreign key to the cart/order.
    line_model: ClassVar[type[models.Model] | None] = None
    line_parent: ClassVar[str] = ""
    #: Attribute holding the shop user (``None`` or anonymous → guest id).
    user_attribute: ClassVar[str] = "user"

    def get_user(self, obj: Any) -> Any:
        return getattr(obj, self.user_attribute, None)

    def get_profile_id(self, obj: Any) -> str:
        """The Talon.One profile: ``PROFILE_ID_FUNCTION(user)``, or the guest id."""
        user = self.get_user(obj)
        if user is None or not getattr(user, "is_authenticated", True) or user.pk is None:
            return self.get_guest_id(obj)
        return get_settings().profile_id_for(user)

    def get_guest_id(self, obj: Any) -> str:
        """Profile of an anonymous shopper; ``""`` makes an anonymous session.

        Talon.One recommends a stable guest id (e.g. a hash of the checkout e-mail) so
        per-customer limits still apply to guests: override this to provide one.
        """
        return ""

    def get_lines(self, obj: Any) -> Iterable[Any]:
        """The line rows, in a stable order (their order is their session position)."""
        if self.line_model is None or not self.line_parent:
            raise NotImplementedError(
                f"{type(self).__name__} needs line_model and line_parent, or get_items()."
            )
        lines: Iterable[Any] = self.line_model._default_manager.filter(
            **{self.line_parent: obj}
        ).order_by("pk")
        return lines

    def line_to_item(self, line: Any) -> LineItem:
        def read(name: str, default: Any = None) -> Any:
            value = getattr(line, name, default)
            if value is None:
                raise InvalidPayload(
                    f"{type(line).__name__}.{name}",
                    f"missing; override {type(self).__name__}.line_to_item() to map your lines",
                )
            return value

        return LineItem(
            sku=read("sku"),
            name=read("name", ""),
            quantity=read("quantity"),
            price=read("price"),
            category=getattr(line, "category", "") or "",
            key=line.pk,
        )

    def get_items(self, obj: Any) -> Sequence[LineItem]:
        return [self.line_to_item(line) for line in self.get_lines(obj)]

    def get_coupon_codes(self, obj: Any) -> Sequence[str] | None:
        """The codes to send; ``None`` leaves out ``couponCodes`` (Talon.One keeps its own)."""
        codes = getattr(obj, "coupon_codes", None)
        if codes is None:
            single = getattr(obj, "coupon_code", "")
            codes = [single] if single else []
        return list(codes)

    def get_referral_code(self, obj: Any) -> str | None:
        """The referral code to send; ``None`` leaves out ``referralCode``."""
        return str(getattr(obj, "referral_code", "") or "")

    def get_attributes(self, obj: Any) -> Mapping[str, Any]:
        """Session attributes; each must first be defined in the Campaign Manager."""
        return {}

    def get_additional_costs(self, obj: Any) -> Mapping[str, Decimal]:
        """Costs such as ``{"shipping": Decimal("4.95")}``, defined in the Campaign Manager."""
        return {}

    def get_currency(self, obj: Any) -> str | None:
        """The currency ``obj`` is priced in (ISO 4217), which routes its session to the
        Application of that currency; ``None`` (the default without a ``currency``
        attribute): the default Application. See ``TALONONE['APPLICATION_ROUTER']``."""
        currency = getattr(obj, "currency", None)
        return currency if isinstance(currency, str) and currency else None

    def get_identifiers(self, obj: Any) -> Sequence[str]:
        """Identifiers for per-device/IP limits (at most five)."""
        return []

    def get_points_to_spend(self, obj: Any) -> Decimal | None:
        """Loyalty points the shopper asks to spend (``obj.points_to_spend``); ``None``
        sends no request. Sent as ``TALONONE['LOYALTY_POINTS_ATTRIBUTE']``."""
        value: Decimal | None = getattr(obj, "points_to_spend", None)
        return value

    def build_session(self, obj: Any, *, state: str = "open") -> dict[str, Any]:
        """The validated ``UpdateCustomerSessionV2`` body: a full snapshot of ``obj``.

        Every field is sent (``couponCodes: []`` and ``referralCode: ""`` included) so the
        stored session matches the shop exactly, whatever was sent before, except the codes
        when :meth:`get_coupon_codes` / :meth:`get_referral_code` answer ``None``: Talon.One
        then keeps the codes the session already holds (an empty list would discard them).
        """
        profile_id = _text("profile_id", self.get_profile_id(obj), MAX_ID_LENGTH, empty=True)
        items = list(self.get_items(obj))
        if len(items) > MAX_CART_ITEMS:
            raise InvalidPayload(
                "items", f"{len(items)} lines; Talon.One accepts at most {MAX_CART_ITEMS}"
            )
        codes = _codes(self.get_coupon_codes(obj))
        referral = self.get_referral_code(obj)
        identifiers = [
            _text(f"identifiers[{n}]", value, MAX_ID_LENGTH)
            for n, value in enumerate(self.get_identifiers(obj))
        ]
        if len(identifiers) > MAX_IDENTIFIERS:
            raise InvalidPayload("identifiers", f"at most {MAX_IDENTIFIERS} are allowed")
        costs = {
            _text("additional_costs", name, MAX_ID_LENGTH): {
                "price": _money(f"additional_costs[{name!r}]", price)
            }
            for name, price in self.get_additional_costs(obj).items()
        }
        session: dict[str, Any] = {
            "profileId": profile_id,
            "state": state,
            "cartItems": [_cart_item(index, item) for index, item in enumerate(items)],
            "attributes": _with_points(
                _attributes("attributes", self.get_attributes(obj)), self.get_points_to_spend(obj)
            ),
            "additionalCosts": costs,
            "identifiers": identifiers,
        }
        if codes is not None:
            session["couponCodes"] = codes
        if referral is not None:
            session["referralCode"] = _text("referral_code", referral, MAX_CODE_LENGTH, empty=True)
        return {"customerSession": session, "responseContent": ["customerSession"]}


class CartAdapter(SessionAdapter):
    """Maps a shop cart to an open customer session."""

    def set_points_to_spend(self, cart: Any, points: Decimal) -> None:
        """Store the points the shopper asks to spend on the cart (``request_points``).

        The default sets the cart's ``points_to_spend`` field and saves only it, which
        sends the changed cart to Talon.One like any other change.
        """
        if not hasattr(cart, "points_to_spend"):
            raise InvalidPayload(
                "points_to_spend",
                f"{type(cart).__name__} has no points_to_spend field; add one "
                f"(a DecimalField) or override {type(self).__name__}.set_points_to_spend()",
            )
        cart.points_to_spend = points
        cart.save(update_fields=["points_to_spend"])


class OrderAdapter(SessionAdapter):
    """Maps an order to its session's close, cancel and returns.

    Say when an order counts as placed or cancelled either with ``status_field`` plus
    ``placed_values``/``cancelled_values`` or by overriding :meth:`is_placed` and
    :meth:`is_cancelled`. ``cart_attribute`` names the order's link to the cart it came
    from, so placing the order closes the very session the cart was evaluated in.
    """

    status_field: ClassVar[str] = ""
    placed_values: ClassVar[Sequence[Any]] = ()
    cancelled_values: ClassVar[Sequence[Any]] = ()
    cart_attribute: ClassVar[str] = ""

    def is_placed(self, order: Any) -> bool:
        return bool(self.status_field) and getattr(order, self.status_field) in self.placed_values

    def is_cancelled(self, order: Any) -> bool:
        return (
            bool(self.status_field) and getattr(order, self.status_field) in self.cancelled_values
        )

    def get_coupon_codes(self, order: Any) -> Sequence[str] | None:
        """The codes the order says it used, or ``None`` when the order does not say.

        An order with a ``coupon_codes`` or ``coupon_code`` attribute says (an empty value
        closes without codes); one without either keeps the codes of the session its cart
        was evaluated in, so an order that copies only its lines still redeems the cart's
        coupon.
        """
        codes = getattr(order, "coupon_codes", None)
        if codes is not None:
            return list(codes)
        if not hasattr(order, "coupon_code"):
            return None
        single = order.coupon_code
        return [single] if single else []

    def get_referral_code(self, order: Any) -> str | None:
        """The order's ``referral_code``, or ``None`` (keep the session's) without one."""
        if not hasattr(order, "referral_code"):
            return None
        return str(order.referral_code or "")

    def get_charged_discount(self, order: Any) -> Decimal | None:
        """The discount the shop took off this order when charging it, or ``None``.

        ``Decimal(0)`` when it charged full price. The app compares it with the discounts
        Talon.One records when the order's session closes, and flags a difference (a cart
        page that showed "promotions unavailable" charges full price, while the close may
        still apply automatic discounts and count campaign budgets). The default reads the
        order's ``discount_total`` attribute; an order without one (or ``None``) is not
        compared.
        """
        value = getattr(order, "discount_total", None)
        return None if value is None else _money("discount_total", value)

    def get_points_to_spend(self, order: Any) -> Decimal | None:
        """The order's ``points_to_spend``; an order without one spends its cart's."""
        if hasattr(order, "points_to_spend"):
            value: Decimal | None = order.points_to_spend
            return value
        cart = self.get_cart(order)
        return None if cart is None else getattr(cart, "points_to_spend", None)

    def get_cart(self, order: Any) -> Any:
        """The cart the order was placed from, or ``None``."""
        return getattr(order, self.cart_attribute, None) if self.cart_attribute else None

    def get_line_key(self, line: Any) -> Any:
        """The key :meth:`line_to_item` gives this line (default: its primary key)."""
        return line.pk


class CustomerAdapter:
    """Maps a shop customer (usually the auth user) to a Talon.One profile."""

    #: Saves that change only these fields are not sent (a login is not a profile change).
    ignored_fields: ClassVar[Sequence[str]] = ("last_login",)

    def get_profile_id(self, customer: Any) -> str:
        return get_settings().profile_id_for(customer)

    def get_attributes(self, customer: Any) -> Mapping[str, Any]:
        """Profile attributes; each must first be defined in the Campaign Manager."""
        return {}

    def build_profile(self, customer: Any) -> tuple[str, dict[str, Any]]:
        """``(profile id, validated UpdateCustomerProfileV2 body)``."""
        profile_id = validate_id("profile_id", self.get_profile_id(customer))
        return profile_id, {"attributes": _attributes("attributes", self.get_attributes(customer))}


def _codes(given: Iterable[Any] | None) -> list[str] | None:
    if given is None:
        return None
    codes: list[str] = []
    for index, code in enumerate(given):
        code = _text(f"coupon_codes[{index}]", code, MAX_CODE_LENGTH)
        if code not in codes:
            codes.append(code)
    return codes


def _cart_item(index: int, item: Any) -> dict[str, Any]:
    where = f"items[{index}]"
    if not isinstance(item, LineItem):
        raise InvalidPayload(where, f"must be a LineItem, got {type(item).__name__}")
    sku = _text(f"{where}.sku", item.sku, MAX_ID_LENGTH)
    quantity = item.quantity
    if (
        isinstance(quantity, bool)
        or not isinstance(quantity, int)
        or not 1 <= quantity <= MAX_QUANTITY
    ):
        raise InvalidPayload(
            f"{where}.quantity", f"must be an integer from 1 to {MAX_QUANTITY}, got {quantity!r}"
        )
    line: dict[str, Any] = {
        "sku": sku,
        "name": _text(f"{where}.name", item.name or sku, MAX_ID_LENGTH),
        "quantity": quantity,
        "price": _money(f"{where}.price", item.price),
    }
    if item.category:
        line["category"] = _text(f"{where}.category", item.category, MAX_ID_LENGTH)
    if item.attributes:
        line["attributes"] = _attributes(f"{where}.attributes", item.attributes)
    return line
