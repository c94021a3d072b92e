"""API and management keys never show up in logs, errors, stored rows, task arguments,
settings reprs or system-check messages."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from celery.signals import before_task_publish
from django.core.checks import run_checks
from django.test import override_settings

from django_talonone.client import TalonOneClient, TalonOneConfigurationError, TalonOneError
from django_talonone.conf import get_settings
from django_talonone.emulator import Emulator
from django_talonone.models import CustomerSession, Delivery, DeliveryStatus, SessionReturn

from .conftest import API_KEY, MANAGEMENT_KEY, SECRETS, SETTINGS, exception_texts, leaks
from .flow import shop_day

pytestmark = pytest.mark.django_db(transaction=True)


def _record_texts(record: logging.LogRecord) -> list[str]:
    texts = [record.getMessage(), repr(record.args), repr(vars(record))]
    if record.exc_info:
        texts.append(logging.Formatter().formatException(record.exc_info))
    return texts


def test_a_whole_day_of_failures_logs_no_key(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    errors: list[BaseException] = []
    shop_day(emulator, errors)

    levels = {record.levelno for record in caplog.records}
    assert {logging.DEBUG, logging.WARNING} <= levels  # the flow was logged, failures too
    assert any("401" in record.getMessage() for record in caplog.records)
    assert leaks(text for record in caplog.records for text in _record_texts(record)) == []


def test_errors_carry_no_key(emulator: Emulator) -> None:
    errors: list[BaseException] = []
    shop_day(emulator, errors)
    assert {type(error).__name__ for error in errors} >= {
        "TalonOneTimeoutError",
        "TalonOneUnauthorized",
        "TalonOneNotFound",
    }
    assert leaks(text for error in errors for text in exception_texts(error)) == []


def test_stored_rows_carry_no_key(emulator: Emulator) -> None:
    shop_day(emulator, [])
    rows = list(Delivery.objects.all())
    assert any(row.status == DeliveryStatus.DEAD and row.last_error_status == 401 for row in rows)
    texts = [json.dumps([row.payload, row.reply, row.last_error], default=str) for row in rows] + [
        json.dumps([s.last_effects, s.last_evaluation], default=str)
        for s in CustomerSession.objects.all()
    ]
    texts += [json.dumps(r.reply, default=str) for r in SessionReturn.objects.all()]
    assert leaks(texts) == []


def test_task_messages_carry_lane_names_and_ids_only(emulator: Emulator) -> None:
    published: list[dict[str, Any]] = []

    def capture(sender: str, body: Any, headers: dict[str, Any], **kwargs: Any) -> None:
        published.append({"task": sender, "body": body, "headers": headers})

    before_task_publish.connect(capture, weak=False, dispatch_uid="security-publish")
    try:
        shop_day(emulator, [])
    finally:
        before_task_publish.disconnect(dispatch_uid="security-publish")
    assert {message["task"] for message in published} >= {"talonone.deliver_lane"}
    assert leaks(repr(message) for message in published) == []
    for message in published:
        args = message["headers"].get("argsrepr") or repr(message["body"][0])
        assert "{" not in args, f"a task got a payload, not ids: {args}"


def test_settings_and_clients_keep_their_keys_out_of_reprs(emulator: Emulator) -> None:
    config = get_settings()
    assert leaks([repr(config), str(config)]) == []
    assert config.api_key == API_KEY  # the key is there, just not shown
    client = TalonOneClient(
        base_url="https://shop.talon.one", api_key=API_KEY, management_key=MANAGEMENT_KEY
    )
    assert leaks([repr(client), str(client)]) == []
    with pytest.raises(TypeError, match="cannot be pickled"):
        __import__("pickle").dumps(client)


@pytest.mark.parametrize(
    "bad",
    [
        {"API_KEY": f" {API_KEY}\n"},
        {"API_KEY": f"{API_KEY}\r\nX-Injected: 1"},
        {"MANAGEMENT_KEY": f"{MANAGEMENT_KEY} "},
        {"BASE_URL": f"https://user:{API_KEY}@shop.talon.one"},
    ],
)
def test_rejected_keys_and_urls_are_not_echoed(bad: dict[str, str]) -> None:
    config = {**SETTINGS, **bad}
    with pytest.raises(TalonOneConfigurationError) as caught:
        TalonOneClient(
            base_url=config["BASE_URL"],
            api_key=config["API_KEY"],
            management_key=config["MANAGEMENT_KEY"],
        )
    assert leaks(exception_texts(caught.value)) == []


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"BASE_URL": "http://talon.example.com"},
        {"BASE_URL": f"https://ann:{API_KEY}@shop.talon.one"},
        {"BASE_URL": f"ftp://ann:{API_KEY}@shop.talon.one"},
        {"BASE_URL": None},
        {"TIMEOUT": "soon"},
        {"OUTBOX_LEASE": 1.0},
    ],
)
def test_system_check_messages_never_show_a_key(overrides: dict[str, Any]) -> None:
    with override_settings(TALONONE={**SETTINGS, **overrides}):
        messages = run_checks(tags=["talonone"])
    texts = [f"{message.msg} {message.hint} {message!r}" for message in messages]
    assert leaks(texts) == []


def test_credentials_in_the_base_url_are_reported_without_showing_them() -> None:
    with override_settings(TALONONE={**SETTINGS, "BASE_URL": f"https://a:{API_KEY}@x.talon.one"}):
        messages = run_checks(tags=["talonone"])
    assert [message.id for message in messages] == ["django_talonone.E006"]
    assert "credentials" in messages[0].msg


def test_errors_raised_over_real_http_carry_no_key() -> None:
    """The same through a socket: requests' own exceptions name the URL, never headers."""
    emulator = Emulator(api_key=API_KEY, management_key=MANAGEMENT_KEY)
    with emulator.serve() as running:
        client = TalonOneClient(base_url=running.url, api_key=API_KEY, max_attempts=1)
        emulator.set_faults(seed=2, drop_rate=1.0)
        with pytest.raises(TalonOneError) as dropped:
            client.get_customer_session("s1")
        emulator.set_faults(seed=2, error_rates={502: 1.0})
        with pytest.raises(TalonOneError) as gateway:
            client.get_customer_session("s1")
        client.close()
    assert leaks(exception_texts(dropped.value) + exception_texts(gateway.value)) == []
    assert SECRETS
