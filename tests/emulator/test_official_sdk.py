"""Talon.One's official Python SDK (``talon_one``) against the emulator over real HTTP.

The SDK validates every reply against today's models (required fields, types, enums), so
these round trips prove the emulator's responses are what a real integration, written
against the vendor's own client, can parse: every operation the emulator serves is
called once at least, and the parsed models are checked for the values sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone

import pytest

talon_one = pytest.importorskip("talon_one")

from talon_one import models  # noqa: E402

from django_talonone.emulator import Emulator  # noqa: E402

from .sdk_client import sdk_for  # noqa: E402

API_KEY = "sdk-round-trip-key"
COUPON = "WELCOME10"
REFERRAL_CAMPAIGN = 2


@pytest.fixture
def api() -> Iterator[talon_one.IntegrationApi]:
    """An ``IntegrationApi`` configured as the vendor documents, aimed at a fresh emulator."""
    with sdk_for(Emulator(api_key=API_KEY), API_KEY) as api:
        yield api


def _items() -> list[models.CartItem]:
    return [
        models.CartItem(name="Shoe", sku="SHOE-1", quantity=2, price=40.0, category="shoes"),
        models.CartItem(name="Shirt", sku="SHIRT-1", quantity=1, price=25.5),
        models.CartItem(
            name="Cap", sku="CAP-1", quantity=3, price=10, attributes={"colour": "red"}
        ),
    ]


SESSION_CONTENT = [
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


def _open_session(
    api: talon_one.IntegrationApi, session_id: str, state: str = "open"
) -> models.IntegrationStateV2:
    request = models.IntegrationRequest(
        customer_session=models.NewCustomerSessionV2(
            profile_id="ann",
            coupon_codes=[COUPON],
            state=state,
            cart_items=_items(),
            additional_costs={"shipping": models.AdditionalCost(price=4.95)},
            identifiers=["10.0.0.1"],
            attributes={"channel": "web"},
        ),
        response_content=SESSION_CONTENT,
    )
    return api.update_customer_session_v2(session_id, request)


def test_update_and_get_customer_session(api: talon_one.IntegrationApi) -> None:
    state = _open_session(api, "s-1")

    session = state.customer_session
    assert session is not None
    assert session.integration_id == "s-1"
    assert session.profile_id == "ann"
    assert session.state == "open"
    assert session.coupon_codes == [COUPON]
    assert [item.sku for item in session.cart_items] == ["SHOE-1", "SHIRT-1", "CAP-1"]
    assert [item.position for item in session.cart_items] == [0, 1, 2]
    assert session.cart_item_total == pytest.approx(135.5)
    assert session.additional_cost_total == pytest.approx(4.95)
    assert session.total == pytest.approx(140.45)
    assert state.customer_profile is not None
    assert state.customer_profile.integration_id == "ann"
    assert [coupon.value for coupon in state.coupons or []] == [COUPON]
    assert any(effect.effect_type == "acceptCoupon" for effect in state.effects)
    assert any(effect.effect_type == "setDiscount" for effect in state.effects)
    assert state.event is not None
    assert state.event.session_id == "s-1"
    assert state.triggered_campaigns

    fetched = api.get_customer_session("s-1")
    assert fetched.customer_session is not None
    assert fetched.customer_session.integration_id == "s-1"
    assert fetched.customer_session.total == pytest.approx(140.45)


def test_dry_run_session_update(api: talon_one.IntegrationApi) -> None:
    request = models.IntegrationRequest(
        customer_session=models.NewCustomerSessionV2(profile_id="bob", cart_items=_items()),
        response_content=["customerSession"],
    )
    future = datetime(2099, 6, 1, 12, 30, tzinfo=timezone.utc)
    state = api.update_customer_session_v2("dry-1", request, dry=True, now=future)
    assert state.customer_session is not None
    assert state.customer_session.integration_id == "dry-1"


def test_return_cart_items(api: talon_one.IntegrationApi) -> None:
    _open_session(api, "order-1", state="closed")
    request = models.ReturnIntegrationRequest(
        var_return=models.NewReturn(
            returned_cart_items=[models.ReturnedCartItem(position=0)],
        ),
        response_content=["customerSession", "previousReturns"],
    )
    state = api.return_cart_items("order-1", request)

    session = state.customer_session
    assert session is not None
    assert session.state == "partially_returned"
    assert session.cart_items[0].returned_quantity == 2
    assert session.cart_items[0].remaining_quantity == 0
    assert state.previous_returns
    assert state.previous_returns[0].returned_cart_items[0].position == 0


def test_update_customer_profile_with_and_without_rule_engine(
    api: talon_one.IntegrationApi,
) -> None:
    quiet = api.update_customer_profile_v2(
        "carl",
        models.CustomerProfileIntegrationRequestV2(attributes={"Name": "Carl"}),
        run_rule_engine=False,
    )
    assert quiet.effects == []

    loud = api.update_customer_profile_v2(
        "carl",
        models.CustomerProfileIntegrationRequestV2(
            attributes={"Name": "Carl B."},
            response_content=["customerProfile", "triggeredCampaigns", "event"],
        ),
        run_rule_engine=True,
    )
    assert loud.customer_profile is not None
    assert loud.customer_profile.integration_id == "carl"
    assert loud.customer_profile.attributes["Name"] == "Carl B."
    assert loud.effects is not None


def test_update_customer_profiles_in_bulk(api: talon_one.IntegrationApi) -> None:
    request = models.MultipleCustomerProfileIntegrationRequest(
        customer_profiles=[
            models.MultipleCustomerProfileIntegrationRequestItem(
                integration_id=f"bulk-{n}", attributes={"n": n}
            )
            for n in range(3)
        ]
    )
    reply = api.update_customer_profiles_v2(request, silent="no")
    ids = [entry.customer_profile.integration_id for entry in reply.integration_states]
    assert ids == ["bulk-0", "bulk-1", "bulk-2"]


def test_track_event_v2(api: talon_one.IntegrationApi) -> None:
    request = models.IntegrationEventV2Request(
        profile_id="dora",
        type="newsletter_signup",
        attributes={"plan": "weekly"},
        response_content=["customerProfile", "triggeredCampaigns", "event"],
    )
    reply = api.track_event_v2(request, silent="no")
    assert reply.customer_profile is not None
    assert reply.customer_profile.integration_id == "dora"
    assert reply.event is not None
    assert reply.event.type == "newsletter_signup"
    assert reply.event.attributes == {"plan": "weekly"}


def test_audience_lifecycle(api: talon_one.IntegrationApi) -> None:
    audience = api.create_audience_v2(
        models.NewAudience(name="VIP", integration="segment", integration_id="seg-1")
    )
    assert audience.name == "VIP"
    assert audience.integration_id == "seg-1"

    renamed = api.update_audience_v2(audience.id, models.UpdateAudience(name="Very VIP"))
    assert renamed.id == audience.id
    assert renamed.name == "Very VIP"

    api.update_customer_profile_audiences(
        models.CustomerProfileAudienceRequest(
            data=[
                models.CustomerProfileAudienceRequestItem(
                    action="add", profile_integration_id="eve", audience_id=audience.id
                )
            ]
        )
    )
    # Talon.One shows a profile an audience add created once a profile update names it.
    with pytest.raises(talon_one.ApiException) as hidden:
        api.get_customer_inventory("eve", profile=True)
    assert hidden.value.status == 404
    api.update_customer_profile_v2("eve", models.CustomerProfileIntegrationRequestV2())
    api.update_audience_customers_attributes(audience.id, {"tier": "gold"})
    inventory = api.get_customer_inventory("eve", profile=True)
    assert inventory.profile is not None
    assert inventory.profile.attributes["tier"] == "gold"
    assert [m.id for m in inventory.profile.audience_memberships or []] == [audience.id]

    api.delete_audience_memberships_v2(audience.id)
    emptied = api.get_customer_inventory("eve", profile=True)
    assert emptied.profile is not None
    assert not emptied.profile.audience_memberships
    api.delete_audience_v2(audience.id)


def test_coupon_reservations(api: talon_one.IntegrationApi) -> None:
    body = models.CouponReservations(integration_ids=["fay", "gus"])
    coupon = api.create_coupon_reservation(COUPON, body)
    assert coupon.value == COUPON

    reserved = api.get_reserved_customers(COUPON)
    assert sorted(profile.integration_id for profile in reserved.data) == ["fay", "gus"]
    assert reserved.total_result_size == 2

    api.delete_coupon_reservation(COUPON, models.CouponReservations(integration_ids=["gus"]))
    remaining = api.get_reserved_customers(COUPON)
    assert [profile.integration_id for profile in remaining.data] == ["fay"]


def test_referrals(api: talon_one.IntegrationApi) -> None:
    referral = api.create_referral(
        models.NewReferral(
            campaign_id=REFERRAL_CAMPAIGN,
            advocate_profile_integration_id="hal",
            friend_profile_integration_id="ida",
            usage_limit=3,
            expiry_date=datetime(2099, 1, 1, tzinfo=timezone.utc),
        )
    )
    assert referral.campaign_id == REFERRAL_CAMPAIGN
    assert referral.advocate_profile_integration_id == "hal"
    assert referral.usage_limit == 3
    assert len(referral.code) >= 4

    batch = api.create_referrals_for_multiple_advocates(
        models.NewReferralsForMultipleAdvocates(
            campaign_id=REFERRAL_CAMPAIGN,
            advocate_profile_integration_ids=["jo", "kim"],
            usage_limit=1,
            referral_pattern="REF-####",
        ),
        silent="no",
    )
    assert batch.total_result_size == 2
    assert sorted(r.advocate_profile_integration_id for r in batch.data) == ["jo", "kim"]
    assert all(r.code.startswith("REF-") and len(r.code) == 8 for r in batch.data)


def test_customer_inventory_with_every_section(api: talon_one.IntegrationApi) -> None:
    _open_session(api, "s-inv")
    api.create_coupon_reservation(COUPON, models.CouponReservations(integration_ids=["ann"]))
    api.create_referral(
        models.NewReferral(campaign_id=REFERRAL_CAMPAIGN, advocate_profile_integration_id="ann")
    )
    inventory = api.get_customer_inventory(
        "ann",
        profile=True,
        referrals=True,
        coupons=True,
        loyalty=True,
        giveaways=True,
        achievements=True,
    )
    assert inventory.profile is not None
    assert inventory.profile.integration_id == "ann"
    assert [coupon.value for coupon in inventory.coupons or []] == [COUPON]
    assert [r.advocate_profile_integration_id for r in inventory.referrals or []] == ["ann"]


def test_delete_customer_data(api: talon_one.IntegrationApi) -> None:
    api.update_customer_profile_v2(
        "lea", models.CustomerProfileIntegrationRequestV2(attributes={"Email": "l@example.com"})
    )
    api.delete_customer_data("lea")
    with pytest.raises(talon_one.ApiException) as caught:
        api.delete_customer_data("nobody")
    assert caught.value.status == 404


def test_unknown_audience_is_a_parsed_404(api: talon_one.IntegrationApi) -> None:
    with pytest.raises(talon_one.ApiException) as caught:
        api.update_audience_customers_attributes(999999, {"tier": "gold"})
    assert caught.value.status == 404


def test_invalid_request_is_a_parsed_400(api: talon_one.IntegrationApi) -> None:
    # `now` is for dry runs only: a rule the SDK leaves to the service.
    request = models.IntegrationRequest(
        customer_session=models.NewCustomerSessionV2(
            cart_items=[models.CartItem(name="N", sku="S", quantity=1, price=1.0)]
        )
    )
    with pytest.raises(talon_one.ApiException) as caught:
        api.update_customer_session_v2(
            "bad-1", request, now=datetime(2999, 1, 1, tzinfo=timezone.utc)
        )
    assert caught.value.status == 400
    error = caught.value.data
    assert isinstance(error, models.ErrorResponse)
    assert error.errors is not None
    assert error.errors is not None
    assert [e.source.parameter for e in error.errors] == ["now"]
