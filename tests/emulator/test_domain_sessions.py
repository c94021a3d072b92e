"""Session handlers called directly: lifecycle, merging, dry runs, response shapes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from talon_one.models.integration_customer_session_response import (
    IntegrationCustomerSessionResponse,
)
from talon_one.models.integration_state_v2 import IntegrationStateV2

from django_talonone.emulator.errors import ApiError
from django_talonone.emulator.handlers import HANDLERS
from django_talonone.emulator.routing import Request
from django_talonone.emulator.state import EmulatorState

ALL_CONTENT = [
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
]


def item(sku: str, price: str, quantity: int = 1, **extra: Any) -> dict[str, Any]:
    return {"name": sku, "sku": sku, "quantity": quantity, "price": Decimal(price), **extra}


def put(
    state: EmulatorState, session_id: str, /, dry: bool = False, content: Any = None, **fields: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {"customerSession": fields}
    if content is not None:
        body["responseContent"] = content
    query = {"dry": "true"} if dry else {}
    request = Request(
        "updateCustomerSessionV2", "PUT", {"customerSessionId": session_id}, query, {}, body
    )
    response = HANDLERS["updateCustomerSessionV2"](state, request)
    assert response.status == 200
    body_out: dict[str, Any] = response.body
    return body_out


def get(state: EmulatorState, session_id: str) -> dict[str, Any]:
    request = Request("getCustomerSession", "GET", {"customerSessionId": session_id}, {}, {})
    body: dict[str, Any] = HANDLERS["getCustomerSession"](state, request).body
    return body


def inventory(state: EmulatorState, profile_id: str) -> dict[str, Any]:
    query = {"profile": "true", "coupons": "true"}
    request = Request("getCustomerInventory", "GET", {"integrationId": profile_id}, query, {})
    body: dict[str, Any] = HANDLERS["getCustomerInventory"](state, request).body
    return body


def of_type(reply: dict[str, Any], effect_type: str) -> list[dict[str, Any]]:
    return [e for e in reply["effects"] if e["effectType"] == effect_type]


def discount(reply: dict[str, Any]) -> Decimal:
    types = ("setDiscount", "setDiscountPerItem")
    return sum(
        (e["props"]["value"] for e in reply["effects"] if e["effectType"] in types), Decimal(0)
    )


@pytest.fixture
def state() -> EmulatorState:
    return EmulatorState()


def test_new_session_has_positions_totals_and_parses_with_the_sdk(state: EmulatorState) -> None:
    reply = put(
        state,
        "s1",
        content=ALL_CONTENT,
        profileId="alice",
        couponCodes=["WELCOME10"],
        cartItems=[item("MUG", "12.50", 2), item("TEA", "4.99")],
        additionalCosts={"shipping": {"price": Decimal("4.90")}},
    )
    session = reply["customerSession"]
    assert [line["position"] for line in session["cartItems"]] == [0, 1]
    assert session["cartItemTotal"] == Decimal("29.99")
    assert session["additionalCostTotal"] == Decimal("4.90")
    assert session["total"] == Decimal("34.89")
    assert (session["id"], session["updateCount"], session["state"]) == (1, 1, "open")
    assert session["created"].endswith("Z")
    assert session["firstSession"] is True
    assert discount(reply) == Decimal("3.49")  # 10% of 34.89, half-up
    parsed = IntegrationStateV2.from_dict(_floats(reply))
    assert parsed is not None
    assert parsed.customer_session is not None
    assert parsed.customer_profile is not None


def _floats(value: Any) -> Any:
    """What a JSON round trip gives the SDK (it rejects Decimal objects)."""
    if isinstance(value, dict):
        return {k: _floats(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_floats(v) for v in value]
    return float(value) if isinstance(value, Decimal) else value


def test_omitted_fields_keep_values_and_empty_values_clear(state: EmulatorState) -> None:
    code = _referral(state, "advocate")
    put(
        state,
        "s1",
        profileId="bob",
        couponCodes=["WELCOME10"],
        referralCode=code,
        cartItems=[item("A", "10")],
        attributes={"x": 1},
    )
    kept = put(state, "s1", content=["customerSession"], attributes={"x": 2})
    session = kept["customerSession"]
    assert (session["profileId"], session["couponCodes"], session["referralCode"]) == (
        "bob",
        ["WELCOME10"],
        code,
    )
    assert len(of_type(kept, "acceptCoupon")) == 1
    assert len(of_type(kept, "acceptReferral")) == 1
    cleared = put(state, "s1", content=["customerSession"], couponCodes=[], referralCode="")
    assert cleared["customerSession"]["couponCodes"] == []
    assert cleared["customerSession"]["referralCode"] == ""
    assert cleared["effects"] == []
    assert cleared["customerSession"]["updateCount"] == 3


def _referral(state: EmulatorState, advocate: str) -> str:
    body = {"campaignId": 2, "advocateProfileIntegrationId": advocate}
    request = Request("createReferral", "POST", {}, {}, {}, body)
    code: str = HANDLERS["createReferral"](state, request).body["code"]
    return code


def test_cart_items_are_replaced_and_read_only_fields_ignored(state: EmulatorState) -> None:
    put(state, "s1", cartItems=[item("A", "1"), item("B", "2")])
    sent = item("C", "3", returnedQuantity=5, position=9, remainingQuantity=7)
    reply = put(state, "s1", content=["customerSession"], cartItems=[sent])
    [line] = reply["customerSession"]["cartItems"]
    assert (line["sku"], line["position"], line["returnedQuantity"]) == ("C", 0, 0)
    assert line["remainingQuantity"] == 1


@pytest.mark.parametrize(
    ("first", "then"),
    [("open", "open"), ("open", "closed"), ("open", "cancelled"), ("closed", "cancelled")],
)
def test_allowed_transitions(state: EmulatorState, first: str, then: str) -> None:
    put(state, "s1", profileId="p", state=first, cartItems=[item("A", "10")])
    reply = put(state, "s1", content=["customerSession"], state=then)
    assert reply["customerSession"]["state"] == then


@pytest.mark.parametrize(
    ("first", "then"),
    [
        (None, "cancelled"),
        (None, "partially_returned"),
        ("open", "partially_returned"),
        ("closed", "open"),
        ("closed", "partially_returned"),
        ("cancelled", "open"),
        ("cancelled", "closed"),
    ],
)
def test_forbidden_transitions_name_both_states(
    state: EmulatorState, first: str | None, then: str
) -> None:
    if first is not None:
        put(state, "s1", state="open", cartItems=[item("A", "10")])
        if first != "open":
            put(state, "s1", state=first)
    with pytest.raises(ApiError) as caught:
        put(state, "s1", state=then)
    assert caught.value.status == 400
    assert then in caught.value.message
    assert caught.value.errors[0]["source"] == {"pointer": "/customerSession/state"}


def test_closed_session_replay_is_idempotent_but_changes_are_refused(
    state: EmulatorState,
) -> None:
    fields = {
        "profileId": "carol",
        "state": "closed",
        "couponCodes": ["WELCOME10"],
        "cartItems": [item("A", "10.00")],
    }
    first = put(state, "s1", **fields)
    again = put(state, "s1", **dict(fields, cartItems=[item("A", "10")]))
    assert again["effects"] == first["effects"]
    profile = inventory(state, "carol")["profile"]
    assert profile["closedSessions"] == 1
    assert inventory(state, "carol")["coupons"][0]["usageCounter"] == 1
    with pytest.raises(ApiError) as caught:
        put(state, "s1", state="closed", cartItems=[item("A", "99")])
    assert caught.value.status == 400
    with pytest.raises(ApiError):
        put(state, "s1", state="cancelled", couponCodes=[])


def test_closing_redeems_and_counts_then_cancelling_rolls_back(state: EmulatorState) -> None:
    put(
        state,
        "s1",
        profileId="dave",
        couponCodes=["WELCOME10"],
        cartItems=[item("A", "100.00")],
        additionalCosts={"ship": {"price": Decimal("5")}},
    )
    assert inventory(state, "dave")["coupons"] == []
    closed = put(state, "s1", state="closed")
    assert discount(closed) == Decimal("15.50")
    wallet = inventory(state, "dave")
    [coupon] = wallet["coupons"]
    assert (coupon["usageCounter"], coupon["profileRedemptionCount"], coupon["state"]) == (
        1,
        1,
        "used",
    )
    assert wallet["profile"]["closedSessions"] == 1
    assert wallet["profile"]["totalSales"] == Decimal("105.00")

    cancelled = put(state, "s1", state="cancelled")
    rollbacks = {(e["effectType"], e["campaignId"]): e["props"] for e in cancelled["effects"]}
    assert rollbacks[("rollbackCoupon", 1)] == {"value": "WELCOME10"}
    assert rollbacks[("rollbackDiscount", 1)]["value"] == Decimal("10.50")
    assert rollbacks[("rollbackDiscount", 3)]["value"] == Decimal("5.00")
    wallet = inventory(state, "dave")
    assert wallet["profile"]["closedSessions"] == 0
    assert wallet["profile"]["totalSales"] == 0
    assert wallet["coupons"][0]["usageCounter"] == 0
    assert get(state, "s1")["effects"] == []


def test_cancelling_an_open_session_rolls_nothing_back(state: EmulatorState) -> None:
    put(state, "s1", profileId="p", couponCodes=["WELCOME10"], cartItems=[item("A", "10")])
    reply = put(state, "s1", state="cancelled")
    assert reply["effects"] == []
    assert inventory(state, "p")["profile"]["closedSessions"] == 0


def test_dry_run_persists_nothing(state: EmulatorState) -> None:
    before = state.to_dict()
    reply = put(
        state,
        "s-dry",
        dry=True,
        content=["customerSession", "event"],
        profileId="new",
        state="closed",
        couponCodes=["WELCOME10"],
        cartItems=[item("A", "50.00")],
    )
    assert discount(reply) == Decimal("5.00")
    assert reply["customerSession"]["state"] == "closed"
    assert state.to_dict() == before


def test_anonymous_session_and_first_session_flag(state: EmulatorState) -> None:
    anonymous = put(state, "s0", content=["customerSession", "customerProfile"], profileId="")
    assert anonymous["customerSession"]["profileId"] == ""
    assert anonymous["customerSession"]["firstSession"] is True
    assert "customerProfile" not in anonymous  # no profile: left out, the schema has no null
    assert state.data["profiles"] == {}
    first = put(state, "s1", content=["customerSession"], profileId="eve")
    second = put(state, "s2", content=["customerSession"], profileId="eve")
    assert first["customerSession"]["firstSession"] is True
    assert second["customerSession"]["firstSession"] is False


def test_get_session_returns_stored_session_and_live_effects(state: EmulatorState) -> None:
    put(state, "s1", couponCodes=["WELCOME10"], cartItems=[item("A", "10")])
    reply = get(state, "s1")
    assert reply["customerSession"]["couponCodes"] == ["WELCOME10"]
    assert [e["effectType"] for e in reply["effects"]] == ["acceptCoupon", "setDiscount"]
    assert IntegrationCustomerSessionResponse.from_dict(_floats(reply)) is not None
    with pytest.raises(ApiError) as caught:
        get(state, "missing")
    assert caught.value.status == 400  # the error GetCustomerSession declares
    assert caught.value.errors[0]["source"] == {"parameter": "customerSessionId"}


def test_response_content_keys_are_added_only_when_asked(state: EmulatorState) -> None:
    bare = put(state, "s1", profileId="p", cartItems=[item("A", "10")])
    assert set(bare) == {"effects", "createdCoupons", "createdReferrals"}
    full = put(state, "s1", content=ALL_CONTENT)
    assert set(ALL_CONTENT) - {"referral"} <= set(full)
    # modelled: a profile that joined no program and won nothing has none of either
    assert (full["loyalty"], full["awardedGiveaways"]) == ({"programs": {}}, [])
    assert full["event"]["type"] == "talon_session_updated"
    assert "referral" not in full  # no referral code in the session: nothing to show


def test_triggered_campaigns_and_rule_failure_reasons(state: EmulatorState) -> None:
    reply = put(
        state,
        "s1",
        content=["triggeredCampaigns", "ruleFailureReasons"],
        couponCodes=["WELCOME10"],
        cartItems=[item("A", "50")],
    )
    assert [c["id"] for c in reply["triggeredCampaigns"]] == [1]
    [failure] = reply["ruleFailureReasons"]
    assert (failure["campaignID"], failure["conditionIndex"]) == (3, 0)
    assert "below 100" in failure["details"]
    assert IntegrationStateV2.from_dict(_floats(reply)) is not None


def test_read_only_item_fields_a_client_sends_are_dropped_not_echoed(
    state: EmulatorState,
) -> None:
    """Today's schemas mark the catalog fields read-only; an echoed ``""`` broke the uuid
    format of ``adjustmentReferenceId`` in the reply."""
    sent = item(
        "MUG",
        "12.50",
        adjustmentReferenceId="",
        catalogItemID=7,
        selectedPriceType="member",
        adjustmentEffectiveFrom="2024-05-01T00:00:00Z",
        prices={"member": {"price": Decimal("9.99")}},
        position=5,
    )
    reply = put(state, "s1", content=["customerSession"], cartItems=[sent])
    [line] = reply["customerSession"]["cartItems"]
    assert line["position"] == 0
    assert not {"adjustmentReferenceId", "catalogItemID", "selectedPriceType", "prices"} & set(line)
    assert "adjustmentEffectiveFrom" not in line
    assert IntegrationStateV2.from_dict(_floats(reply)) is not None
