"""CART_ITEM_FLATTENING: a yes/no setting, from the dict or the environment, never guessed."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from django_talonone.conf import get_settings

GOOD = {"BASE_URL": "https://shop.europe-west1.talon.one", "API_KEY": "k-123"}
CELERY_OK = {"CELERY_BROKER_URL": "redis://127.0.0.1:6379/0"}
ENV = "TALONONE_CART_ITEM_FLATTENING"


@pytest.fixture(autouse=True)
def _no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("API_KEY", "BASE_URL", "CART_ITEM_FLATTENING"):
        monkeypatch.delenv(f"TALONONE_{key}", raising=False)


def _flattening(**overrides: Any) -> bool:
    with override_settings(TALONONE=GOOD | overrides):
        return get_settings().cart_item_flattening


def test_off_by_default_like_talon_one() -> None:
    assert _flattening() is False


@pytest.mark.parametrize("value", [True, False])
def test_a_bool_is_taken_as_is(value: bool) -> None:
    assert _flattening(CART_ITEM_FLATTENING=value) is value


@pytest.mark.parametrize(
    ("env", "expected"),
    [("true", True), ("1", True), ("yes", True), ("False", False), ("0", False), ("", False)],
)
def test_from_the_environment(monkeypatch: pytest.MonkeyPatch, env: str, expected: bool) -> None:
    monkeypatch.setenv(ENV, env)
    assert _flattening() is expected


def test_the_dict_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, "true")
    assert _flattening(CART_ITEM_FLATTENING=False) is False


@pytest.mark.parametrize("value", ["maybe", 2, None, "Tru"])
def test_anything_else_is_refused_naming_the_setting(value: Any) -> None:
    with pytest.raises(ImproperlyConfigured, match=r"TALONONE\['CART_ITEM_FLATTENING'\]"):
        _flattening(CART_ITEM_FLATTENING=value)


def test_a_bad_value_is_reported_by_the_system_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, "enabled")
    with override_settings(TALONONE=GOOD, **CELERY_OK):
        found = run_checks(tags=["talonone"])
    assert [message.id for message in found] == ["django_talonone.E004"]
    assert "TALONONE['CART_ITEM_FLATTENING']" in found[0].msg
