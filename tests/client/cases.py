"""The 20 operations as data: one call each and what it must put on the wire.

Shared by the wire-format tests and the retry-policy table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django_talonone.client import TalonOneClient

CET = dt.timezone(dt.timedelta(hours=1))
SESSION = {"customerSession": {"profileId": "p1", "cartItems": [{"price": Decimal("9.90")}]}}


@dataclass
class Case:
    """One operation call and what must go on the wire for it."""

    operation: str
    call: Callable[[TalonOneClient], Any]
    method: str
    target: str
    body: bytes | None = None
    status: int = 200
    reply: Any = field(default_factory=lambda: {"ok": True})
    headers: dict[str, str] = field(default_factory=dict)


CASES = [
    Case(
        "createAudienceV2",
        lambda c: c.create_audience_v2({"name": "VIP", "integrationId": "a-1"}),
        "POST",
        "/v2/audiences",
        b'{"name":"VIP","integrationId":"a-1"}',
        201,
        reply={"id": 7, "name": "VIP", "integrationId": "a-1"},
    ),
    Case(
        "createCouponReservation",
        lambda c: c.create_coupon_reservation(
            "SUMMER25%OFF", {"integrationIDs": ["p1"]}, idempotency_key="res-1"
        ),
        "POST",
        "/v1/coupon_reservations/SUMMER25%25OFF",
        b'{"integrationIDs":["p1"]}',
        headers={"Idempotency-Key": "res-1"},
    ),
    Case(
        "createReferral",
        lambda c: c.create_referral({"campaignId": 3, "advocateProfileIntegrationId": "p1"}),
        "POST",
        "/v1/referrals",
        b'{"campaignId":3,"advocateProfileIntegrationId":"p1"}',
        201,
        reply={"id": 1, "code": "REF-1234", "campaignId": 3},
    ),
    Case(
        "createReferralsForMultipleAdvocates",
        lambda c: c.create_referrals_for_multiple_advocates(
            {"campaignId": 3, "usageLimit": 1, "advocateProfileIntegrationIds": ["a", "b"]},
            silent=False,
        ),
        "POST",
        "/v1/referrals_for_multiple_advocates?silent=no",
        b'{"campaignId":3,"usageLimit":1,"advocateProfileIntegrationIds":["a","b"]}',
        201,
        reply={"totalResultSize": 1, "data": [{"id": 1, "code": "REF-1234"}]},
    ),
    Case(
        "deleteAudienceMembershipsV2",
        lambda c: c.delete_audience_memberships_v2(42),
        "DELETE",
        "/v2/audiences/42/memberships",
        status=204,
        reply=None,
    ),
    Case(
        "deleteAudienceV2",
        lambda c: c.delete_audience_v2(42),
        "DELETE",
        "/v2/audiences/42",
        status=204,
        reply=None,
    ),
    Case(
        "deleteCouponReservation",
        lambda c: c.delete_coupon_reservation("A B/C", {"integrationIDs": ["p1"]}),
        "DELETE",
        "/v1/coupon_reservations/A%20B%2FC",
        b'{"integrationIDs":["p1"]}',
        204,
        None,
    ),
    Case(
        "deleteCustomerData",
        lambda c: c.delete_customer_data("user@example.com"),
        "DELETE",
        "/v1/customer_data/user%40example.com",
        status=204,
        reply=None,
    ),
    Case(
        "getCustomerInventory",
        lambda c: c.get_customer_inventory(
            "p1",
            profile=True,
            referrals=False,
            coupons=True,
            loyalty=True,
            giveaways=False,
            loyalty_projection_end_date=dt.datetime(2025, 3, 1, 12, 30, tzinfo=CET),
        ),
        "GET",
        "/v1/customer_profiles/p1/inventory?profile=true&referrals=false&coupons=true"
        "&loyalty=true&giveaways=false&loyaltyProjectionEndDate=2025-03-01T12%3A30%3A00%2B01%3A00",
    ),
    Case(
        "getCustomerSession",
        lambda c: c.get_customer_session("s 1"),
        "GET",
        "/v2/customer_sessions/s%201",
        reply={"customerSession": {"integrationId": "s 1", "state": "open"}},
    ),
    Case(
        "getReservedCustomers",
        lambda c: c.get_reserved_customers("SUMMER25%OFF"),
        "GET",
        "/v1/coupon_reservations/customerprofiles/SUMMER25%25OFF",
        reply={"totalResultSize": 0, "data": []},
    ),
    Case(
        "returnCartItems",
        lambda c: c.return_cart_items(
            "order-1",
            {"return": {"returnedCartItems": [{"position": 0, "quantity": 1}]}},
            dry=True,
            idempotency_key="refund-7",
        ),
        "POST",
        "/v2/customer_sessions/order-1/returns?dry=true",
        b'{"return":{"returnedCartItems":[{"position":0,"quantity":1}]}}',
        headers={"Idempotency-Key": "refund-7"},
    ),
    Case(
        "trackEvent",
        lambda c: c.track_event({"type": "review", "attributes": {}, "sessionId": "e1"}, dry=False),
        "POST",
        "/v1/events?dry=false",
        b'{"type":"review","attributes":{},"sessionId":"e1"}',
        201,
    ),
    Case(
        "trackEventV2",
        lambda c: c.track_event_v2(
            {"profileId": "p1", "type": "review"},
            silent="no",
            dry=True,
            force_complete_evaluation=True,
        ),
        "POST",
        "/v2/events?silent=no&dry=true&forceCompleteEvaluation=true",
        b'{"profileId":"p1","type":"review"}',
    ),
    Case(
        "updateAudienceCustomersAttributes",
        lambda c: c.update_audience_customers_attributes(7, {"tier": "gold"}),
        "PUT",
        "/v2/audience_customers/7/attributes",
        b'{"tier":"gold"}',
        204,
        None,
    ),
    Case(
        "updateAudienceV2",
        lambda c: c.update_audience_v2(7, {"name": "Gold"}),
        "PUT",
        "/v2/audiences/7",
        b'{"name":"Gold"}',
    ),
    Case(
        "updateCustomerProfileAudiences",
        lambda c: c.update_customer_profile_audiences(
            {"data": [{"action": "add", "profileIntegrationId": "p1", "audienceId": 7}]}
        ),
        "POST",
        "/v2/customer_audiences",
        b'{"data":[{"action":"add","profileIntegrationId":"p1","audienceId":7}]}',
        204,
        None,
    ),
    Case(
        "updateCustomerProfileV2",
        lambda c: c.update_customer_profile_v2(
            "p/1", {"attributes": {"Name": "Ada"}}, run_rule_engine=True, dry=False
        ),
        "PUT",
        "/v2/customer_profiles/p%2F1?runRuleEngine=true&dry=false",
        b'{"attributes":{"Name":"Ada"}}',
    ),
    Case(
        "updateCustomerProfilesV2",
        lambda c: c.update_customer_profiles_v2(
            {"customerProfiles": [{"integrationId": "p1"}]}, silent=True
        ),
        "PUT",
        "/v2/customer_profiles?silent=yes",
        b'{"customerProfiles":[{"integrationId":"p1"}]}',
        204,
        None,
    ),
    Case(
        "updateCustomerSessionV2",
        lambda c: c.update_customer_session_v2("s-1", SESSION),
        "PUT",
        "/v2/customer_sessions/s-1",
        b'{"customerSession":{"profileId":"p1","cartItems":[{"price":9.90}]}}',
    ),
]

CASES_BY_OPERATION = {case.operation: case for case in CASES}
