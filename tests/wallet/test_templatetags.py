"""``{% load talonone %}``: the wallet in templates, rendered whatever Talon.One does."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template

from django_talonone.testing import TalonOneHarness

INVENTORY = "getCustomerInventory"

pytestmark = pytest.mark.django_db(transaction=True)


def render(source: str, **context: Any) -> str:
    return Template("{% load talonone %}" + source).render(Context(context))


def rows(html: str) -> list[tuple[str, str]]:
    return re.findall(r'data-code="([^"]+)" data-state="([^"]+)"', html)


def test_the_assignment_tag_gives_the_wallet(wallet_talonone: TalonOneHarness, alice: Any) -> None:
    html = render(
        "{% coupon_wallet user as wallet %}{{ wallet.available }}:"
        "{% for coupon in wallet.active_coupons %}{{ coupon.code }}{% endfor %}",
        user=alice,
    )
    assert html == "True:VIP-ALICE"


def test_the_snippet_lists_coupons_with_their_states_in_words(
    wallet_talonone: TalonOneHarness, alice: Any
) -> None:
    html = render("{% coupon_wallet user as wallet %}{% show_coupon_wallet wallet %}", user=alice)
    assert rows(html) == [
        ("VIP-ALICE", "active"),
        ("SPRING-ALICE", "pending"),
        ("OLD-ALICE", "expired"),
        ("PAUSED-ALICE", "disabled"),
    ]
    assert "<caption>Coupons</caption>" in html
    assert '<th scope="col">Status</th>' in html
    for words in ("Ready to use", "Not valid yet (from", "Expired", "Unavailable"):
        assert words in html
    # The shop's TIME_ZONE applies; the machine-readable value carries its offset.
    assert re.search(r'\(from <time datetime="299[89]-\d\d-\d\dT\d\d:00:00[+-]\d\d:\d\d">', html)
    assert "<script" not in html
    assert " style=" not in html
    assert len(wallet_talonone.requests(INVENTORY)) == 1


def test_the_snippet_fetches_for_a_user_and_takes_a_heading(
    wallet_talonone: TalonOneHarness, alice: Any
) -> None:
    html = render('{% show_coupon_wallet user heading="My coupons" %}', user=alice)
    assert '<section class="talonone-wallet" aria-label="My coupons"' in html
    assert "<h2>My coupons</h2>" in html
    assert ("VIP-ALICE", "active") in rows(html)


def test_referral_codes_are_listed(wallet_talonone: TalonOneHarness, alice: Any) -> None:
    with wallet_talonone.client() as client:
        code = client.create_referral(
            {"campaignId": 2, "advocateProfileIntegrationId": "user-alice"}
        )["code"]
    html = render("{% show_coupon_wallet user %}", user=alice)
    assert "Referral codes to share with friends" in html
    assert (code, "active") in rows(html)


def test_anonymous_visitors_are_asked_to_sign_in_without_a_call(
    wallet_talonone: TalonOneHarness,
) -> None:
    html = render(
        "{% coupon_wallet user as wallet %}{{ wallet.available }}{% show_coupon_wallet user %}",
        user=AnonymousUser(),
    )
    assert html.startswith("False")
    assert "Sign in to see your coupons." in html
    assert not wallet_talonone.requests(INVENTORY)


def test_an_outage_still_renders_the_page(wallet_talonone: TalonOneHarness, alice: Any) -> None:
    wallet_talonone.fail(503)
    html = render("<main>{% show_coupon_wallet user %}</main>", user=alice)
    assert html.startswith("<main>")
    assert html.endswith("</main>")
    assert 'data-available="false"' in html
    assert "Your coupons can't be shown right now." in html
    assert 'role="status"' in html
    assert not rows(html)


def test_an_empty_wallet_says_so(wallet_talonone: TalonOneHarness, db: Any) -> None:
    from django.contrib.auth import get_user_model

    bob = get_user_model().objects.create_user("bob")
    html = render("{% show_coupon_wallet user %}", user=bob)
    assert "You have no coupons or referral codes yet." in html


def test_the_state_filter_keeps_unknown_states(wallet_talonone: TalonOneHarness) -> None:
    assert render('{{ "used"|wallet_state }}/{{ "mystery"|wallet_state }}') == "Used/mystery"
