"""Request bodies of the customer session operations: update and return.

Cart items need ``name``, ``sku``, ``quantity`` and ``price`` (v4's required set; today's
API relaxes ``name`` and ``price`` for catalog items, which the emulator has no catalog
for). Server-computed cart item fields (``position``, ``returnedQuantity``, catalog price
details …) are accepted so a client may echo back an item it received, and are ignored.

Returned items: ``position`` may be absent and then means 0, because an old SDK dropped a
zero position; today's ``sku`` may identify the item instead. A position is an index
(≥ 0) and a returned quantity is at least 1: anything else cannot name a cart unit.
"""

from __future__ import annotations

from django_talonone.emulator.schemas.common import (
    DATE_TIME,
    FREE_FORM,
    ID_LIST,
    INTEGER,
    MAX_ITEMS,
    NUMBER,
    STRING,
    Schema,
    array,
    integer,
    map_of,
    model,
    one_of_values,
    response_content,
    string,
)

SESSION_STATES = ("open", "closed", "partially_returned", "cancelled")

SESSION_RESPONSE_CONTENT = (
    "customerSession",
    "customerProfile",
    "coupons",
    "triggeredCampaigns",
    "referral",
    "loyalty",
    "event",
    "awardedGiveaways",
    "ruleFailureReasons",
    "previousReturns",
    "campaignEligibility",
)

RETURN_RESPONSE_CONTENT = (
    "customerSession",
    "customerProfile",
    "coupons",
    "triggeredCampaigns",
    "referral",
    "loyalty",
    "event",
    "previousReturns",
)

CODE = string(max_length=100)
"""Coupon and referral codes."""

ADDITIONAL_COSTS: Schema = map_of(
    {"type": "object", "required": ["price"], "properties": {"price": NUMBER}}
)
"""Cost name → ``{"price": …}``; cost names are defined in the Campaign Manager."""

_PRICE_DETAIL = model(
    {
        "price": NUMBER,
        "adjustmentContextId": STRING,
        "adjustmentReferenceId": STRING,
        "adjustmentEffectiveFrom": DATE_TIME,
        "adjustmentEffectiveUntil": DATE_TIME,
    }
)

CART_ITEM: Schema = model(
    {
        "name": string(min_length=1),
        "sku": string(min_length=1),
        "quantity": integer(minimum=1),
        "price": NUMBER,
        "category": STRING,
        "product": model({"name": STRING}, required=["name"]),
        "weight": NUMBER,
        "height": NUMBER,
        "width": NUMBER,
        "length": NUMBER,
        "attributes": FREE_FORM,
        "additionalCosts": ADDITIONAL_COSTS,
        # Computed by the server; accepted and ignored.
        "position": NUMBER,
        "returnedQuantity": INTEGER,
        "remainingQuantity": INTEGER,
        "catalogItemID": INTEGER,
        "selectedPriceType": STRING,
        "adjustmentReferenceId": STRING,
        "adjustmentEffectiveFrom": DATE_TIME,
        "adjustmentEffectiveUntil": DATE_TIME,
        "prices": map_of(_PRICE_DETAIL),
    },
    required=["sku", "quantity"],  # as today's schema: no name or price is needed
)

NEW_CUSTOMER_SESSION: Schema = model(
    {
        "profileId": STRING,
        "storeIntegrationId": string(min_length=1, max_length=1000),
        "evaluableCampaignIds": ID_LIST,
        "couponCodes": array(CODE),
        "referralCode": CODE,
        "loyaltyCards": array(STRING, max_items=1),
        "state": one_of_values(SESSION_STATES),
        "cartItems": array(CART_ITEM, max_items=MAX_ITEMS),
        "additionalCosts": ADDITIONAL_COSTS,
        "identifiers": array(STRING, max_items=5),
        "attributes": FREE_FORM,
        "experimentVariantAllocations": array(
            model(
                {"experimentID": INTEGER, "variantID": INTEGER},
                required=["experimentID", "variantID"],
            )
        ),
    }
)

SESSION_UPDATE: Schema = model(
    {
        "customerSession": NEW_CUSTOMER_SESSION,
        "responseContent": response_content(SESSION_RESPONSE_CONTENT),
    },
    required=["customerSession"],
)

RETURNED_CART_ITEM: Schema = model(
    {
        "position": integer(minimum=0),
        "quantity": integer(minimum=1),
        "sku": string(min_length=1),
    }
)

RETURN_REQUEST: Schema = model(
    {
        "return": model(
            {"returnedCartItems": array(RETURNED_CART_ITEM, max_items=MAX_ITEMS)},
            required=["returnedCartItems"],
        ),
        "responseContent": response_content(RETURN_RESPONSE_CONTENT),
    },
    required=["return"],
)
