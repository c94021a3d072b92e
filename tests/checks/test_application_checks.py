"""System checks per Application: each one's key and URL, and currencies to route by."""

from __future__ import annotations

from typing import Any

import pytest

from tests.checks.test_checks import CELERY_OK, GOOD, ids, messages

TWO = {**GOOD, "CURRENCY": "EUR", "APPLICATIONS": {"gbp": {"API_KEY": "k-gbp", "CURRENCY": "GBP"}}}


@pytest.fixture(autouse=True)
def _no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("API_KEY", "BASE_URL", "GBP_API_KEY"):
        monkeypatch.delenv(f"TALONONE_{key}", raising=False)


def check(**talonone: Any) -> list[str]:
    return ids(TALONONE={**TWO, **talonone}, **CELERY_OK)


def test_two_applications_with_keys_and_currencies_pass() -> None:
    assert check() == []


def test_a_named_application_without_key_is_e001_naming_its_variable() -> None:
    settings = {**TWO, "APPLICATIONS": {"gbp": {"CURRENCY": "GBP"}}}
    assert ids(TALONONE=settings, **CELERY_OK) == ["django_talonone.E001"]
    text = messages(TALONONE=settings, **CELERY_OK)
    assert "TALONONE['APPLICATIONS']['gbp']['API_KEY'] is not set" in text
    assert "TALONONE_GBP_API_KEY" in text


def test_a_named_application_over_plain_http_is_w001() -> None:
    gbp = {"API_KEY": "k-gbp", "CURRENCY": "GBP", "BASE_URL": "http://uk.example.com"}
    assert check(APPLICATIONS={"gbp": gbp}) == ["django_talonone.W001"]


def test_an_application_without_currency_is_w040() -> None:
    assert check(CURRENCY=None) == ["django_talonone.W040"]


def test_two_applications_in_one_currency_is_w041() -> None:
    assert check(CURRENCY="GBP") == ["django_talonone.W041"]


def test_a_router_that_cannot_be_imported_is_e040() -> None:
    assert check(APPLICATION_ROUTER="shop.nowhere.route") == ["django_talonone.E040"]
