"""``TALONONE['APPLICATIONS']``: named Applications beside the default one, each with its
own key and currency, read from the dict or ``TALONONE_<NAME>_<KEY>``, never sharing a key."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from django_talonone.conf import get_settings
from django_talonone.services.clients import build_client

BASE = {
    "BASE_URL": "https://shop.europe-west1.talon.one",
    "API_KEY": "eur-key-1234",
    "MANAGEMENT_KEY": "mgmt-key-1234",
    "CURRENCY": "eur",
    "TIMEOUT": 2,
}


@pytest.fixture(autouse=True)
def _no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in (
        "API_KEY",
        "BASE_URL",
        "MANAGEMENT_KEY",
        "MANAGEMENT_TOKEN",
        "GBP_API_KEY",
        "GBP_CURRENCY",
        "GBP_BASE_URL",
        "GBP_MANAGEMENT_KEY",
        "GBP_MANAGEMENT_TOKEN",
    ):
        monkeypatch.delenv(f"TALONONE_{key}", raising=False)


def read(**extra: Any) -> Any:
    with override_settings(TALONONE={**BASE, **extra}):
        return get_settings()


def refused(**extra: Any) -> str:
    with pytest.raises(ImproperlyConfigured) as caught:
        read(**extra)
    return str(caught.value)


def test_the_top_level_keys_are_the_default_application() -> None:
    config = read()
    assert list(config.applications) == ["default"]
    default = config.applications["default"]
    assert (default.api_key, default.currency, default.timeout) == ("eur-key-1234", "EUR", (2, 2))
    assert config.for_application(None) is config
    assert config.for_application("default") is config


def test_a_named_application_has_its_own_key_and_currency_and_inherits_the_rest() -> None:
    config = read(
        APPLICATIONS={"gbp": {"API_KEY": "gbp-key-5678", "CURRENCY": "GBP", "TIMEOUT": (1, 4)}}
    )
    gbp = config.for_application("gbp")
    assert (gbp.application, gbp.api_key, gbp.currency) == ("gbp", "gbp-key-5678", "GBP")
    assert gbp.base_url == BASE["BASE_URL"]
    assert gbp.management_key == "mgmt-key-1234"
    assert gbp.timeout == (1.0, 4.0)
    assert gbp.delivery_timeout == config.delivery_timeout
    assert gbp.currency_unit == Decimal("0.01")
    assert config.application_for_currency("gbp") == "gbp"
    assert config.application_for_currency("EUR") == "default"
    assert config.application_for_currency("USD") is None


def test_an_application_never_inherits_the_default_key_or_currency() -> None:
    gbp = read(APPLICATIONS={"gbp": {}}).for_application("gbp")
    assert gbp.api_key is None
    assert gbp.currency is None
    with pytest.raises(ImproperlyConfigured, match=r"TALONONE\['APPLICATIONS'\]\['gbp'\]"):
        gbp.require("API_KEY")


def test_environment_fallbacks_per_application(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TALONONE_GBP_API_KEY", "gbp-from-env")
    monkeypatch.setenv("TALONONE_GBP_CURRENCY", "GBP")
    monkeypatch.setenv("TALONONE_GBP_BASE_URL", "https://uk.talon.one/")
    config = read(APPLICATIONS={"gbp": {}})
    gbp = config.applications["gbp"]
    assert (gbp.api_key, gbp.currency, gbp.base_url) == (
        "gbp-from-env",
        "GBP",
        "https://uk.talon.one",
    )
    # The dict wins over the environment, as for the top-level keys.
    assert read(APPLICATIONS={"gbp": {"API_KEY": "dict-key"}}).applications["gbp"].api_key == (
        "dict-key"
    )


def test_missing_key_names_the_application_environment_variable() -> None:
    gbp = read(APPLICATIONS={"gbp": {}}).for_application("gbp")
    with pytest.raises(ImproperlyConfigured, match="TALONONE_GBP_API_KEY"):
        gbp.require("API_KEY")


def test_two_applications_never_share_a_key_and_the_key_is_never_shown() -> None:
    message = refused(APPLICATIONS={"gbp": {"API_KEY": BASE["API_KEY"]}})
    assert "TALONONE['APPLICATIONS']['gbp']['API_KEY'] is the same key as TALONONE['API_KEY']" in (
        message
    )
    assert BASE["API_KEY"] not in message


@pytest.mark.parametrize(
    ("applications", "named"),
    [
        ({"GBP": {}}, "named 'GBP'"),
        ({"default": {}}, "named 'default'"),
        ({"delivery": {}}, "DELIVERY_TIMEOUT"),
        ({"gbp": {"API_KEYS": "x"}}, "Unknown setting(s) in TALONONE['APPLICATIONS']['gbp']"),
        ({"gbp": {"CURRENCY": "pounds"}}, "['gbp']['CURRENCY'] must be a three-letter"),
        ({"gbp": {"TIMEOUT": 0}}, "['gbp']['TIMEOUT'] must be positive"),
        ({"gbp": {"CART_ITEM_FLATTENING": "maybe"}}, "['gbp']['CART_ITEM_FLATTENING']"),
        ({"gbp": "key"}, "TALONONE['APPLICATIONS']['gbp'] must be a dict"),
        (["gbp"], "TALONONE['APPLICATIONS'] must be a dict"),
    ],
)
def test_mistakes_name_the_setting(applications: Any, named: str) -> None:
    assert named in refused(APPLICATIONS=applications)


def test_an_application_key_that_cannot_be_sent_is_refused_without_echo() -> None:
    message = refused(APPLICATIONS={"gbp": {"API_KEY": "gbp-key\n"}})
    assert "['gbp']['API_KEY'] contains whitespace" in message
    assert "gbp-key" not in message


def test_unknown_application_names_the_configured_ones() -> None:
    with pytest.raises(ImproperlyConfigured, match="configured: default, gbp"):
        read(APPLICATIONS={"gbp": {"API_KEY": "k-gbp"}}).for_application("usd")


def test_keys_stay_out_of_repr() -> None:
    config = read(APPLICATIONS={"gbp": {"API_KEY": "gbp-secret-key", "CURRENCY": "GBP"}})
    shown = repr(config) + repr(config.for_application("gbp"))
    assert "gbp-secret-key" not in shown
    assert "eur-key-1234" not in shown
    assert "mgmt-key-1234" not in shown
    assert "'GBP'" in shown


def test_an_applications_own_management_key_replaces_the_inherited_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Key and token are one credential: inheriting the other would make every call fail."""
    top = {"MANAGEMENT_KEY": None, "MANAGEMENT_TOKEN": "top-token-1234"}
    config = read(**top, APPLICATIONS={"gbp": {"API_KEY": "k-gbp", "MANAGEMENT_KEY": "gbp-m"}})
    gbp = config.for_application("gbp")
    assert (gbp.management_key, gbp.management_token) == ("gbp-m", None)
    build_client(gbp, "delivery").close()  # the client accepts it
    # The same from the Application's environment variable, and for a token over a key.
    monkeypatch.setenv("TALONONE_GBP_MANAGEMENT_TOKEN", "gbp-token")
    gbp = read(APPLICATIONS={"gbp": {"API_KEY": "k-gbp"}}).for_application("gbp")
    assert (gbp.management_key, gbp.management_token) == (None, "gbp-token")
    # An Application setting neither inherits the top-level one.
    monkeypatch.delenv("TALONONE_GBP_MANAGEMENT_TOKEN")
    gbp = read(**top, APPLICATIONS={"gbp": {"API_KEY": "k-gbp"}}).for_application("gbp")
    assert (gbp.management_key, gbp.management_token) == (None, "top-token-1234")


def test_an_application_with_both_management_credentials_is_refused_by_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gbp = {"API_KEY": "k-gbp", "MANAGEMENT_KEY": "gbp-m", "MANAGEMENT_TOKEN": "gbp-t"}
    message = refused(APPLICATIONS={"gbp": gbp})
    assert message == (
        "TALONONE['APPLICATIONS']['gbp']['MANAGEMENT_KEY'] and "
        "TALONONE['APPLICATIONS']['gbp']['MANAGEMENT_TOKEN'] are both set: keep one of them."
    )
    monkeypatch.setenv("TALONONE_GBP_MANAGEMENT_TOKEN", "gbp-token")
    assert "['gbp']['MANAGEMENT_TOKEN'] are both set" in refused(
        APPLICATIONS={"gbp": {"API_KEY": "k-gbp", "MANAGEMENT_KEY": "gbp-m"}}
    )
