"""Profiles, audiences, reservations, inventory, referrals and events, called directly."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from django_talonone.emulator.errors import ApiError
from django_talonone.emulator.handlers import HANDLERS
from django_talonone.emulator.routing import OPERATIONS, Request, Response
from django_talonone.emulator.state import EmulatorState


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now


def call(
    state: EmulatorState,
    operation: str,
    body: Any = None,
    query: dict[str, str] | None = None,
    **path: str,
) -> Response:
    request = Request(operation, "X", path, query or {}, {}, body)
    return HANDLERS[operation](state, request)


def profile(state: EmulatorState, integration_id: str) -> dict[str, Any]:
    reply = call(
        state, "getCustomerInventory", query={"profile": "true"}, integrationId=integration_id
    )
    found: dict[str, Any] = reply.body["profile"]
    return found


def test_every_routed_operation_has_a_handler() -> None:
    assert set(HANDLERS) == {operation.name for operation in OPERATIONS}


def test_profile_update_merges_attributes_and_runs_rules_only_when_asked() -> None:
    state = EmulatorState()
    quiet = call(state, "updateCustomerProfileV2", {"attributes": {"a": 1}}, integrationId="gina")
    assert quiet.body == {"effects": [], "createdCoupons": [], "createdReferrals": []}
    loud = call(
        state,
        "updateCustomerProfileV2",
        {"attributes": {"b": 2}, "responseContent": ["customerProfile", "event"]},
        {"runRuleEngine": "true"},
        integrationId="gina",
    )
    assert loud.body["customerProfile"]["attributes"] == {"a": 1, "b": 2}
    assert loud.body["event"]["type"] == "talon_profile_updated"


def test_dry_profile_update_only_with_the_rule_engine() -> None:
    state = EmulatorState()
    call(
        state,
        "updateCustomerProfileV2",
        {"attributes": {"x": 1}},
        {"runRuleEngine": "true", "dry": "true"},
        integrationId="dry",
    )
    assert "dry" not in state.data["profiles"]
    call(
        state,
        "updateCustomerProfileV2",
        {"attributes": {"x": 1}},
        {"dry": "true"},
        integrationId="kept",
    )
    assert "kept" in state.data["profiles"]


def test_bulk_profiles_silent_and_loud() -> None:
    state = EmulatorState()
    body = {
        "customerProfiles": [{"integrationId": f"b{n}", "attributes": {"n": n}} for n in range(3)]
    }
    assert call(state, "updateCustomerProfilesV2", body).status == 204
    loud = call(state, "updateCustomerProfilesV2", body, {"silent": "no"})
    assert [s["customerProfile"]["integrationId"] for s in loud.body["integrationStates"]] == [
        "b0",
        "b1",
        "b2",
    ]
    assert [s["customerProfile"]["id"] for s in loud.body["integrationStates"]] == [1, 2, 3]


def test_delete_customer_data_wipes_profile_and_session_attributes() -> None:
    state = EmulatorState()
    call(state, "updateCustomerProfileV2", {"attributes": {"Email": "v@x"}}, integrationId="vic")
    session = {
        "customerSession": {
            "profileId": "vic",
            "attributes": {"note": "n"},
            "cartItems": [
                {"name": "A", "sku": "A", "quantity": 1, "price": 1, "attributes": {"gift": "v"}}
            ],
        }
    }
    call(state, "updateCustomerSessionV2", session, customerSessionId="s1")
    assert call(state, "deleteCustomerData", integrationId="vic").status == 204
    assert profile(state, "vic")["attributes"] == {}
    stored = state.data["sessions"]["s1"]
    assert stored["attributes"] == {}
    assert "attributes" not in stored["cartItems"][0]
    with pytest.raises(ApiError) as caught:
        call(state, "deleteCustomerData", integrationId="nobody")
    assert caught.value.status == 404


def test_audience_lifecycle_and_memberships() -> None:
    state = EmulatorState()
    created = call(state, "createAudienceV2", {"name": "VIP", "integrationId": "vip"})
    assert created.status == 201
    audience_id = created.body["id"]
    assert {"accountId", "id", "created", "name"} <= set(created.body)
    call(
        state,
        "updateCustomerProfileAudiences",
        {"data": [{"action": "add", "profileIntegrationId": "ivy", "audienceId": audience_id}]},
    )
    call(state, "updateCustomerProfileV2", {"attributes": {}}, integrationId="ivy")  # visible
    call(
        state,
        "updateCustomerProfileV2",
        {"audiencesChanges": {"adds": [audience_id], "deletes": []}},
        integrationId="jack",
    )
    call(state, "updateAudienceV2", {"name": "Very VIP"}, audienceId=str(audience_id))
    assert profile(state, "ivy")["audienceMemberships"] == [{"id": audience_id, "name": "Very VIP"}]
    call(state, "updateAudienceCustomersAttributes", {"tier": "gold"}, audienceId=str(audience_id))
    assert profile(state, "jack")["attributes"] == {"tier": "gold"}
    call(state, "deleteAudienceMembershipsV2", audienceId=str(audience_id))
    assert profile(state, "ivy")["audienceMemberships"] == []
    call(
        state,
        "updateCustomerProfileAudiences",
        {"data": [{"action": "add", "profileIntegrationId": "ivy", "audienceId": audience_id}]},
    )
    assert call(state, "deleteAudienceV2", audienceId=str(audience_id)).status == 204
    assert profile(state, "ivy")["audienceMemberships"] == []


def test_duplicate_integration_pair_is_409_but_plain_names_may_repeat() -> None:
    state = EmulatorState()
    body = {"name": "S", "integration": "segment", "integrationId": "seg-1"}
    call(state, "createAudienceV2", body)
    with pytest.raises(ApiError) as caught:
        call(state, "createAudienceV2", body)
    assert caught.value.status == 409
    assert caught.value.message == "An Audience with this ID already exists for this integration."
    call(state, "createAudienceV2", dict(body, integration="mparticle"))
    call(state, "createAudienceV2", {"name": "S"})
    call(state, "createAudienceV2", {"name": "S"})


@pytest.mark.parametrize(
    ("operation", "body"),
    [
        ("updateAudienceV2", {"name": "x"}),
        ("deleteAudienceV2", None),
        ("deleteAudienceMembershipsV2", None),
        ("updateAudienceCustomersAttributes", {"a": 1}),
    ],
)
def test_unknown_audience_in_the_path_is_404(operation: str, body: Any) -> None:
    with pytest.raises(ApiError) as caught:
        call(EmulatorState(), operation, body, audienceId="999")
    assert caught.value.status == 404
    assert caught.value.errors[0]["source"] == {"parameter": "audienceId"}


def test_unknown_audience_in_a_body_changes_nothing() -> None:
    state = EmulatorState()
    good = call(state, "createAudienceV2", {"name": "A"}).body["id"]
    entries = [
        {"action": "add", "profileIntegrationId": "x", "audienceId": good},
        {"action": "add", "profileIntegrationId": "x", "audienceId": 999},
    ]
    with pytest.raises(ApiError) as caught:
        call(state, "updateCustomerProfileAudiences", {"data": entries})
    assert caught.value.status == 404
    assert "x" not in state.data["profiles"]
    with pytest.raises(ApiError) as caught:
        call(
            state,
            "updateCustomerProfileV2",
            {"audiencesChanges": {"adds": [999], "deletes": []}},
            integrationId="y",
        )
    assert caught.value.errors[0]["source"] == {"pointer": "/audiencesChanges/adds/0"}


def test_reservations_inventory_and_reserved_customers() -> None:
    state = EmulatorState()
    coupon = call(
        state,
        "createCouponReservation",
        {"integrationIDs": ["kim", "lee"]},
        couponValue="WELCOME10",
    )
    assert coupon.status == 201
    assert (coupon.body["value"], coupon.body["reservationCounter"]) == ("WELCOME10", 2)
    reserved = call(state, "getReservedCustomers", couponValue="WELCOME10").body
    assert [p["integrationId"] for p in reserved["data"]] == ["kim", "lee"]
    wallet = call(state, "getCustomerInventory", query={"coupons": "true"}, integrationId="kim")
    [entry] = wallet.body["coupons"]
    assert (entry["state"], entry["profileRedemptionCount"]) == ("active", 0)
    call(
        state,
        "deleteCouponReservation",
        {"integrationIDs": ["kim", "zed"]},
        couponValue="WELCOME10",
    )
    assert call(state, "getReservedCustomers", couponValue="WELCOME10").body["totalResultSize"] == 1
    for operation in ("createCouponReservation", "deleteCouponReservation", "getReservedCustomers"):
        with pytest.raises(ApiError) as caught:
            call(state, operation, {"integrationIDs": ["kim"]}, couponValue="NOPE")
        assert caught.value.status == 404


@pytest.mark.parametrize(
    ("coupon", "campaign_state", "days_later", "expected"),
    [
        ({"code": "CODE"}, "enabled", 0, "active"),
        ({"code": "CODE", "startDate": "2026-04-01T00:00:00Z"}, "enabled", 0, "pending"),
        ({"code": "CODE", "expiryDate": "2026-03-02T00:00:00Z"}, "enabled", 2, "expired"),
        ({"code": "CODE"}, "disabled", 0, "disabled"),
        ({"code": "CODE", "recipientIntegrationId": "kim"}, "enabled", 0, "active"),
    ],
)
def test_inventory_coupon_states(
    coupon: dict[str, Any], campaign_state: str, days_later: int, expected: str
) -> None:
    clock = Clock()
    campaign = {
        "id": 1,
        "name": "C",
        "state": campaign_state,
        "coupons": [coupon],
        "rules": [{"name": "r", "effects": [{"type": "discount", "name": "d", "amount": 1}]}],
    }
    state = EmulatorState({"campaigns": [campaign]}, clock=clock)
    if "recipientIntegrationId" in coupon:
        call(state, "updateCustomerProfileV2", {}, integrationId="kim")
    else:
        call(state, "createCouponReservation", {"integrationIDs": ["kim"]}, couponValue="CODE")
    clock.now += timedelta(days=days_later)
    wallet = call(state, "getCustomerInventory", query={"coupons": "true"}, integrationId="kim")
    assert [c["state"] for c in wallet.body["coupons"]] == [expected]


def test_inventory_sections_follow_flags_and_unknown_profile_is_404() -> None:
    state = EmulatorState()
    call(state, "updateCustomerProfileV2", {}, integrationId="mia")
    assert (
        call(state, "getCustomerInventory", query={"coupons": "false"}, integrationId="mia").body
        == {}
    )
    flags = dict.fromkeys(("profile", "coupons", "referrals", "loyalty", "giveaways"), "true")
    reply = call(state, "getCustomerInventory", query=flags, integrationId="mia")
    full = reply.body
    assert (full["coupons"], full["referrals"]) == ([], [])
    # Modelled: a profile that joined no program and won nothing has none
    assert (full["loyalty"], full["giveaways"]) == ({"programs": {}}, [])
    assert "X-Emulator-Unmodelled" not in reply.headers
    with pytest.raises(ApiError) as caught:
        call(state, "getCustomerInventory", query=flags, integrationId="nobody")
    assert caught.value.status == 404


def test_referral_codes_are_deterministic_unique_and_follow_patterns() -> None:
    def codes() -> list[str]:
        state = EmulatorState()
        single = call(
            state, "createReferral", {"campaignId": 2, "advocateProfileIntegrationId": "a"}
        )
        assert single.status == 201
        assert single.body["usageCounter"] == 0
        bulk = call(
            state,
            "createReferralsForMultipleAdvocates",
            {
                "campaignId": 2,
                "advocateProfileIntegrationIds": ["b", "c", "d"],
                "usageLimit": 1,
                "referralPattern": "R-##",
                "validCharacters": ["X", "Y"],
            },
            {"silent": "no"},
        )
        assert bulk.status == 201
        assert bulk.body["totalResultSize"] == 3
        return [single.body["code"]] + [r["code"] for r in bulk.body["data"]]

    first = codes()
    assert first == codes()
    assert len(set(first)) == 4
    assert len(first[0]) >= 4
    assert all(c.startswith("R-") and set(c[2:]) <= {"X", "Y"} for c in first[1:])


@pytest.mark.parametrize("campaign_id", [1, 3, 999])
def test_referrals_need_a_referral_campaign(campaign_id: int) -> None:
    for operation, body in (
        ("createReferral", {"advocateProfileIntegrationId": "a"}),
        (
            "createReferralsForMultipleAdvocates",
            {"advocateProfileIntegrationIds": ["a"], "usageLimit": 0},
        ),
    ):
        with pytest.raises(ApiError) as caught:
            call(EmulatorState(), operation, {"campaignId": campaign_id, **body})
        assert caught.value.status == 400
        assert caught.value.errors[0]["source"] == {"pointer": "/campaignId"}


def test_silent_bulk_referrals_still_create_codes() -> None:
    state = EmulatorState()
    reply = call(
        state,
        "createReferralsForMultipleAdvocates",
        {"campaignId": 2, "advocateProfileIntegrationIds": ["a", "b"], "usageLimit": 0},
    )
    assert reply.status == 204
    assert len(state.data["referrals"]) == 2
    inventory = call(state, "getCustomerInventory", query={"referrals": "true"}, integrationId="a")
    [mine] = inventory.body["referrals"]
    assert mine["referredCustomers"] == []


def test_track_event_creates_session_and_profile_and_checks_ownership() -> None:
    state = EmulatorState()
    event = {"type": "signup", "attributes": {"k": "v"}, "sessionId": "e1", "profileId": "rita"}
    reply = call(state, "trackEvent", event)
    assert reply.status == 201
    assert reply.body["session"]["integrationId"] == "e1"
    assert reply.body["profile"]["integrationId"] == "rita"
    assert reply.body["event"]["attributes"] == {"k": "v"}
    assert "rita" in state.data["profiles"]
    with pytest.raises(ApiError) as caught:
        call(state, "trackEvent", dict(event, profileId="tom"))
    assert caught.value.status == 400


def test_track_event_v2_silent_loud_and_dry() -> None:
    state = EmulatorState()
    body = {"profileId": "uma", "type": "review", "responseContent": ["customerProfile", "event"]}
    assert call(state, "trackEventV2", body).status == 204
    loud = call(state, "trackEventV2", body, {"silent": "no"})
    assert loud.body["effects"] == []
    assert loud.body["customerProfile"]["integrationId"] == "uma"
    assert "sessionId" not in loud.body["event"]
    call(state, "trackEventV2", dict(body, profileId="ghost"), {"dry": "true"})
    assert "ghost" not in state.data["profiles"]


def test_a_profile_only_an_audience_add_created_stays_hidden_until_it_is_updated() -> None:
    """Talon.One: such a profile is not visible in any Application until a session or
    profile update arrives for it."""
    state = EmulatorState()
    audience_id = call(state, "createAudienceV2", {"name": "VIP"}).body["id"]
    add = {"data": [{"action": "add", "profileIntegrationId": "ivy", "audienceId": audience_id}]}
    call(state, "updateCustomerProfileAudiences", add)
    for operation in ("getCustomerInventory", "deleteCustomerData"):
        with pytest.raises(ApiError) as hidden:
            call(state, operation, integrationId="ivy")
        assert hidden.value.status == 404
    session = {"customerSession": {"profileId": "ivy", "cartItems": []}}
    call(state, "updateCustomerSessionV2", session, customerSessionId="s-ivy")
    assert profile(state, "ivy")["audienceMemberships"] == [{"id": audience_id, "name": "VIP"}]
    call(state, "updateCustomerProfileAudiences", add)  # a second add hides nothing again
    assert profile(state, "ivy")["integrationId"] == "ivy"
