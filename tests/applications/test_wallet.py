"""The wallet per Application, or merged: the service, the template tag and the API take
the Application, and each Application's wallet is cached on its own."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.template import Context, Template
from django.test import Client

from django_talonone.models import CustomerSession
from django_talonone.services import referral_code_for
from django_talonone.testing import TalonOneHarness
from django_talonone.wallet import ALL_APPLICATIONS, get_wallet, invalidate_wallet, wallet_cache_key
from tests.shop.models import Order, OrderLine

from .conftest import cart_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def ann(shop: TalonOneHarness) -> Any:
    """A shopper with a referral code in each Application."""
    user = get_user_model().objects.create_user("ann")
    referral_code_for(str(user.pk), 2)
    referral_code_for(str(user.pk), 2, application="gbp")
    return user


def codes(wallet: Any) -> list[str]:
    return sorted(referral.code for referral in wallet.referrals)


def test_each_application_has_its_own_wallet_and_a_merged_one_has_both(
    shop: TalonOneHarness, ann: Any
) -> None:
    profile = str(ann.pk)
    default, gbp = get_wallet(profile), get_wallet(profile, application="gbp")
    assert (default.application, gbp.application) == ("default", "gbp")
    assert len(default.referrals) == 1
    assert len(gbp.referrals) == 1
    merged = get_wallet(profile, application=ALL_APPLICATIONS)
    assert merged.available
    assert codes(merged) == sorted(codes(default) + codes(gbp))
    inventories = shop.requests("getCustomerInventory")
    assert [entry["application"] for entry in inventories] == ["default", "gbp"]  # cached
    assert wallet_cache_key(profile, "gbp") != wallet_cache_key(profile)
    invalidate_wallet(profile)  # every Application's
    assert cache.get(wallet_cache_key(profile, "gbp")) is None
    assert cache.get(wallet_cache_key(profile)) is None


def test_a_merged_wallet_is_unavailable_when_one_application_is(
    shop: TalonOneHarness, ann: Any
) -> None:
    get_wallet(str(ann.pk))  # the default's is cached
    shop.fail(503)
    assert get_wallet(str(ann.pk)).available
    assert not get_wallet(str(ann.pk), application=ALL_APPLICATIONS).available


def test_an_unknown_application_is_a_mistake(shop: TalonOneHarness) -> None:
    with pytest.raises(ImproperlyConfigured, match="'usd'"):
        get_wallet("ann", application="usd")


def test_the_template_tag_takes_the_application(shop: TalonOneHarness, ann: Any) -> None:
    template = Template(
        "{% load talonone %}{% coupon_wallet user application=app as wallet %}"
        "{{ wallet.application }}:{{ wallet.referrals|length }}"
    )
    rendered = [template.render(Context({"user": ann, "app": app})) for app in ("gbp", "*", "")]
    assert rendered == ["gbp:1", "*:2", "default:1"]


def test_the_api_takes_the_application(shop: TalonOneHarness, ann: Any, client: Client) -> None:
    client.force_login(ann)
    body = client.get("/api/talonone/wallet/?application=gbp").json()
    assert (body["application"], len(body["referrals"])) == ("gbp", 1)
    assert len(client.get("/api/talonone/wallet/?application=*").json()["referrals"]) == 2
    refused = client.get("/api/talonone/wallet/?application=usd")
    assert refused.status_code == 400
    assert refused.json() == {"application": ["Give one of: default, gbp, *."]}


def rewards(currency: str, program_id: int) -> dict[str, Any]:
    """A campaigns file that gives each paid order points, a giveaway code and progress
    towards an achievement; ids differ per Application so the merge can be told apart."""
    return {
        "application": {"id": 2 if currency == "GBP" else 1, "currency": currency},
        "loyaltyPrograms": [{"id": program_id, "name": f"{currency} points"}],
        "giveawayPools": [{"id": program_id, "name": "Gifts", "codes": [f"{currency}-GIFT"]}],
        "campaigns": [
            {
                "id": 1,
                "name": f"{currency} rewards",
                "achievements": [
                    {"id": program_id, "name": f"{currency}Orders", "title": "Orders", "target": 3}
                ],
                "rules": [
                    {
                        "name": "earn",
                        "effects": [
                            {
                                "type": "addLoyaltyPoints",
                                "programId": program_id,
                                "name": "points",
                                "points": program_id,
                            },
                            {"type": "increaseAchievementProgress", "achievementId": program_id},
                            {"type": "awardGiveaway", "poolId": program_id},
                        ],
                    }
                ],
            }
        ],
    }


def pay(user: Any, currency: str) -> None:
    """Pay for a cart in ``currency``: its Application closes the session and rewards it."""
    cart = cart_in(currency, user)
    with transaction.atomic():
        order = Order.objects.create(
            user=user, cart=cart, status=Order.Status.PAID, currency=currency
        )
        for line in cart.lines.order_by("pk"):
            OrderLine.objects.create(
                order=order, sku=line.sku, name=line.name, quantity=line.quantity, price=line.price
            )


def test_a_merged_wallet_keeps_every_applications_points_giveaways_and_achievements(
    shop: TalonOneHarness, user: Any
) -> None:
    shop.emulator.state_of("default").configure(rewards("EUR", 7))
    shop.emulator.state_of("gbp").configure(rewards("GBP", 9))
    pay(user, "EUR")
    pay(user, "GBP")
    profile = str(user.pk)
    merged = get_wallet(profile, application=ALL_APPLICATIONS)
    assert merged.available
    assert sorted((p.program_id, p.current_balance) for p in merged.loyalty) == [
        (7, Decimal(7)),
        (9, Decimal(9)),
    ]
    assert sorted(g.code for g in merged.giveaways) == ["EUR-GIFT", "GBP-GIFT"]
    assert sorted((a.name, a.progress) for a in merged.achievements) == [
        ("EUROrders", Decimal(1)),
        ("GBPOrders", Decimal(1)),
    ]
    for name in ("default", "gbp"):  # each part is still its own Application's alone
        part = get_wallet(profile, application=name)
        assert len(part.loyalty) == len(part.giveaways) == len(part.achievements) == 1


def test_a_merged_wallet_with_only_achievements_is_not_empty(
    shop: TalonOneHarness, user: Any
) -> None:
    config = rewards("GBP", 9)
    config["campaigns"][0]["rules"][0]["effects"] = [
        {"type": "increaseAchievementProgress", "achievementId": 9}
    ]
    shop.emulator.state_of("gbp").configure(config)
    pay(user, "GBP")
    merged = get_wallet(str(user.pk), application=ALL_APPLICATIONS)
    assert (merged.loyalty, merged.giveaways, merged.coupons) == ((), (), ())
    assert [a.name for a in merged.achievements] == ["GBPOrders"]
    assert not merged.is_empty


def test_pending_points_are_listed_from_the_wallets_own_applications_orders(
    shop: TalonOneHarness, user: Any
) -> None:
    # Program ids are per Application: both use 7, and only the Application's own orders
    # may be listed as its pending points.
    for name, currency, points in (("default", "EUR", 7), ("gbp", "GBP", 20)):
        config = rewards(currency, 7)
        config["loyaltyPrograms"][0]["pendingDays"] = 10
        config["campaigns"][0]["rules"][0]["effects"][0]["points"] = points
        shop.emulator.state_of(name).configure(config)
        pay(user, currency)
    sessions = {
        s.application: s.session_id for s in CustomerSession.objects.filter(profile_id=str(user.pk))
    }
    for name, points in (("default", Decimal(7)), ("gbp", Decimal(20))):
        [program] = get_wallet(str(user.pk), application=name).loyalty
        assert program.pending_balance == points
        assert [(p.session_id, p.points) for p in program.pending] == [(sessions[name], points)]
