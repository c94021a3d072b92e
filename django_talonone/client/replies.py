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

Shape = Callable[[Any, str], None]


class ReplyMismatch(ValueError):
    """``where`` in the reply is not ``expected``."""

    def __init__(self, where: str, expected: str, value: Any) -> None:
        self.where = where or "the reply"
        super().__init__(f"{self.where} should be {expected}, got {_kind(value)}")


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


def _at(where: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{where}[{key}]"
    return f"{where}.{key}" if where else key


def scalar(expected: str, test: Callable[[Any], bool], *, nullable: bool = True) -> Shape:
    """A leaf: ``test`` must hold (``null`` passes when ``nullable``)."""

    def check(value: Any, where: str) -> None:
        if value is None and nullable:
            return
        if not test(value):
            raise ReplyMismatch(where, expected, value)

    return check


def _is_number(value: Any) -> bool:
    return isinstance(value, int | Decimal) and not isinstance(value, bool)


NUMBER = scalar("a number", _is_number)
INTEGER = scalar("an integer", lambda v: isinstance(v, int) and not isinstance(v, bool))
TEXT = scalar("a string", lambda v: isinstance(v, str))
REQUIRED_NUMBER = scalar("a number", _is_number, nullable=False)
REQUIRED_INTEGER = scalar(
    "an integer", lambda v: isinstance(v, int) and not isinstance(v, bool), nullable=False
)
REQUIRED_TEXT = scalar("a string", lambda v: isinstance(v, str), nullable=False)


def obj(
    fields: Mapping[str, Shape] | None = None,
    *,
    required: tuple[str, ...] = (),
    nullable: bool = True,
) -> Shape:
    """An object whose ``fields`` (where present) have their shapes."""
    shapes = dict(fields or {})

    def check(value: Any, where: str) -> None:
        if value is None and nullable:
            return
        if not isinstance(value, dict):
            raise ReplyMismatch(where, "an object", value)
        for name in required:
            if name not in value:
                raise ReplyMismatch(_at(where, name), "present", None)
        for name, shape in shapes.items():
            if name in value:
                shape(value[name], _at(where, name))

    return check


def array(item: Shape | None = None, *, nullable: bool = True) -> Shape:
    """An array whose items (if ``item`` is given) have that shape."""

    def check(value: Any, where: str) -> None:
        if value is None and nullable:
            return
        if not isinstance(value, list):
            raise ReplyMismatch(where, "an array", value)
        if item is not None:
            for index, entry in enumerate(value):
                item(entry, _at(where, index))

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


def _effect(value: Any, where: str) -> None:
    _EFFECT_FIELDS(value, where)
    _PROPS.get(value["effectType"], _ANY_PROPS)(value.get("props"), _at(where, "props"))


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
