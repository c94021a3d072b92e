"""What a 2xx reply must look like before anyone may rely on it.

A reply that parses as JSON is not yet a usable reply: an array where the session object
should be, ``"10"`` where a discount amount should be, or an object where the effect list
should be would otherwise read as "no discounts" and be stored as a success. Each operation
declares the part of its documented response the app reads; anything else in a reply is
left alone (Talon.One adds fields, and the client must not break when it does).

A check raises :class:`ReplyMismatch` naming the first field that is wrong; the transport
turns it into :class:`~.errors.TalonOneInvalidReply`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

__all__ = ["REPLY_SHAPES", "ReplyMismatch", "Shape"]

Shape = Callable[[Any], None]


class ReplyMismatch(ValueError):
    """A field of the reply is not what it should be; ``where`` names it.

    The path is collected on the way out (each container adds its key), so a valid reply,
    checked on every call, builds no strings at all.
    """

    def __init__(self, expected: str, value: Any) -> None:
        super().__init__(expected)
        self.expected = expected
        self.got = _kind(value)
        self.path: list[str | int] = []

    @property
    def where(self) -> str:
        text = ""
        for key in reversed(self.path):
            text = f"{text}[{key}]" if isinstance(key, int) else (f"{text}.{key}" if text else key)
        return text or "the reply"

    def __str__(self) -> str:
        return f"{self.where} should be {self.expected}, got {self.got}"


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | Decimal):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def scalar(expected: str, test: Callable[[Any], bool], *, nullable: bool = True) -> Shape:
    """A leaf: ``test`` must hold (``null`` passes when ``nullable``)."""

    def check(value: Any) -> None:
        if value is None and nullable:
            return
        if not test(value):
            raise ReplyMismatch(expected, value)

    return check


def _is_number(value: Any) -> bool:
    return type(value) is int or type(value) is Decimal


NUMBER = scalar("a number", _is_number)
INTEGER = scalar("an integer", lambda v: type(v) is int)
TEXT = scalar("a string", lambda v: type(v) is str)
REQUIRED_NUMBER = scalar("a number", _is_number, nullable=False)
REQUIRED_INTEGER = scalar("an integer", lambda v: type(v) is int, nullable=False)
REQUIRED_TEXT = scalar("a string", lambda v: type(v) is str, nullable=False)


def obj(
    fields: Mapping[str, Shape] | None = None,
    *,
    required: tuple[str, ...] = (),
    nullable: bool = True,
) -> Shape:
    """An object whose ``fields`` (where present) have their shapes."""
    shapes = tuple((fields or {}).items())

    def check(value: Any) -> None:
        if value is None and nullable:
            return
        if type(value) is not dict:
            raise ReplyMismatch("an object", value)
        for name in required:
            if name not in value:
                mismatch = ReplyMismatch("present", None)
                mismatch.path.append(name)
                raise mismatch
        for name, shape in shapes:
            if name in value:
                try:
                    shape(value[name])
                except ReplyMismatch as mismatch:
                    mismatch.path.append(name)
                    raise

    return check


def array(item: Shape | None = None, *, nullable: bool = True) -> Shape:
    """An array whose items (if ``item`` is given) have that shape."""

    def check(value: Any) -> None:
        if value is None and nullable:
            return
        if type(value) is not list:
            raise ReplyMismatch("an array", value)
        if item is not None:
            for index, entry in enumerate(value):
                try:
                    item(entry)
                except ReplyMismatch as mismatch:
                    mismatch.path.append(index)
                    raise

    return check


#: The props the app reads, per effect type; other effect types only need an object.
_AMOUNT = obj({"value": REQUIRED_NUMBER, "position": NUMBER, "subPosition": NUMBER}, nullable=False)
_CODE = obj({"value": REQUIRED_TEXT, "rejectionReason": TEXT}, nullable=False)
_PROPS: dict[str, Shape] = {
    "setDiscount": _AMOUNT,
    "setDiscountPerItem": _AMOUNT,
    "setDiscountPerAdditionalCost": _AMOUNT,
    "rollbackDiscount": obj({"value": REQUIRED_NUMBER, "cartItemPosition": NUMBER}, nullable=False),
    "acceptCoupon": _CODE,
    "rejectCoupon": _CODE,
    "rollbackCoupon": _CODE,
    "acceptReferral": _CODE,
    "rejectReferral": _CODE,
    "addFreeItem": obj({"sku": TEXT, "name": TEXT}),
    "showNotification": obj({"notificationType": TEXT, "title": TEXT, "body": TEXT}),
}
_EFFECT_FIELDS = obj(
    {
        "effectType": REQUIRED_TEXT,
        "campaignId": INTEGER,
        "rulesetId": INTEGER,
        "ruleIndex": INTEGER,
    },
    required=("effectType",),
    nullable=False,
)
_ANY_PROPS = obj()


def _effect(value: Any) -> None:
    _EFFECT_FIELDS(value)
    try:
        _PROPS.get(value["effectType"], _ANY_PROPS)(value.get("props"))
    except ReplyMismatch as mismatch:
        mismatch.path.append("props")
        raise


EFFECTS = array(_effect)
_SESSION = obj({"state": TEXT, "id": INTEGER, "integrationId": TEXT})
_INTEGRATION_STATE = obj(
    {
        "customerSession": _SESSION,
        "customerProfile": obj(),
        "effects": EFFECTS,
        "event": obj({"effects": array()}),
        "coupons": array(),
        "triggeredCampaigns": array(),
        "ruleFailureReasons": array(),
        "createdCoupons": array(),
        "createdReferrals": array(),
        "referral": obj(),
        "loyalty": obj(),
        "awardedGiveaways": array(),
    },
    nullable=False,
)
_OBJECT = obj(nullable=False)
_LISTING = obj({"data": array(obj(nullable=False), nullable=False)}, required=("data",))

#: Operation name → the shape of its 2xx reply body (204 replies are never checked).
REPLY_SHAPES: dict[str, Shape] = {
    "updateCustomerSessionV2": _INTEGRATION_STATE,
    "returnCartItems": _INTEGRATION_STATE,
    "trackEventV2": _INTEGRATION_STATE,
    "updateCustomerProfileV2": _INTEGRATION_STATE,
    "trackEvent": obj({"event": obj({"effects": array()}), "session": obj()}, nullable=False),
    "getCustomerSession": obj({"customerSession": _SESSION, "effects": EFFECTS}, nullable=False),
    "getCustomerInventory": _OBJECT,
    "updateCustomerProfilesV2": obj({"integrationStates": array()}, nullable=False),
    "createAudienceV2": obj({"id": REQUIRED_INTEGER}, required=("id",), nullable=False),
    "updateAudienceV2": obj({"id": INTEGER}, nullable=False),
    "createCouponReservation": _OBJECT,
    "getReservedCustomers": _LISTING,
    "createReferral": obj({"code": REQUIRED_TEXT}, required=("code",), nullable=False),
    "createReferralsForMultipleAdvocates": _LISTING,
}
