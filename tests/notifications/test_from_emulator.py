"""End to end in process: the emulator's notifier posts to the shop's endpoint.

The emulator syncs a catalogue and pushes its strikethrough prices with the shop's
secret; the shop stores, processes and prices the SKU. A replay of the same X-UUID (the
emulator retrying after a lost answer) is processed once; a notifier with the wrong
password is refused and nothing is stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from django_talonone.emulator import Emulator
from django_talonone.emulator.notifier import Notifier, Post, Target
from django_talonone.models import Notification, NotificationState
from django_talonone.services.strikethrough import was_now
from tests.emulator.test_notifications import TEA_WEEK

from .conftest import SECRET, URL

pytestmark = pytest.mark.django_db(transaction=True)


def shop_post(client: Client, lose_first_answer: bool = False) -> Post:
    """The notifier's HTTP call, made to the shop through Django's test client."""
    lost = [lose_first_answer]

    def post(url: str, headers: Mapping[str, str], body: bytes) -> int:
        extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
        extra.pop("HTTP_CONTENT_TYPE")
        status = int(
            client.post(url, data=body, content_type="application/json", **extra).status_code
        )
        if lost[0]:
            lost[0] = False
            raise ConnectionError("the answer was lost on the way back")
        return status

    return post


def test_the_emulator_prices_the_catalogue_and_the_shop_shows_it(client: Client) -> None:
    notifier = Notifier(
        [Target(url=URL, password=SECRET)],
        post=shop_post(client, lose_first_answer=True),
        schedule=(0.0,),
    )
    emulator = Emulator(config=TEA_WEEK, notifier=notifier)
    [uuid] = emulator.sync_catalog([{"sku": "TEA-GREEN", "price": 10}, {"sku": "MUG", "price": 4}])
    assert notifier.wait()
    [entry] = notifier.sent()
    assert [attempt["status"] for attempt in entry["attempts"]] == [None, 200]
    row = Notification.objects.get()
    assert (row.uuid, row.kind, row.state, row.attempts) == (
        uuid,
        "strikethrough",
        NotificationState.PROCESSED,
        1,
    )
    tea = was_now("TEA-GREEN", at=timezone.now() + timedelta(seconds=1))
    assert tea is not None
    assert (tea.was, tea.now) == (Decimal("10.00"), Decimal("8.00"))
    mug = was_now("MUG", at=timezone.now() + timedelta(seconds=1))
    assert mug is not None
    assert not mug.discounted


def test_a_notifier_with_the_wrong_password_is_refused(client: Client) -> None:
    notifier = Notifier(
        [Target(url=URL, password="not-the-shop-secret-0000")],
        post=shop_post(client),
        schedule=(),
    )
    emulator = Emulator(config=TEA_WEEK, notifier=notifier)
    emulator.sync_catalog([{"sku": "TEA-GREEN", "price": 10}])
    assert notifier.wait()
    assert notifier.sent()[0]["state"] == "refused"
    assert notifier.sent()[0]["attempts"] == [{"status": 403, "error": None}]
    assert not Notification.objects.exists()
