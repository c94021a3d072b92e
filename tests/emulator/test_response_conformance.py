"""Every emulator response validates against Talon.One's published response schemas.

``data/response_schemas.json`` is derived from Talon.One's 2026 OpenAPI files by
``tools/derive_response_schemas.py`` (types, required fields, formats and bounds only), so
this suite stands alone. Each of the 19 operations is driven through its success and each
error its documentation declares; every reply must validate against the schema declared
for its operation and status, and no status may come back that the operation does not
declare.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests
import simplejson
from jsonschema import Draft202012Validator, FormatChecker

from django_talonone.emulator import Emulator

SCHEMAS: dict[str, dict[str, Any]] = json.loads(
    (Path(__file__).parent / "data" / "response_schemas.json").read_text(encoding="utf-8")
)
API_KEY = "conformance-api-key"
MANAGEMENT_KEY = "conformance-management-key"

#: Statuses the files do not declare for an operation, but the real service answers with
#: (see docs/emulator.md, "Statuses beyond the specification").
UNDECLARED: set[tuple[str, str]] = set()

#: Declared statuses the documentation gives no trigger for, so the emulator never sends.
NEVER_SENT = {("getReservedCustomers", "400")}

#: Where the files and Talon.One's official SDK disagree, the emulator follows the SDK
#: (what the real service sends, as far as the sources tell; docs/emulator.md):
#: ``event.effects`` items are effect objects, not the arrays the files declare.
SDK_OVER_SPEC = ("event/effects/",)

CART = {
    "customerSession": {
        "profileId": "ann",
        "couponCodes": ["WELCOME10"],
        "cartItems": [
            {"name": "Mug", "sku": "MUG", "quantity": 2, "price": 12.5},
            {"name": "Tea", "sku": "TEA", "quantity": 1, "price": 4.5},
        ],
        "additionalCosts": {"shipping": {"price": 4.9}},
    },
    "responseContent": [
        "customerSession",
        "customerProfile",
        "coupons",
        "triggeredCampaigns",
        "referral",
        "ruleFailureReasons",
        "awardedGiveaways",
    ],
}


class Exchange:
    """Sends raw requests to one emulator and checks each reply against the schemas."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.session = emulator.session()
        self.seen: set[tuple[str, str]] = set()
        self.problems: list[str] = []

    def call(
        self,
        operation: str,
        method: str,
        path: str,
        body: Any = None,
        *,
        expect: int,
        auth: str | None = "api",
    ) -> Any:
        headers: dict[str, str] = {}
        if auth == "api":
            headers["Authorization"] = f"ApiKey-v1 {API_KEY}"
        elif auth == "management":
            headers["Authorization"] = f"ManagementKey-v1 {MANAGEMENT_KEY}"
        data = None
        if body is not None:
            data = simplejson.dumps(body, use_decimal=True).encode()
            headers["Content-Type"] = "application/json"
        reply = self.session.request(
            method, self.emulator.base_url + path, headers=headers, data=data, timeout=5
        )
        assert reply.status_code == expect, (operation, reply.status_code, reply.text[:300])
        self.check(operation, reply)
        return reply.json() if reply.content else None

    def check(self, operation: str, reply: requests.Response) -> None:
        status = str(reply.status_code)
        self.seen.add((operation, status))
        declared = SCHEMAS[operation]
        if status not in declared:
            if (operation, status) not in UNDECLARED:
                self.problems.append(f"{operation} {status}: status not declared")
            return
        schema = declared[status]
        if status == "204":  # no content, whatever schema the files attach to it
            if reply.content:
                self.problems.append(f"{operation} 204: a body")
            return
        if schema is None:
            if reply.content:
                self.problems.append(f"{operation} {status}: body where none is declared")
            return
        validator = Draft202012Validator(schema, format_checker=FormatChecker())
        for error in sorted(validator.iter_errors(reply.json()), key=str)[:20]:
            where = "/".join(str(part) for part in error.absolute_path) or "(root)"
            if any(where.startswith(prefix) for prefix in SDK_OVER_SPEC):
                continue
            self.problems.append(f"{operation} {status} at {where}: {error.message[:200]}")


@pytest.fixture
def exchange() -> Exchange:
    return Exchange(Emulator(api_key=API_KEY, management_key=MANAGEMENT_KEY))


def _sessions(x: Exchange) -> None:
    op = "updateCustomerSessionV2"
    x.call(op, "PUT", "/v2/customer_sessions/s-1", CART, expect=200)
    x.call(op, "PUT", "/v2/customer_sessions/s-1?dry=true", CART, expect=200)
    x.call(op, "PUT", "/v2/customer_sessions/s-1", {"customerSession": []}, expect=400)
    x.call(op, "PUT", "/v2/customer_sessions/s-1", CART, expect=401, auth=None)
    x.emulator.set_faults(error_rates={409: 1.0}, operations=[op])
    x.call(op, "PUT", "/v2/customer_sessions/s-1", CART, expect=409)
    x.emulator.clear_faults()
    closing = {"customerSession": {**CART["customerSession"], "state": "closed"}}
    x.call(op, "PUT", "/v2/customer_sessions/s-1", {**CART, **closing}, expect=200)
    get = "getCustomerSession"
    x.call(get, "GET", "/v2/customer_sessions/s-1", expect=200)
    x.call(get, "GET", "/v2/customer_sessions/s-1", expect=401, auth=None)
    x.call(get, "GET", "/v2/customer_sessions/unknown", expect=400)
    returns = "returnCartItems"
    item = {"returnedCartItems": [{"position": 0, "quantity": 2}]}
    # what a return may ask for: the session update's sections, less two, plus its own
    shared = [
        c for c in CART["responseContent"] if c not in ("ruleFailureReasons", "awardedGiveaways")
    ]
    body = {"return": item, "responseContent": [*shared, "event", "previousReturns"]}
    x.call(returns, "POST", "/v2/customer_sessions/s-1/returns", body, expect=200)
    x.call(returns, "POST", "/v2/customer_sessions/s-1/returns", {"return": {}}, expect=400)
    x.call(returns, "POST", "/v2/customer_sessions/s-1/returns", body, expect=401, auth=None)
    x.call(returns, "POST", "/v2/customer_sessions/nope/returns", body, expect=400)


def _profiles_and_events(x: Exchange) -> None:
    op = "updateCustomerProfileV2"
    body = {
        "attributes": {"Name": "Ann"},
        "responseContent": ["customerProfile", "triggeredCampaigns"],
    }
    x.call(op, "PUT", "/v2/customer_profiles/ann?runRuleEngine=true", body, expect=200)
    x.call(op, "PUT", "/v2/customer_profiles/ann", {"attributes": []}, expect=400)
    x.call(op, "PUT", "/v2/customer_profiles/ann", {}, expect=401, auth=None)
    x.emulator.set_faults(error_rates={409: 1.0}, operations=[op])
    x.call(op, "PUT", "/v2/customer_profiles/ann", {}, expect=409)
    x.emulator.clear_faults()
    many = "updateCustomerProfilesV2"
    batch = {"customerProfiles": [{"integrationId": "bob", "attributes": {"Name": "Bob"}}]}
    x.call(many, "PUT", "/v2/customer_profiles?silent=no", batch, expect=200)
    x.call(many, "PUT", "/v2/customer_profiles", batch, expect=204)
    x.call(many, "PUT", "/v2/customer_profiles", {"customerProfiles": {}}, expect=400)
    x.call(many, "PUT", "/v2/customer_profiles", batch, expect=401, auth=None)
    event = "trackEventV2"
    tracked = {"profileId": "ann", "type": "viewed_page", "attributes": {}}
    x.call(event, "POST", "/v2/events?silent=no", tracked, expect=200)
    x.call(event, "POST", "/v2/events?silent=yes", tracked, expect=204)
    x.call(event, "POST", "/v2/events", {"type": 1}, expect=400)
    x.call(event, "POST", "/v2/events", tracked, expect=401, auth=None)
    x.emulator.set_faults(error_rates={409: 1.0}, operations=[event])
    x.call(event, "POST", "/v2/events", tracked, expect=409)
    x.emulator.clear_faults()
    inventory = "getCustomerInventory"
    query = (
        "?profile=true&referrals=true&coupons=true&loyalty=true&giveaways=true&achievements=true"
    )
    x.call(inventory, "GET", f"/v1/customer_profiles/ann/inventory{query}", expect=200)
    x.call(inventory, "GET", "/v1/customer_profiles/ann/inventory", expect=401, auth=None)
    x.call(inventory, "GET", "/v1/customer_profiles/nobody/inventory", expect=404)
    erase = "deleteCustomerData"
    x.call(erase, "DELETE", "/v1/customer_data/bob", expect=204)
    x.call(erase, "DELETE", "/v1/customer_data/bob", expect=401, auth=None)
    x.call(erase, "DELETE", "/v1/customer_data/nobody", expect=404)


REWARDS = {
    "loyaltyPrograms": [
        {
            "id": 7,
            "name": "points",
            "expiryDays": 30,
            "tiers": [{"name": "Silver", "minPoints": 10}],
        }
    ],
    "giveawayPools": [{"id": 4, "name": "Gifts", "codes": ["GIFT-1", "GIFT-2"]}],
    "campaigns": [
        {
            "id": 1,
            "name": "Rewards",
            "achievements": [{"id": 9, "name": "FiveOrders", "title": "Five", "target": 5}],
            "rules": [
                {
                    "name": "Rewards for every order",
                    "effects": [
                        {"type": "addLoyaltyPoints", "programId": 7, "name": "A", "points": 20},
                        {
                            "type": "addLoyaltyPointsPerItem",
                            "programId": 7,
                            "name": "B",
                            "points": 1,
                        },
                        {"type": "awardGiveaway", "poolId": 4},
                        {"type": "increaseAchievementProgress", "achievementId": 9},
                    ],
                }
            ],
        },
        {
            "id": 2,
            "name": "Spend points",
            "rules": [
                {
                    "name": "Points as a discount",
                    "effects": [
                        {
                            "type": "redeemLoyaltyPoints",
                            "programId": 7,
                            "name": "Points",
                            "attribute": "points",
                            "pointValue": 0.1,
                        }
                    ],
                }
            ],
        },
    ],
}
ALL_SESSION_CONTENT = [*CART["responseContent"], "loyalty", "event", "previousReturns"]


def _rewards(x: Exchange) -> None:
    """Points earned, spent and rolled back, a tier, a giveaway, achievement progress."""
    x.emulator.state.configure(REWARDS)
    op = "updateCustomerSessionV2"
    first = {**CART["customerSession"], "couponCodes": []}
    body = {"customerSession": first, "responseContent": ALL_SESSION_CONTENT}
    x.call(op, "PUT", "/v2/customer_sessions/r-1", body, expect=200)
    closing = {"customerSession": {**first, "state": "closed"}}
    x.call(op, "PUT", "/v2/customer_sessions/r-1", {**body, **closing}, expect=200)
    spending = {**first, "attributes": {"points": 15}, "state": "closed"}
    spent = x.call(
        op, "PUT", "/v2/customer_sessions/r-2", {**body, "customerSession": spending}, expect=200
    )
    kinds = {effect["effectType"] for effect in spent["effects"]}
    assert {"deductLoyaltyPoints", "awardGiveaway", "increaseAchievementProgress"} <= kinds
    returns = "returnCartItems"
    shared = [c for c in ALL_SESSION_CONTENT if c not in ("ruleFailureReasons", "awardedGiveaways")]
    give_back = {"return": {"returnedCartItems": [{"position": 1}]}, "responseContent": shared}
    x.call(returns, "POST", "/v2/customer_sessions/r-2/returns", give_back, expect=200)
    cancelling = {**body, "customerSession": {**spending, "state": "cancelled"}}
    cancelled = x.call(op, "PUT", "/v2/customer_sessions/r-2", cancelling, expect=200)
    kinds = {effect["effectType"] for effect in cancelled["effects"]}
    assert {"rollbackAddedLoyaltyPoints", "rollbackDeductedLoyaltyPoints"} <= kinds
    profile = {"attributes": {}, "responseContent": ["loyalty", "awardedGiveaways"]}
    x.call(
        "updateCustomerProfileV2",
        "PUT",
        "/v2/customer_profiles/ann?runRuleEngine=true",
        profile,
        expect=200,
    )
    query = "?profile=true&coupons=true&loyalty=true&giveaways=true&achievements=true"
    wallet = x.call(
        "getCustomerInventory", "GET", f"/v1/customer_profiles/ann/inventory{query}", expect=200
    )
    assert wallet["loyalty"]["programs"]["points"]["ledger"]["currentTier"]["name"] == "Silver"
    assert [g["code"] for g in wallet["giveaways"]] == ["GIFT-1", "GIFT-2"]
    assert wallet["achievements"][0]["progress"] == 1


def _audiences(x: Exchange) -> None:
    create = "createAudienceV2"
    audience = x.call(
        create, "POST", "/v2/audiences", {"name": "VIP", "integrationId": "vip"}, expect=201
    )
    x.call(create, "POST", "/v2/audiences", {"name": "Again", "integrationId": "vip"}, expect=409)
    x.call(create, "POST", "/v2/audiences", {"name": 1}, expect=400)
    x.call(create, "POST", "/v2/audiences", {"name": "X"}, expect=401, auth=None)
    aid = audience["id"]
    update = "updateAudienceV2"
    x.call(update, "PUT", f"/v2/audiences/{aid}", {"name": "VIPs"}, expect=200)
    x.call(update, "PUT", f"/v2/audiences/{aid}", {"name": "VIPs"}, expect=401, auth=None)
    x.call(update, "PUT", "/v2/audiences/999999", {"name": "VIPs"}, expect=404)
    members = "updateCustomerProfileAudiences"
    change = {"data": [{"audienceId": aid, "profileIntegrationId": "ann", "action": "add"}]}
    x.call(members, "POST", "/v2/customer_audiences", change, expect=204)
    x.call(members, "POST", "/v2/customer_audiences", {"data": {}}, expect=400)
    x.call(members, "POST", "/v2/customer_audiences", change, expect=401, auth=None)
    missing = {"data": [{"audienceId": 999999, "profileIntegrationId": "ann", "action": "add"}]}
    x.call(members, "POST", "/v2/customer_audiences", missing, expect=404)
    attributes = "updateAudienceCustomersAttributes"
    path = f"/v2/audience_customers/{aid}/attributes"
    x.call(attributes, "PUT", path, {"Tier": "gold"}, expect=204)
    x.call(attributes, "PUT", path, {"Tier": "gold"}, expect=401, auth=None)
    x.call(attributes, "PUT", "/v2/audience_customers/999999/attributes", {}, expect=404)
    wipe = "deleteAudienceMembershipsV2"
    path = f"/v2/audiences/{aid}/memberships"
    x.call(wipe, "DELETE", path, expect=204, auth="management")
    x.call(wipe, "DELETE", path, expect=401, auth=None)
    x.call(wipe, "DELETE", "/v2/audiences/999999/memberships", expect=404, auth="management")
    delete = "deleteAudienceV2"
    x.call(delete, "DELETE", f"/v2/audiences/{aid}", expect=204, auth="management")
    x.call(delete, "DELETE", "/v2/audiences/abc", expect=400, auth="management")
    x.call(delete, "DELETE", f"/v2/audiences/{aid}", expect=401, auth=None)
    x.call(delete, "DELETE", f"/v2/audiences/{aid}", expect=404, auth="management")


def _coupons_and_referrals(x: Exchange) -> None:
    reserve = "createCouponReservation"
    ids = {"integrationIDs": ["ann"]}
    x.call(reserve, "POST", "/v1/coupon_reservations/WELCOME10", ids, expect=201)
    x.call(
        reserve, "POST", "/v1/coupon_reservations/WELCOME10", {"integrationIDs": "a"}, expect=400
    )
    x.call(reserve, "POST", "/v1/coupon_reservations/WELCOME10", ids, expect=401, auth=None)
    x.call(reserve, "POST", "/v1/coupon_reservations/NO-SUCH-CODE", ids, expect=404)
    reserved = "getReservedCustomers"
    path = "/v1/coupon_reservations/customerprofiles/WELCOME10"
    x.call(reserved, "GET", path, expect=200)
    x.call(reserved, "GET", path, expect=401, auth=None)
    x.call(reserved, "GET", "/v1/coupon_reservations/customerprofiles/NO-SUCH-CODE", expect=404)
    release = "deleteCouponReservation"
    x.call(release, "DELETE", "/v1/coupon_reservations/WELCOME10", ids, expect=204)
    x.call(
        release, "DELETE", "/v1/coupon_reservations/WELCOME10", {"integrationIDs": 1}, expect=400
    )
    x.call(release, "DELETE", "/v1/coupon_reservations/WELCOME10", ids, expect=401, auth=None)
    x.call(release, "DELETE", "/v1/coupon_reservations/NO-SUCH-CODE", ids, expect=404)
    referral = "createReferral"
    body = {"campaignId": 2, "advocateProfileIntegrationId": "ann"}
    x.call(referral, "POST", "/v1/referrals", body, expect=201)
    x.call(referral, "POST", "/v1/referrals", {"campaignId": "two"}, expect=400)
    x.call(referral, "POST", "/v1/referrals", body, expect=401, auth=None)
    bulk = "createReferralsForMultipleAdvocates"
    many = {"campaignId": 2, "advocateProfileIntegrationIds": ["ann", "bob"], "usageLimit": 1}
    x.call(bulk, "POST", "/v1/referrals_for_multiple_advocates?silent=no", many, expect=201)
    x.call(bulk, "POST", "/v1/referrals_for_multiple_advocates", many, expect=204)
    x.call(bulk, "POST", "/v1/referrals_for_multiple_advocates", {"campaignId": 2}, expect=400)
    x.call(bulk, "POST", "/v1/referrals_for_multiple_advocates", many, expect=401, auth=None)


CREATING = {
    "webhooks": [{"id": 3, "name": "Order closed"}],
    "campaigns": [
        {
            "id": 1,
            "name": "Thank you",
            "rules": [
                {
                    "name": "A coupon and a webhook",
                    "effects": [
                        {"type": "createCoupon", "campaignId": 5, "expiryDays": 30},
                        {"type": "triggerWebhook", "webhookId": 3},
                    ],
                }
            ],
        },
        {
            "id": 5,
            "name": "Thank-you coupons",
            "kind": "coupon",
            "rules": [
                {"name": "5 off", "effects": [{"type": "discount", "name": "T", "amount": 5}]}
            ],
        },
    ],
}


def _created_coupons_and_webhooks(x: Exchange) -> None:
    """A close creating a coupon (``createdCoupons``, the wallet) and firing a webhook."""
    x.emulator.state.configure(CREATING)
    op = "updateCustomerSessionV2"
    session = {**CART["customerSession"], "couponCodes": [], "state": "closed"}
    body = {"customerSession": session, "responseContent": ALL_SESSION_CONTENT}
    closed = x.call(op, "PUT", "/v2/customer_sessions/c-1", body, expect=200)
    kinds = {effect["effectType"] for effect in closed["effects"]}
    assert {"couponCreated", "triggerWebhook"} <= kinds
    [coupon] = closed["createdCoupons"]
    again = {**session, "couponCodes": [coupon["value"]]}
    body = {"customerSession": again, "responseContent": ALL_SESSION_CONTENT}
    x.call(op, "PUT", "/v2/customer_sessions/c-2", body, expect=200)
    query = "?coupons=true"
    wallet = x.call(
        "getCustomerInventory", "GET", f"/v1/customer_profiles/ann/inventory{query}", expect=200
    )
    assert coupon["value"] in [c["value"] for c in wallet["coupons"]]


DRIVES = (
    _sessions,
    _profiles_and_events,
    _audiences,
    _coupons_and_referrals,
    _rewards,
    _created_coupons_and_webhooks,
)


@pytest.mark.parametrize("drive", DRIVES)
def test_every_response_validates(exchange: Exchange, drive: Any) -> None:
    drive(exchange)
    assert exchange.problems == [], "\n".join(exchange.problems)


def test_every_operation_and_declared_status_is_exercised() -> None:
    x = Exchange(Emulator(api_key=API_KEY, management_key=MANAGEMENT_KEY))
    for drive in DRIVES:
        drive(x)
    declared = {(op, status) for op, statuses in SCHEMAS.items() for status in statuses}
    assert declared - x.seen == NEVER_SENT
    assert len(SCHEMAS) == 19
