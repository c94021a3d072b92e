"""The NOTIFICATION_* settings: read through conf, refused with the setting's name."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from django_talonone.conf import get_settings

from .conftest import OLD_SECRET, SECRET, SETTINGS

BASE = {"BASE_URL": "http://talonone.emulator", "API_KEY": "test-api-key"}


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def test_defaults() -> None:
    with override_settings(TALONONE=BASE):
        config = get_settings()
    assert config.notification_secrets == ()
    assert config.notification_header == "X-Talonone-Secret"
    assert config.notification_max_bytes == 4 * 1024 * 1024
    assert config.notification_processing == "task"
    assert config.notification_lease == 300.0


def test_secrets_come_from_the_environment_comma_separated(env: pytest.MonkeyPatch) -> None:
    env.setenv("TALONONE_NOTIFICATION_SECRETS", f"{SECRET},{OLD_SECRET}")
    with override_settings(TALONONE=BASE):
        assert get_settings().notification_secrets == (SECRET, OLD_SECRET)


@pytest.mark.parametrize(
    ("key", "value", "named"),
    [
        ("NOTIFICATION_HEADER", "X Secret", "TALONONE['NOTIFICATION_HEADER']"),
        ("NOTIFICATION_PROCESSING", "celery", "TALONONE['NOTIFICATION_PROCESSING']"),
        ("NOTIFICATION_MAX_BYTES", 10, "TALONONE['NOTIFICATION_MAX_BYTES']"),
        ("NOTIFICATION_LEASE", 0, "TALONONE['NOTIFICATION_LEASE']"),
        ("NOTIFICATION_SECRETS", {"a": "b"}, "TALONONE['NOTIFICATION_SECRETS']"),
    ],
)
def test_bad_values_are_refused_naming_the_setting(key: str, value: Any, named: str) -> None:
    with (
        override_settings(TALONONE={**SETTINGS, key: value}),
        pytest.raises(ImproperlyConfigured, match=re.escape(named)),
    ):
        get_settings()


def test_the_check_reports_a_routed_endpoint_without_secrets() -> None:
    with (
        override_settings(
            TALONONE={**SETTINGS, "NOTIFICATION_SECRETS": None},
            ROOT_URLCONF="tests.notifications.urls",
        ),
        pytest.raises(SystemCheckError, match=r"django_talonone\.E030"),
    ):
        call_command("check", tags=["talonone"])


def test_the_check_is_quiet_with_secrets_or_without_the_route() -> None:
    with override_settings(TALONONE=SETTINGS, ROOT_URLCONF="tests.notifications.urls"):
        call_command("check", tags=["talonone"])
    with override_settings(
        TALONONE={**SETTINGS, "NOTIFICATION_SECRETS": None}, ROOT_URLCONF="tests.urls"
    ):
        call_command("check", tags=["talonone"])


def test_the_check_warns_when_tasks_are_asked_for_without_celery(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import importlib.util

    from django_talonone.checks import check_talonone_settings

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "celery" else real(name, *a)
    )
    with override_settings(TALONONE=SETTINGS, ROOT_URLCONF="tests.notifications.urls"):
        ids = [message.id for message in check_talonone_settings()]
        inline = {**SETTINGS, "NOTIFICATION_PROCESSING": "inline"}
        with override_settings(TALONONE=inline):
            inline_ids = [message.id for message in check_talonone_settings()]
    assert "django_talonone.W030" in ids
    assert "django_talonone.W030" not in inline_ids
