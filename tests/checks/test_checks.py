"""System checks: each misconfiguration gives its own id and names the setting to fix."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.checks import run_checks
from django.test import override_settings

GOOD = {"BASE_URL": "https://shop.europe-west1.talon.one", "API_KEY": "k-123"}
CELERY_OK = {"CELERY_BROKER_URL": "redis://127.0.0.1:6379/0"}


def ids(**settings: Any) -> list[str]:
    with override_settings(**settings):
        return [message.id for message in run_checks(tags=["talonone"])]


def messages(**settings: Any) -> str:
    with override_settings(**settings):
        return "\n".join(
            f"{message.msg} {message.hint}" for message in run_checks(tags=["talonone"])
        )


@pytest.fixture(autouse=True)
def _no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("API_KEY", "BASE_URL"):
        monkeypatch.delenv(f"TALONONE_{key}", raising=False)


def test_good_settings_pass() -> None:
    assert ids(TALONONE=GOOD, **CELERY_OK) == []


def test_missing_api_key_is_e001() -> None:
    assert ids(TALONONE={"BASE_URL": GOOD["BASE_URL"]}, **CELERY_OK) == ["django_talonone.E001"]
    assert "TALONONE_API_KEY" in messages(TALONONE={"BASE_URL": GOOD["BASE_URL"]}, **CELERY_OK)


def test_api_key_from_the_environment_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TALONONE_API_KEY", "from-env")
    assert ids(TALONONE={"BASE_URL": GOOD["BASE_URL"]}, **CELERY_OK) == []


def test_missing_base_url_is_e002() -> None:
    assert ids(TALONONE={"API_KEY": "k"}, **CELERY_OK) == ["django_talonone.E002"]


@pytest.mark.parametrize(
    "url", ["ftp://shop.talon.one", "shop.talon.one", "https://", "https://h?x=1"]
)
def test_malformed_base_url_is_e003(url: str) -> None:
    assert ids(TALONONE=GOOD | {"BASE_URL": url}, **CELERY_OK) == ["django_talonone.E003"]


def test_plain_http_to_a_remote_host_is_w001() -> None:
    settings = GOOD | {"BASE_URL": "http://shop.talon.one"}
    assert ids(TALONONE=settings, **CELERY_OK) == ["django_talonone.W001"]


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost:9", "[::1]:80"])
def test_plain_http_to_loopback_is_fine(host: str) -> None:
    assert ids(TALONONE=GOOD | {"BASE_URL": f"http://{host}"}, **CELERY_OK) == []


@pytest.mark.parametrize(
    ("key", "value"),
    [("TIMEOUT", "soon"), ("DELIVERY_TIMEOUT", (1, -2)), ("OUTBOX_MAX_ATTEMPTS", 0)],
)
def test_invalid_values_are_e004_naming_the_setting(key: str, value: Any) -> None:
    settings = GOOD | {key: value}
    assert ids(TALONONE=settings, **CELERY_OK) == ["django_talonone.E004"]
    assert f"TALONONE[{key!r}]" in messages(TALONONE=settings, **CELERY_OK)


def test_unknown_keys_are_e005_instead_of_a_crash() -> None:
    settings = GOOD | {"API_KEYS": "typo"}
    assert ids(TALONONE=settings, **CELERY_OK) == ["django_talonone.E005"]
    assert "API_KEYS" in messages(TALONONE=settings, **CELERY_OK)


def test_talonone_must_be_a_dict() -> None:
    assert ids(TALONONE=["BASE_URL"]) == ["django_talonone.E005"]


def test_outbox_without_a_broker_is_w003() -> None:
    assert ids(TALONONE=GOOD, CELERY_BROKER_URL=None) == ["django_talonone.W003"]
    assert "CELERY_BROKER_URL" in messages(TALONONE=GOOD, CELERY_BROKER_URL=None)


def test_all_sync_delivery_needs_no_celery() -> None:
    sync = dict.fromkeys(
        ("cart", "close", "cancel", "return", "profile", "delete_customer", "event"), "sync"
    )
    assert ids(TALONONE=GOOD | {"DELIVERY": sync}) == []


def test_outbox_without_celery_installed_is_w002(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *args: None if name == "celery" else real_find_spec(name, *args),
    )
    assert ids(TALONONE=GOOD, **CELERY_OK) == ["django_talonone.W002"]


def test_eager_celery_in_production_is_w004() -> None:
    assert ids(TALONONE=GOOD, CELERY_TASK_ALWAYS_EAGER=True, DEBUG=False) == [
        "django_talonone.W004"
    ]
    assert ids(TALONONE=GOOD, CELERY_TASK_ALWAYS_EAGER=True, DEBUG=True) == []


@pytest.mark.parametrize("lease", [5, 8])
def test_a_lease_not_longer_than_the_deadline_is_a_settings_error(lease: int) -> None:
    settings = GOOD | {"OUTBOX_LEASE": lease, "DEADLINE": 8}
    assert ids(TALONONE=settings, **CELERY_OK) == ["django_talonone.E004"]
    text = messages(TALONONE=settings, **CELERY_OK)
    assert (
        f"TALONONE['DEADLINE'] (8 s) must be shorter than TALONONE['OUTBOX_LEASE'] ({lease} s)"
        in text
    )


def test_messages_never_show_the_key() -> None:
    base = {"BASE_URL": "http://shop.talon.one", "API_KEY": "very-secret-key"}
    for settings in (base, base | {"X": 1}, base | {"TIMEOUT": "x"}):
        assert "very-secret-key" not in messages(TALONONE=settings)


@pytest.mark.parametrize(
    ("env", "expected"), [("5", (5.0, 5.0)), ("3.05,20", (3.05, 20.0)), (" 2 , 9 ", (2.0, 9.0))]
)
def test_timeouts_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, env: str, expected: tuple[float, float]
) -> None:
    from django_talonone.conf import get_settings

    monkeypatch.setenv("TALONONE_TIMEOUT", env)
    with override_settings(TALONONE=GOOD):
        assert get_settings().timeout == expected


@pytest.mark.parametrize("env", ["", "fast", "1,2,3", "0", "-1,5"])
def test_bad_timeouts_from_the_environment_name_the_setting(
    monkeypatch: pytest.MonkeyPatch, env: str
) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from django_talonone.conf import get_settings

    monkeypatch.setenv("TALONONE_TIMEOUT", env)
    with override_settings(TALONONE=GOOD), pytest.raises(ImproperlyConfigured, match="TIMEOUT"):
        get_settings()
