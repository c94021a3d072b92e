"""Request-body validation, operation by operation, driven by tables.

Each bad body is a copy of a valid one with a single change at a JSON pointer, and each
case asserts exactly which pointers come back, so a schema that drifts (a lost required
field, a forgotten limit) fails here.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest

from django_talonone.emulator.errors import ApiError
from django_talonone.emulator.routing import OPERATIONS_BY_NAME, Request
from django_talonone.emulator.validation import validate_request

_DROP = object()

MINIMAL: dict[str, Any] = {
    "createAudienceV2": {"name": "VIP"},
    "updateAudienceV2": {"name": "VIP"},
    "deleteAudienceV2": None,
    "deleteAudienceMembershipsV2": None,
    "updateAudienceCustomersAttributes": {},
    "updateCustomerProfileAudiences": {},
    "createCouponReservation": {"integrationIDs": []},
    "deleteCouponReservation": {"integrationIDs": []},
    "getReservedCustomers": None,
    "createReferral": {"campaignId": 1, "advocateProfileIntegrationId": "ann"},
    "createReferralsForMultipleAdvocates": {
        "campaignId": 1,
        "advocateProfileIntegrationIds": ["ann"],
        "usageLimit": 0,
    },
    "deleteCustomerData": None,
    "getCustomerInventory": None,
    "getCustomerSession": None,
    "updateCustomerSessionV2": {"customerSession": {}},
    "returnCartItems": {"return": {"returnedCartItems": []}},
    "trackEvent": {"type": "signup", "attributes": {}, "sessionId": "s-1"},
    "trackEventV2": {"type": "signup"},
    "updateCustomerProfileV2": {},
    "updateCustomerProfilesV2": {},
}

_CART_ITEM = {
    "name": "Shoe",
    "sku": "SKU-1",
    "quantity": 2,
    "price": Decimal("19.99"),
    "category": "shoes",
    "product": {"name": "Runner"},
    "weight": Decimal("350.5"),
    "height": 10,
    "width": 20,
    "length": Decimal("30.25"),
    "attributes": {"colour": "red", "tags": ["a"], "nested": {"any": None}},
    "additionalCosts": {"giftWrap": {"price": Decimal("2.50")}},
    "position": 0,
    "returnedQuantity": 0,
    "remainingQuantity": 2,
    "catalogItemID": 7,
    "selectedPriceType": "member",
    "adjustmentReferenceId": "6a3b2f4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
    "adjustmentEffectiveFrom": "2024-05-01T00:00:00Z",
    "adjustmentEffectiveUntil": "2024-06-01T00:00:00+02:00",
    "prices": {
        "member": {
            "price": Decimal("17.99"),
            "adjustmentContextId": "ctx",
            "adjustmentReferenceId": "ref",
            "adjustmentEffectiveFrom": "2024-05-01T00:00:00Z",
            "adjustmentEffectiveUntil": "2024-06-01T00:00:00Z",
        }
    },
}

MAXIMAL: dict[str, Any] = {
    "createAudienceV2": {
        "name": "VIP",
        "integration": "segment",
        "integrationId": "seg-1",
        "description": "Our best customers",
        "sandbox": False,
        "subscribedApplicationsIds": [1, 2],
        "createdIn3rdParty": True,
        "lastUpdate": "2024-05-01T12:00:00.5Z",
    },
    "updateAudienceV2": {"name": "VIP", "subscribedApplicationsIds": [3]},
    "updateAudienceCustomersAttributes": {"tier": "gold", "score": Decimal("9.5"), "x": [1]},
    "updateCustomerProfileAudiences": {
        "data": [
            {"action": "add", "profileIntegrationId": "ann", "audienceId": 1},
            {"action": "delete", "profileIntegrationId": "bob", "audienceId": 2},
        ]
    },
    "createCouponReservation": {"integrationIDs": ["ann", "bob"]},
    "deleteCouponReservation": {"integrationIDs": ["ann"]},
    "createReferral": {
        "campaignId": 1,
        "advocateProfileIntegrationId": "ann",
        "friendProfileIntegrationId": "bob",
        "startDate": "2024-05-01T00:00:00Z",
        "expiryDate": "2024-12-31T23:59:59+01:00",
        "usageLimit": 999999,
        "attributes": {"source": "newsletter"},
    },
    "createReferralsForMultipleAdvocates": {
        "campaignId": 1,
        "advocateProfileIntegrationIds": ["ann", "bob"],
        "startDate": "2024-05-01T00:00:00Z",
        "expiryDate": "2024-12-31T00:00:00Z",
        "usageLimit": 5,
        "attributes": {"batch": 3},
        "validCharacters": ["A", "B", "7"],
        "referralPattern": "REF-####",
    },
    "updateCustomerSessionV2": {
        "customerSession": {
            "profileId": "ann",
            "storeIntegrationId": "store-1",
            "evaluableCampaignIds": [1, 2],
            "couponCodes": ["WELCOME10", "C" * 100],
            "referralCode": "R" * 100,
            "loyaltyCards": ["card-1"],
            "state": "closed",
            "cartItems": [_CART_ITEM, {"name": "Hat", "sku": "H", "quantity": 1, "price": 5}],
            "additionalCosts": {"shipping": {"price": Decimal("4.95")}},
            "identifiers": ["10.0.0.1", "a", "b", "c", "d"],
            "attributes": {"channel": "web"},
            "experimentVariantAllocations": [{"experimentID": 1, "variantID": 2}],
        },
        "responseContent": ["customerSession", "customerProfile", "previousReturns"],
    },
    "returnCartItems": {
        "return": {
            "returnedCartItems": [
                {"position": 0, "quantity": 1},
                {"position": 1},
                {"sku": "SKU-1", "quantity": 2},
                {},
            ]
        },
        "responseContent": ["customerSession", "previousReturns", "event"],
    },
    "trackEvent": {
        "profileId": "ann",
        "type": "signup",
        "attributes": {"plan": "pro"},
        "sessionId": "s-1",
    },
    "trackEventV2": {
        "profileId": "ann",
        "storeIntegrationId": "store-1",
        "evaluableCampaignIds": [4],
        "type": "signup",
        "attributes": {"plan": "pro"},
        "responseContent": ["customerProfile", "triggeredCampaigns", "loyalty"],
        "loyaltyCards": ["card-1"],
    },
    "updateCustomerProfileV2": {
        "attributes": {"Name": "Ann", "Birthday": "1990-01-01"},
        "audiencesChanges": {"adds": [1], "deletes": [2, 3]},
        "responseContent": ["customerProfile", "ruleFailureReasons", "campaignEligibility"],
        "evaluableCampaignIds": [9],
    },
    "updateCustomerProfilesV2": {
        "customerProfiles": [
            {"integrationId": "ann", "attributes": {"a": 1}},
            {"integrationId": "b"},
        ]
    },
}

PATH_PARAMS: dict[str, dict[str, str]] = {
    "updateAudienceV2": {"audienceId": "12"},
    "deleteAudienceV2": {"audienceId": "12"},
    "deleteAudienceMembershipsV2": {"audienceId": "12"},
    "updateAudienceCustomersAttributes": {"audienceId": "12"},
}

QUERY: dict[str, dict[str, str]] = {"updateCustomerProfileV2": {"runRuleEngine": "true"}}


def problems(
    operation: str, body: Any, query: dict[str, str] | None = None, *, strict: bool = False
) -> list[Any]:
    """The errors ``validate_request`` reports for this body, ``[]`` when it passes."""
    request = Request(
        operation=operation,
        method=OPERATIONS_BY_NAME[operation].method,
        path_params=PATH_PARAMS.get(operation, {}),
        query=QUERY.get(operation, {}) if query is None else query,
        headers={},
        body=body,
    )
    try:
        validate_request(request, strict=strict)
    except ApiError as error:
        raised = error
    else:
        return []
    assert raised.status == 400
    return raised.errors


def changed(operation: str, pointer: str, value: Any) -> Any:
    """A copy of the operation's maximal body with ``value`` at ``pointer`` (or dropped)."""
    body = copy.deepcopy(MAXIMAL[operation])
    *parents, last = pointer.strip("/").split("/")
    target = body
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    key: Any = int(last) if isinstance(target, list) else last
    if value is _DROP:
        del target[key]
    else:
        target[key] = value
    return body


def sources(errors: list[Any]) -> list[str]:
    return [error["source"]["pointer"] for error in errors]


def test_every_operation_has_cases() -> None:
    assert set(MINIMAL) == set(OPERATIONS_BY_NAME)
    assert set(MAXIMAL) == {name for name, body in MINIMAL.items() if body is not None}


@pytest.mark.parametrize("operation", sorted(MINIMAL))
def test_minimal_body_passes(operation: str) -> None:
    assert problems(operation, MINIMAL[operation]) == []


@pytest.mark.parametrize("operation", sorted(MAXIMAL))
def test_maximal_body_passes(operation: str) -> None:
    assert problems(operation, MAXIMAL[operation]) == []


@pytest.mark.parametrize("operation", sorted(MAXIMAL))
def test_missing_body_is_reported_at_the_root(operation: str) -> None:
    errors = problems(operation, None)
    assert sources(errors) == [""]
    assert "body is required" in errors[0]["title"]


@pytest.mark.parametrize("operation", sorted(name for name in MINIMAL if MINIMAL[name] is None))
def test_operations_without_body_ignore_one(operation: str) -> None:
    assert problems(operation, {"anything": [1, 2]}) == []


@pytest.mark.parametrize(
    ("operation", "pointer"),
    [
        ("createAudienceV2", "/name"),
        ("updateAudienceV2", "/name"),
        ("updateCustomerProfileAudiences", "/data/1/action"),
        ("updateCustomerProfileAudiences", "/data/0/profileIntegrationId"),
        ("updateCustomerProfileAudiences", "/data/0/audienceId"),
        ("createCouponReservation", "/integrationIDs"),
        ("deleteCouponReservation", "/integrationIDs"),
        ("createReferral", "/campaignId"),
        ("createReferral", "/advocateProfileIntegrationId"),
        ("createReferralsForMultipleAdvocates", "/campaignId"),
        ("createReferralsForMultipleAdvocates", "/advocateProfileIntegrationIds"),
        ("createReferralsForMultipleAdvocates", "/usageLimit"),
        ("updateCustomerSessionV2", "/customerSession"),
        ("updateCustomerSessionV2", "/customerSession/cartItems/1/sku"),
        ("updateCustomerSessionV2", "/customerSession/cartItems/0/quantity"),
        ("updateCustomerSessionV2", "/customerSession/cartItems/0/product/name"),
        ("updateCustomerSessionV2", "/customerSession/additionalCosts/shipping/price"),
        ("updateCustomerSessionV2", "/customerSession/cartItems/0/additionalCosts/giftWrap/price"),
        ("updateCustomerSessionV2", "/customerSession/experimentVariantAllocations/0/experimentID"),
        ("updateCustomerSessionV2", "/customerSession/experimentVariantAllocations/0/variantID"),
        ("returnCartItems", "/return"),
        ("returnCartItems", "/return/returnedCartItems"),
        ("trackEvent", "/type"),
        ("trackEvent", "/attributes"),
        ("trackEvent", "/sessionId"),
        ("trackEventV2", "/type"),
        ("updateCustomerProfileV2", "/audiencesChanges/adds"),
        ("updateCustomerProfileV2", "/audiencesChanges/deletes"),
        ("updateCustomerProfilesV2", "/customerProfiles/1/integrationId"),
    ],
)
def test_each_required_field(operation: str, pointer: str) -> None:
    errors = problems(operation, changed(operation, pointer, _DROP))
    assert sources(errors) == [pointer]
    assert errors[0]["title"].endswith(": is required")


@pytest.mark.parametrize(
    ("operation", "pointer", "value"),
    [
        ("createAudienceV2", "/integration", "amplitude"),
        ("updateCustomerProfileAudiences", "/data/0/action", "remove"),
        ("updateCustomerSessionV2", "/customerSession/state", "opened"),
        ("updateCustomerSessionV2", "/customerSession/state", "OPEN"),
        ("updateCustomerSessionV2", "/responseContent/1", "effects"),
        ("returnCartItems", "/responseContent/0", "awardedGiveaways"),
        ("returnCartItems", "/responseContent/0", "campaignEligibility"),
        ("updateCustomerProfileV2", "/responseContent/0", "coupons"),
        ("trackEventV2", "/responseContent/0", "customerSession"),
    ],
)
def test_each_enum(operation: str, pointer: str, value: str) -> None:
    errors = problems(operation, changed(operation, pointer, value))
    assert sources(errors) == [pointer]
    assert "must be one of" in errors[0]["title"]


def _many(count: int, item: Any) -> list[Any]:
    return [copy.deepcopy(item) for _ in range(count)]


_PROFILE_ITEM = {"integrationId": "p"}
_ACTION = {"action": "add", "profileIntegrationId": "p", "audienceId": 1}
_LONG_ID = "i" * 1001

LIMITS = [
    ("updateCustomerSessionV2", "/customerSession/cartItems", _many(1001, _CART_ITEM)),
    ("updateCustomerSessionV2", "/customerSession/couponCodes/1", "C" * 101),
    ("updateCustomerSessionV2", "/customerSession/referralCode", "R" * 101),
    ("updateCustomerSessionV2", "/customerSession/identifiers", list("abcdef")),
    ("updateCustomerSessionV2", "/customerSession/loyaltyCards", ["a", "b"]),
    ("updateCustomerSessionV2", "/customerSession/storeIntegrationId", ""),
    ("updateCustomerSessionV2", "/customerSession/storeIntegrationId", _LONG_ID),
    ("updateCustomerSessionV2", "/customerSession/cartItems/0/name", ""),
    ("updateCustomerSessionV2", "/customerSession/cartItems/0/sku", ""),
    ("updateCustomerSessionV2", "/customerSession/cartItems/1/quantity", 0),
    ("updateCustomerSessionV2", "/customerSession/cartItems/1/quantity", -3),
    ("updateCustomerProfilesV2", "/customerProfiles", _many(1001, _PROFILE_ITEM)),
    ("updateCustomerProfilesV2", "/customerProfiles/0/integrationId", _LONG_ID),
    ("updateCustomerProfileAudiences", "/data", _many(1001, _ACTION)),
    ("updateCustomerProfileAudiences", "/data/1/profileIntegrationId", _LONG_ID),
    ("createCouponReservation", "/integrationIDs", ["p"] * 1001),
    ("deleteCouponReservation", "/integrationIDs", ["p"] * 1001),
    ("createCouponReservation", "/integrationIDs/1", _LONG_ID),
    ("createReferral", "/usageLimit", -1),
    ("createReferral", "/usageLimit", 1000000),
    ("createReferral", "/advocateProfileIntegrationId", _LONG_ID),
    ("createReferralsForMultipleAdvocates", "/usageLimit", 1000000),
    ("createReferralsForMultipleAdvocates", "/advocateProfileIntegrationIds", []),
    ("createReferralsForMultipleAdvocates", "/advocateProfileIntegrationIds", ["a"] * 1001),
    ("createReferralsForMultipleAdvocates", "/referralPattern", "##"),
    ("createReferralsForMultipleAdvocates", "/referralPattern", "#" * 101),
    ("createAudienceV2", "/name", ""),
    ("createAudienceV2", "/integrationId", ""),
    ("createAudienceV2", "/integrationId", _LONG_ID),
    ("createAudienceV2", "/subscribedApplicationsIds", [1, 1]),
    ("updateAudienceV2", "/name", ""),
    ("returnCartItems", "/return/returnedCartItems/0/position", -1),
    ("returnCartItems", "/return/returnedCartItems/0/quantity", 0),
    ("returnCartItems", "/return/returnedCartItems/2/sku", ""),
    ("trackEvent", "/type", ""),
    ("trackEvent", "/sessionId", ""),
    ("trackEventV2", "/type", ""),
    ("trackEventV2", "/loyaltyCards", ["a", "b"]),
    ("trackEventV2", "/storeIntegrationId", ""),
]


@pytest.mark.parametrize(("operation", "pointer", "value"), LIMITS)
def test_each_limit(operation: str, pointer: str, value: Any) -> None:
    assert sources(problems(operation, changed(operation, pointer, value))) == [pointer]


@pytest.mark.parametrize(
    ("operation", "pointer", "value"),
    [
        ("updateCustomerSessionV2", "/customerSession/cartItems", _many(1000, _CART_ITEM)),
        ("updateCustomerProfilesV2", "/customerProfiles", _many(1000, _PROFILE_ITEM)),
        ("updateCustomerProfileAudiences", "/data", _many(1000, _ACTION)),
        ("createCouponReservation", "/integrationIDs", ["p" * 1000] * 1000),
        ("createReferral", "/usageLimit", 0),
        ("createReferralsForMultipleAdvocates", "/referralPattern", "###"),
        ("createReferralsForMultipleAdvocates", "/referralPattern", "#" * 100),
        ("updateCustomerSessionV2", "/customerSession/cartItems/1/quantity", 1),
        ("updateCustomerSessionV2", "/customerSession/profileId", ""),
    ],
)
def test_values_on_the_boundary_pass(operation: str, pointer: str, value: Any) -> None:
    assert problems(operation, changed(operation, pointer, value)) == []


@pytest.mark.parametrize(
    ("operation", "pointer", "value"),
    [
        ("updateCustomerSessionV2", "/customerSession/cartItems/0/price", "19.99"),
        ("updateCustomerSessionV2", "/customerSession/cartItems/0/price", None),
        ("updateCustomerSessionV2", "/customerSession/cartItems/0/price", Decimal("NaN")),
        ("updateCustomerSessionV2", "/customerSession/cartItems/0/price", float("inf")),
        ("updateCustomerSessionV2", "/customerSession/cartItems/0/quantity", Decimal("1.5")),
        ("updateCustomerSessionV2", "/customerSession/cartItems/0/quantity", Decimal("2.0")),
        ("updateCustomerSessionV2", "/customerSession/cartItems/0/quantity", "2"),
        ("updateCustomerSessionV2", "/customerSession/cartItems/0/sku", 123),
        ("updateCustomerSessionV2", "/customerSession/cartItems/0/attributes", []),
        ("updateCustomerSessionV2", "/customerSession/couponCodes", "WELCOME10"),
        ("updateCustomerSessionV2", "/customerSession/couponCodes/0", 10),
        ("updateCustomerSessionV2", "/customerSession/attributes", "x"),
        ("updateCustomerSessionV2", "/customerSession/additionalCosts/shipping", Decimal(5)),
        ("updateCustomerSessionV2", "/customerSession/additionalCosts/shipping/price", "4.95"),
        ("updateCustomerSessionV2", "/customerSession/cartItems", {"0": _CART_ITEM}),
        ("updateCustomerSessionV2", "/customerSession", []),
        ("updateCustomerSessionV2", "/responseContent", "customerSession"),
        ("createReferral", "/campaignId", "1"),
        ("createReferral", "/startDate", "tomorrow"),
        ("createReferral", "/expiryDate", "2024-02-30T00:00:00Z"),
        ("createReferral", "/startDate", 1714521600),
        ("createAudienceV2", "/sandbox", "false"),
        ("createAudienceV2", "/lastUpdate", "2024-05-01"),
        ("updateCustomerProfileAudiences", "/data/0/audienceId", "5"),
        ("updateCustomerProfileV2", "/audiencesChanges/adds/0", "1"),
        ("updateCustomerProfileV2", "/attributes", None),
        ("trackEvent", "/attributes", "plan=pro"),
        ("createCouponReservation", "/integrationIDs/0", 42),
    ],
)
def test_each_wrong_type(operation: str, pointer: str, value: Any) -> None:
    assert sources(problems(operation, changed(operation, pointer, value))) == [pointer]


@pytest.mark.parametrize(
    ("operation", "pointer"),
    [
        ("updateCustomerSessionV2", "/customerSession/cartItems/0/quantity"),
        ("updateCustomerSessionV2", "/customerSession/cartItems/0/price"),
        ("updateCustomerSessionV2", "/customerSession/cartItems/0/weight"),
        ("updateCustomerSessionV2", "/customerSession/additionalCosts/shipping/price"),
        ("createReferral", "/campaignId"),
        ("createReferral", "/usageLimit"),
        ("updateCustomerProfileAudiences", "/data/0/audienceId"),
        ("updateCustomerProfileV2", "/audiencesChanges/adds/0"),
        ("returnCartItems", "/return/returnedCartItems/0/position"),
    ],
)
@pytest.mark.parametrize("flag", [True, False])
def test_booleans_are_not_numbers(operation: str, pointer: str, flag: bool) -> None:
    errors = problems(operation, changed(operation, pointer, flag))
    assert sources(errors) == [pointer]
    assert f"got boolean {str(flag).lower()}" in errors[0]["title"]


@pytest.mark.parametrize(
    ("operation", "pointer", "hint"),
    [
        ("updateCustomerSessionV2", "/customer_session", "customerSession"),
        ("updateCustomerSessionV2", "/customerSession/cartitems", "cartItems"),
        ("updateCustomerSessionV2", "/customerSession/coupon_codes", "couponCodes"),
        ("updateCustomerSessionV2", "/customerSession/cartItems/0/qty", None),
        ("updateCustomerSessionV2", "/customerSession/cartItems/0/product/sku", None),
        ("updateCustomerSessionV2", "/customerSession/cartItems/0/prices/member/amount", None),
        ("updateCustomerSessionV2", "/response_content", "responseContent"),
        ("returnCartItems", "/return/returnedCartItems/0/index", None),
        ("returnCartItems", "/return/returnedItems", "returnedCartItems"),
        ("updateCustomerProfileAudiences", "/data/0/audience_id", "audienceId"),
        ("createAudienceV2", "/Name", "name"),
        ("updateAudienceV2", "/integrationId", None),
        ("createCouponReservation", "/integrationIds", "integrationIDs"),
        ("createReferral", "/usagelimit", "usageLimit"),
        (
            "createReferralsForMultipleAdvocates",
            "/advocateProfileIntegrationId",
            "advocateProfileIntegrationIds",
        ),
        ("trackEvent", "/responseContent", None),
        ("trackEventV2", "/sessionId", None),
        ("updateCustomerProfileV2", "/audiencesChanges/add", "adds"),
        ("updateCustomerProfilesV2", "/customerProfiles/0/profileId", None),
        ("updateCustomerProfilesV2", "/profiles", None),
    ],
)
def test_unknown_properties_are_named_in_strict_mode(
    operation: str, pointer: str, hint: str | None
) -> None:
    assert problems(operation, changed(operation, pointer, "x")) == []  # as Talon.One does
    errors = problems(operation, changed(operation, pointer, "x"), strict=True)
    assert sources(errors) == [pointer]
    title = errors[0]["title"]
    assert "unknown property" in title
    if hint is None:
        assert "did you mean" not in title
    else:
        assert f"did you mean {hint!r}?" in title


@pytest.mark.parametrize(
    ("operation", "pointer"),
    [
        ("updateCustomerSessionV2", "/customerSession/attributes/anyName"),
        ("updateCustomerSessionV2", "/customerSession/cartItems/0/attributes/any_name"),
        ("updateCustomerSessionV2", "/customerSession/additionalCosts/anyCost"),
        ("updateCustomerSessionV2", "/customerSession/additionalCosts/shipping/currency"),
        ("updateCustomerSessionV2", "/customerSession/cartItems/0/prices/anyPriceType"),
        ("updateAudienceCustomersAttributes", "/whatever_key"),
        ("createReferral", "/attributes/free"),
        ("updateCustomerProfileV2", "/attributes/free"),
        ("trackEventV2", "/attributes/free"),
    ],
)
def test_free_form_objects_stay_open(operation: str, pointer: str) -> None:
    value = {"price": 1} if pointer.endswith(("anyCost", "anyPriceType")) else {"deep": [1]}
    assert problems(operation, changed(operation, pointer, value)) == []


def test_position_of_a_returned_item_may_be_absent() -> None:
    body = {"return": {"returnedCartItems": [{"quantity": 1}]}}
    assert problems("returnCartItems", body) == []


def test_response_content_needs_the_rule_engine() -> None:
    body = {"attributes": {}, "responseContent": ["customerProfile"]}
    assert sources(problems("updateCustomerProfileV2", body, {})) == ["/responseContent"]
    query = {"runRuleEngine": "false"}
    assert sources(problems("updateCustomerProfileV2", body, query)) == ["/responseContent"]
    assert problems("updateCustomerProfileV2", {"attributes": {}}, {}) == []


@pytest.mark.parametrize("body", [[], "text", 3, True])
def test_body_of_the_wrong_json_type(body: Any) -> None:
    errors = problems("updateCustomerSessionV2", body)
    assert sources(errors) == [""]
    assert errors[0]["title"].startswith("body: must be an object, got ")


def test_attributes_body_must_be_an_object() -> None:
    assert sources(problems("updateAudienceCustomersAttributes", ["tier"])) == [""]


def test_a_cart_item_needs_only_its_sku_and_quantity() -> None:
    """Today's schema: name and price are optional (a line without a price counts as 0)."""
    body = {"customerSession": {"cartItems": [{"sku": "MUG", "quantity": 2}]}}
    assert problems("updateCustomerSessionV2", body) == []
    body = {"customerSession": {"cartItems": [{"name": "Mug", "price": 1}]}}
    assert sources(problems("updateCustomerSessionV2", body)) == [
        "/customerSession/cartItems/0/quantity",
        "/customerSession/cartItems/0/sku",
    ]
