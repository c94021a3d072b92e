"""``GET /api/talonone/wallet/``: who may read which wallet, what it says, and how it
behaves when Talon.One is down or the caller asks too often."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import simplejson
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings
from django.urls import reverse

from django_talonone.api.serializers import WalletSerializer
from django_talonone.testing import TalonOneHarness
from django_talonone.wallet import parse_inventory

from .conftest import WALLET_URL

INVENTORY = "getCustomerInventory"

pytestmark = pytest.mark.django_db(transaction=True)


def get(client: Client, query: str = "") -> Any:
    return client.get(WALLET_URL + query)


def test_the_url_is_named() -> None:
    assert reverse("django_talonone_api:wallet") == WALLET_URL


def test_anonymous_callers_are_refused_without_a_call(
    wallet_talonone: TalonOneHarness, client: Client
) -> None:
    response = get(client)
    assert response.status_code == 403
    assert "credentials were not provided" in response.json()["detail"]
    assert not wallet_talonone.requests(INVENTORY)


def test_a_shopper_reads_their_own_wallet(
    wallet_talonone: TalonOneHarness, alice: Any, client: Client
) -> None:
    client.force_login(alice)
    response = get(client)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    body = response.json()
    assert body["available"] is True
    assert body["profile"] == "user-alice"
    assert [(c["code"], c["state"]) for c in body["coupons"]] == [
        ("VIP-ALICE", "active"),
        ("SPRING-ALICE", "pending"),
        ("OLD-ALICE", "expired"),
        ("PAUSED-ALICE", "disabled"),
    ]
    assert body["coupons"][0] == {
        "code": "VIP-ALICE",
        "campaign_id": 1,
        "state": "active",
        "usage_limit": 3,
        "usage_count": 0,
        "uses_left": 3,
        "redeemed_by_profile": 0,
        "still_applies": False,
        "discount_limit": None,
        "discount_remaining": None,
        "starts_at": None,
        "expires_at": None,
    }
    assert body["coupons"][1]["starts_at"].startswith("2998-12-31T18:00:00")  # TIME_ZONE
    assert (body["referrals"], body["loyalty"], body["giveaways"]) == ([], [], [])
    assert wallet_talonone.emulator.api_key not in response.content.decode()


def test_repeated_calls_are_served_from_the_cache(
    wallet_talonone: TalonOneHarness, alice: Any, client: Client
) -> None:
    client.force_login(alice)
    first, second = get(client).json(), get(client).json()
    assert first == second
    assert len(wallet_talonone.requests(INVENTORY)) == 1


def test_referral_codes_are_included(
    wallet_talonone: TalonOneHarness, alice: Any, client: Client
) -> None:
    with wallet_talonone.client() as talonone:
        code = talonone.create_referral(
            {"campaignId": 2, "advocateProfileIntegrationId": "user-alice", "usageLimit": 0}
        )["code"]
    client.force_login(alice)
    [referral] = get(client).json()["referrals"]
    assert referral == {
        "code": code,
        "campaign_id": 2,
        "state": "active",
        "usage_limit": None,
        "usage_count": 0,
        "uses_left": None,
        "friends_referred": 0,
        "starts_at": None,
        "expires_at": None,
    }


def test_an_outage_answers_200_unavailable(
    wallet_talonone: TalonOneHarness, alice: Any, client: Client
) -> None:
    wallet_talonone.fail(503)
    client.force_login(alice)
    response = get(client)
    assert response.status_code == 200
    assert response.json() == {
        "available": False,
        "profile": "user-alice",
        "application": "default",
        "coupons": [],
        "referrals": [],
        "loyalty": [],
        "giveaways": [],
        "achievements": [],
    }


def test_staff_with_the_permission_read_any_wallet(
    wallet_talonone: TalonOneHarness, alice: Any, support: Any, client: Client
) -> None:
    client.force_login(support)
    body = get(client, "?profile=user-alice").json()
    assert body["profile"] == "user-alice"
    assert body["coupons"][0]["code"] == "VIP-ALICE"
    unknown = get(client, "?profile=never%20seen").json()
    assert unknown["available"] is True
    assert unknown["profile"] == "never seen"
    assert unknown["coupons"] == []


@pytest.mark.parametrize("staff", [False, True])
def test_others_may_not_pass_a_profile(
    wallet_talonone: TalonOneHarness, alice: Any, client: Client, staff: bool
) -> None:
    user = get_user_model().objects.create_user("mallory", is_staff=staff)
    client.force_login(user)
    response = get(client, "?profile=user-alice")
    assert response.status_code == 403
    assert "'django_talonone.view_customersession' permission" in response.json()["detail"]
    assert not wallet_talonone.requests(INVENTORY)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?profile=", "The profile id must not be empty."),
        ("?profile=%20%20", "The profile id must not be empty."),
        ("?profile=" + "x" * 1001, "A profile id has at most 1000 characters."),
        ("?profile=a%0Ab", "The profile id must not contain control characters."),
        ("?profile=a&profile=b", "Give exactly one profile id."),
        ("?profile=..", "The profile id cannot be '.' or '..' (not sendable in a URL)."),
    ],
)
def test_a_bad_profile_parameter_is_a_400_naming_it(
    wallet_talonone: TalonOneHarness, support: Any, client: Client, query: str, message: str
) -> None:
    client.force_login(support)
    response = get(client, query)
    assert response.status_code == 400
    assert response.json() == {"profile": [message]}
    assert not wallet_talonone.requests(INVENTORY)


def test_the_talonone_wallet_scope_throttles_once_a_rate_is_set(
    wallet_talonone: TalonOneHarness, alice: Any, client: Client
) -> None:
    client.force_login(alice)
    assert all(get(client).status_code == 200 for _ in range(5))  # no rate: no limit
    with override_settings(REST_FRAMEWORK={"DEFAULT_THROTTLE_RATES": {"talonone-wallet": "2/min"}}):
        codes = [get(client).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_money_is_serialized_as_exact_decimal_strings() -> None:
    reply = {
        "coupons": [
            {
                "campaignId": 1,
                "value": "BUDGET",
                "state": "active",
                "discountLimit": Decimal("1E+1"),
                "discountRemainder": Decimal("0.10"),
            }
        ],
        "loyalty": {
            "programs": {
                "beans": {"id": 3, "ledger": {"currentBalance": Decimal("19.990000000000002")}}
            }
        },
    }
    wallet = parse_inventory("p1", reply, now=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
    data = simplejson.loads(simplejson.dumps(WalletSerializer(wallet).data))
    coupon = data["coupons"][0]
    assert (coupon["discount_limit"], coupon["discount_remaining"]) == ("10", "0.10")
    assert data["loyalty"][0]["current_balance"] == "19.990000000000002"
    assert data["loyalty"][0]["pending_balance"] == "0"


def test_without_drf_the_api_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib
    import sys

    import django_talonone.api

    monkeypatch.setitem(sys.modules, "rest_framework", None)  # as if not installed
    with pytest.raises(ImproperlyConfigured, match=r"pip install django-talonone\[drf\]"):
        importlib.reload(django_talonone.api)
