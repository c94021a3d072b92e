"""The wallet service against the emulator: states, referrals, caching, invalidation,
and failing soft when Talon.One is down."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import transaction
from django.template import Context, Template
from django.test import override_settings

from django_talonone.conf import get_settings
from django_talonone.models import CustomerSession, SessionState
from django_talonone.signals import customer_deleted, session_evaluated
from django_talonone.testing import TalonOneHarness
from django_talonone.wallet import get_wallet, wallet_cache_key, wallet_for_user
from tests.shop.models import Order

from .conftest import ALICE, place_order

INVENTORY = "getCustomerInventory"

pytestmark = pytest.mark.django_db(transaction=True)


def states(wallet: Any) -> list[tuple[str, str]]:
    return [(coupon.code, coupon.state) for coupon in wallet.coupons]


def test_coupons_come_with_their_states_usable_first(
    wallet_talonone: TalonOneHarness, alice: Any
) -> None:
    wallet = wallet_for_user(alice)
    assert wallet.available
    assert wallet.profile_id == ALICE
    assert states(wallet) == [
        ("VIP-ALICE", "active"),
        ("SPRING-ALICE", "pending"),
        ("OLD-ALICE", "expired"),
        ("PAUSED-ALICE", "disabled"),
    ]
    vip = wallet.coupons[0]
    assert (vip.campaign_id, vip.usage_limit, vip.uses_left) == (1, 3, 3)
    assert vip.discount_limit is None
    assert vip.expires_at is None
    assert wallet.coupons[1].starts_at is not None
    assert wallet.coupons[1].starts_at.year == 2999
    assert wallet.coupons[2].expires_at is not None
    assert wallet.coupons[2].expires_at.year == 2001
    assert [coupon.code for coupon in wallet.active_coupons] == ["VIP-ALICE"]
    [request] = wallet_talonone.requests(INVENTORY)
    assert request["query"] == {
        "coupons": "true",
        "referrals": "true",
        "loyalty": "true",
        "giveaways": "true",
        "achievements": "true",
    }


def test_a_redeemed_coupon_shows_as_used(wallet_talonone: TalonOneHarness, alice: Any) -> None:
    place_order(alice, ("MUG", "40.00"), coupon="WELCOME10")
    wallet = get_wallet(ALICE)
    welcome = next(coupon for coupon in wallet.coupons if coupon.code == "WELCOME10")
    assert (welcome.state, welcome.redeemed_by_profile, welcome.usage_count) == ("used", 1, 1)
    assert welcome.usage_limit is None
    assert welcome.uses_left is None
    # Talon.One's "used" means this profile redeemed it; with no limit it still applies
    assert welcome.still_applies
    assert welcome.shown_state == "active"
    assert welcome in wallet.active_coupons
    html = Template("{% load talonone %}{% show_coupon_wallet wallet %}").render(
        Context({"wallet": wallet})
    )
    row = html[html.index('data-code="WELCOME10"') :]
    row = row[: row.index("</tr>")]
    assert 'data-state="active"' in row
    assert 'Ready to use <span class="talonone-used-before">(you used it once)</span>' in row


def test_a_coupon_used_up_reads_used(wallet_talonone: TalonOneHarness, alice: Any) -> None:
    coupon = wallet_talonone.emulator.state.coupon("WELCOME10")
    assert coupon is not None
    coupon[1]["usageLimit"] = 1  # one redemption in all: spent once alice used it
    place_order(alice, ("MUG", "40.00"), coupon="WELCOME10")
    [welcome] = [c for c in get_wallet(ALICE).coupons if c.code == "WELCOME10"]
    assert (welcome.state, welcome.still_applies, welcome.shown_state) == ("used", False, "used")


def test_referral_codes_the_shopper_hands_out(wallet_talonone: TalonOneHarness, alice: Any) -> None:
    with wallet_talonone.client() as client:
        created = client.create_referral(
            {"campaignId": 2, "advocateProfileIntegrationId": ALICE, "usageLimit": 2}
        )
    [referral] = get_wallet(ALICE).referrals
    assert (referral.code, referral.campaign_id, referral.state) == (created["code"], 2, "active")
    assert (referral.usage_limit, referral.uses_left, referral.friends_referred) == (2, 2, 0)


def test_a_profile_talonone_never_saw_has_an_empty_wallet(
    wallet_talonone: TalonOneHarness, db: Any
) -> None:
    wallet = get_wallet("nobody-yet")
    assert wallet.available
    assert wallet.is_empty
    assert len(wallet_talonone.requests(INVENTORY)) == 1
    get_wallet("nobody-yet")  # the empty answer is cached like any other
    assert len(wallet_talonone.requests(INVENTORY)) == 1


def test_anonymous_shoppers_get_an_unavailable_wallet_without_a_call(
    wallet_talonone: TalonOneHarness,
) -> None:
    for user in (AnonymousUser(), None):
        wallet = wallet_for_user(user)
        assert not wallet.available
        assert wallet.is_empty
    assert not wallet_talonone.requests(INVENTORY)


def test_a_cached_wallet_needs_no_second_call(wallet_talonone: TalonOneHarness, alice: Any) -> None:
    first = get_wallet(ALICE)
    second = get_wallet(ALICE)
    assert second == first
    assert len(wallet_talonone.requests(INVENTORY)) == 1
    get_wallet(ALICE, use_cache=False)
    assert len(wallet_talonone.requests(INVENTORY)) == 2


def test_the_cache_key_hashes_the_profile_id(wallet_talonone: TalonOneHarness, alice: Any) -> None:
    awkward = "alice@example.com /:\n{}*?" + "x" * 300
    key = wallet_cache_key(awkward)
    assert "alice" not in key
    assert len(key) < 100
    assert key.isascii()
    assert " " not in key
    assert "\n" not in key
    get_wallet(ALICE)
    assert cache.get(wallet_cache_key(ALICE)) is not None


def test_a_zero_ttl_turns_caching_off(wallet_talonone: TalonOneHarness, alice: Any) -> None:
    with override_settings(TALONONE={**_current(), "INVENTORY_CACHE_TTL": 0}):
        get_wallet(ALICE)
        get_wallet(ALICE)
    assert len(wallet_talonone.requests(INVENTORY)) == 2


def test_the_configured_cache_alias_is_used(wallet_talonone: TalonOneHarness, alice: Any) -> None:
    caches = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "wallets": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "wallets",
        },
    }
    with override_settings(CACHES=caches, TALONONE={**_current(), "CACHE_ALIAS": "wallets"}):
        from django.core.cache import caches as configured

        get_wallet(ALICE)
        assert configured["wallets"].get(wallet_cache_key(ALICE)) is not None
        assert configured["default"].get(wallet_cache_key(ALICE)) is None
        configured["wallets"].clear()


def _current() -> dict[str, Any]:
    from django.conf import settings

    return dict(settings.TALONONE)


def test_closing_an_order_forgets_the_shoppers_cached_wallet(
    wallet_talonone: TalonOneHarness, alice: Any
) -> None:
    bob = get_user_model().objects.create_user("bob")
    assert "WELCOME10" not in [coupon.code for coupon in get_wallet(ALICE).coupons]
    get_wallet("user-bob")
    assert len(wallet_talonone.requests(INVENTORY)) == 2

    order = place_order(alice, ("MUG", "40.00"), coupon="WELCOME10")
    assert get_wallet(ALICE).coupons[0].code == "VIP-ALICE"
    assert ("WELCOME10", "used") in states(get_wallet(ALICE))
    get_wallet("user-bob")  # another shopper's wallet stays cached
    assert len(wallet_talonone.requests(INVENTORY)) == 3

    order.status = Order.Status.CANCELLED
    with transaction.atomic():
        order.save()  # the redemption is rolled back: the coupon is hers to use again
    assert ("WELCOME10", "active") in states(get_wallet(ALICE))
    assert len(wallet_talonone.requests(INVENTORY)) == 4
    assert bob.pk


@pytest.mark.parametrize(
    ("state", "forgotten"), [(SessionState.OPEN, False), (SessionState.CLOSED, True)]
)
def test_an_evaluation_of_a_settled_session_forgets_the_wallet(
    wallet_talonone: TalonOneHarness, alice: Any, state: str, forgotten: bool
) -> None:
    get_wallet(ALICE)
    session = CustomerSession(profile_id=ALICE, state=state)
    session_evaluated.send(sender=CustomerSession, session=session, evaluation=None)
    assert (cache.get(wallet_cache_key(ALICE)) is None) is forgotten


def test_erasing_a_customer_forgets_their_wallet(
    wallet_talonone: TalonOneHarness, alice: Any
) -> None:
    get_wallet(ALICE)
    customer_deleted.send(sender=None, profile_id=ALICE)
    assert cache.get(wallet_cache_key(ALICE)) is None


def test_an_outage_gives_an_unavailable_wallet_logged_once_without_secrets(
    wallet_talonone: TalonOneHarness, alice: Any, caplog: pytest.LogCaptureFixture
) -> None:
    wallet_talonone.fail(503, operations=[INVENTORY])
    with caplog.at_level(logging.WARNING, logger="django_talonone.wallet"):
        wallet = get_wallet(ALICE)
    assert not wallet.available
    assert wallet.is_empty
    assert wallet.profile_id == ALICE
    [record] = [r for r in caplog.records if r.name == "django_talonone.wallet"]
    message = record.getMessage()
    assert "unavailable" in message
    assert "503" in message
    api_key = get_settings().api_key
    assert api_key
    assert api_key not in message
    assert ALICE not in message

    wallet_talonone.heal()
    assert get_wallet(ALICE).available  # the failure was not cached


def test_a_timeout_gives_an_unavailable_wallet(
    wallet_talonone: TalonOneHarness, alice: Any
) -> None:
    wallet_talonone.slow(60_000, operations=[INVENTORY])
    assert not get_wallet(ALICE).available
    wallet_talonone.heal()
    assert get_wallet(ALICE).available


def test_a_stale_entry_of_another_shape_is_fetched_afresh(
    wallet_talonone: TalonOneHarness, alice: Any
) -> None:
    cache.set(wallet_cache_key(ALICE), {"coupons": "not a list"})
    wallet = get_wallet(ALICE)
    assert wallet.available
    assert wallet.coupons
    assert len(wallet_talonone.requests(INVENTORY)) == 1


def test_a_delivered_reservation_refreshes_the_wallet(
    wallet_talonone: TalonOneHarness, alice: Any
) -> None:
    from django_talonone.services.reservations import release_coupon, reserve_coupon

    def codes() -> set[str]:
        return {coupon.code for coupon in get_wallet(ALICE).coupons}

    assert "WELCOME10" not in codes()  # cached now
    reserve_coupon("WELCOME10", [ALICE])  # delivered at once: the fixture's Celery is eager
    assert "WELCOME10" in codes()
    release_coupon("WELCOME10", [ALICE])
    assert "WELCOME10" not in codes()
    assert len(wallet_talonone.requests(INVENTORY)) == 3
