"""The wallet per Application, or merged: the service, the template tag and the API take
the Application, and each Application's wallet is cached on its own."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.template import Context, Template
from django.test import Client

from django_talonone.services import referral_code_for
from django_talonone.testing import TalonOneHarness
from django_talonone.wallet import ALL_APPLICATIONS, get_wallet, invalidate_wallet, wallet_cache_key

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
