"""A mistyped setting is a configuration error, never an outage shown to shoppers.

A key pasted with a trailing newline used to pass ``check --tag talonone`` and then make
every cart page say "promotions unavailable": the client's refusal was a
``TalonOneError``, which the cart page fails open on.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured

from django_talonone.services import evaluate_cart
from django_talonone.testing import TalonOneHarness
from tests.shop.models import Cart

from .conftest import UPDATE, fill

pytestmark = pytest.mark.django_db(transaction=True)

KEY = "k-very-secret-0123"


def _talonone(settings: Any, **overrides: Any) -> None:
    settings.TALONONE = {**settings.TALONONE, **overrides}


def _check_texts() -> list[str]:
    return [
        f"{message.id} {message.msg} {message.hint}" for message in run_checks(tags=["talonone"])
    ]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("API_KEY", f"{KEY}\n"),
        ("API_KEY", f" {KEY}"),
        ("API_KEY", f"{KEY}\x00"),
        ("MANAGEMENT_KEY", f"{KEY}\r\n"),
        ("MANAGEMENT_TOKEN", f"{KEY}\t"),
    ],
)
def test_a_key_with_whitespace_fails_the_checks_without_showing_it(
    settings: Any, key: str, value: str
) -> None:
    _talonone(settings, **{key: value})
    [text] = [line for line in _check_texts() if "E004" in line]
    assert f"TALONONE['{key}']" in text
    assert KEY not in text


def test_a_base_url_with_a_line_break_fails_the_checks(settings: Any) -> None:
    _talonone(settings, BASE_URL="https://shop.talon.one\n")
    assert any("E004" in line and "BASE_URL" in line for line in _check_texts())


def test_both_management_credentials_fail_the_checks(settings: Any) -> None:
    _talonone(settings, MANAGEMENT_KEY="m-1", MANAGEMENT_TOKEN="t-1")
    assert any("E004" in line and "MANAGEMENT_TOKEN" in line for line in _check_texts())


def test_names_of_other_things_are_checked(settings: Any) -> None:
    _talonone(settings, CACHE_ALIAS="wallets", PROFILE_ID_FUNCTION="shop.nowhere.profile_id")
    texts = _check_texts()
    assert any(line.startswith("django_talonone.E007") for line in texts)
    assert any(line.startswith("django_talonone.E008") for line in texts)


def test_the_cart_page_raises_a_configuration_error_instead_of_failing_open(
    shop: TalonOneHarness, settings: Any
) -> None:
    cart = Cart.objects.create()
    fill(cart, ("MUG", "12.50", 1))
    calls = len(shop.requests(UPDATE))
    _talonone(settings, API_KEY=f"{KEY}\n")
    with pytest.raises(ImproperlyConfigured, match=r"TALONONE\['API_KEY'\]") as caught:
        evaluate_cart(cart)
    assert KEY not in str(caught.value)
    assert len(shop.requests(UPDATE)) == calls
