"""Keys only travel encrypted, and ids cannot smuggle headers or path segments."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.checks import run_checks
from django.test import override_settings
from django.utils import timezone

from django_talonone.emulator import Emulator
from django_talonone.models import Delivery, DeliveryStatus
from django_talonone.outbox import deliver_pending
from django_talonone.services import forget_customer, track_event

from .conftest import SETTINGS

HOSTILE_IDS = [
    "ann\r\nX-Injected: 1",
    "ann/../../v2/audiences",
    "ann?dry=true#frag",
    "ann%2F..%2Fx",
    "ann\x0bX-Tab: 2",
]


@pytest.mark.parametrize(
    ("base_url", "warned"),
    [
        ("http://talon.example.com", True),
        ("http://10.0.0.5:9100", True),
        ("https://shop.europe-west1.talon.one", False),
        ("http://127.0.0.1:9100", False),
        ("http://localhost:9100", False),
        ("http://[::1]:9100", False),
    ],
)
def test_plain_http_to_a_remote_host_is_flagged(base_url: str, warned: bool) -> None:
    with override_settings(TALONONE={**SETTINGS, "BASE_URL": base_url}):
        ids = [message.id for message in run_checks(tags=["talonone"])]
    assert ("django_talonone.W001" in ids) is warned


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("profile_id", HOSTILE_IDS)
def test_profile_ids_cannot_inject_headers_or_path_segments(
    emulator: Emulator, profile_id: str
) -> None:
    track_event(profile_id, "newsletter_signup")
    forget_customer(profile_id)
    deliver_pending(clock=lambda: timezone.now() + timedelta(minutes=1))
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.DONE}
    entries = emulator.requests
    assert [entry["operation"] for entry in entries] == ["trackEventV2", "deleteCustomerData"]
    erase = entries[1]
    assert erase["path"].count("/") == 3  # /v1/customer_data/<one segment>
    assert erase["query"] == {}
    for entry in entries:
        assert set(entry["headers"]) <= {"Authorization", "Content-Type", "Idempotency-Key"}
    assert entries[0]["requestBody"]["profileId"] == profile_id
    assert list(emulator.state.data["profiles"]) == [profile_id]
    assert emulator.state.data["profiles"][profile_id]["attributes"] == {}
