"""A hostile or broken Talon.One, served for real on loopback (see ``hostile_server``).

For each kind of reply (an array, wrong types, an object for a list, 5 MB, 100,000 levels
deep, a gzip bomb, trickled a byte at a time, cut off, an HTML page, a redirect), and for
each face of the app (the cart evaluation, the wallet and its API, the outbox, the bulk
tasks): nothing is taken as a success, nothing raises into the shop, promotions are shown
as unavailable, and no call outlives its deadline.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client

from django_talonone.models import (
    Audience,
    CustomerSession,
    Delivery,
    DeliveryStatus,
    ReferralCode,
    SyncState,
)
from django_talonone.outbox import deliver_pending
from django_talonone.services import enqueue_cart, evaluate_cart, reserve_coupon
from django_talonone.services.clients import get_client
from django_talonone.tasks.bulk import (
    create_referral_codes_task,
    sync_audiences_task,
    sync_profiles_task,
)
from django_talonone.wallet import get_wallet
from tests.shop.models import Cart, CartLine

from .hostile_server import CONTROL, KINDS, HostileTalonOne

pytestmark = pytest.mark.django_db(transaction=True)

#: Seconds: the cart's TIMEOUT (also its whole deadline) and the deliveries' DEADLINE.
TIMEOUT = 1.0
DEADLINE = 1.5
ALL_KINDS = sorted(KINDS)
#: Kinds that break any reply; the others break fields only some operations' replies have.
GENERIC = sorted(set(KINDS) - {"wrong_types", "object_for_list", "string_amount"})


@pytest.fixture
def hostile(settings: Any) -> Iterator[HostileTalonOne]:
    server = HostileTalonOne()
    settings.TALONONE = {
        "BASE_URL": server.url,
        "API_KEY": "k-hostile",
        "TIMEOUT": TIMEOUT,
        "DELIVERY_TIMEOUT": TIMEOUT,
        "DEADLINE": DEADLINE,
        "MAX_ATTEMPTS": 1,
    }
    yield server
    server.close()


def a_cart() -> Cart:
    with transaction.atomic():
        cart = Cart.objects.create()
        CartLine.objects.create(cart=cart, sku="MUG", name="Mug", price=Decimal("12.50"))
    return cart


def test_a_valid_reply_from_the_same_server_is_taken(hostile: HostileTalonOne) -> None:
    """The control: served the same way, a well-formed reply gives the cart its discount,
    so the failures below are the broken replies', not the server's."""
    hostile.kind = CONTROL
    cart = a_cart()
    evaluation = evaluate_cart(cart)
    assert evaluation.available
    assert evaluation.discount_total == Decimal(10)
    assert not CustomerSession.objects.get().evaluation_failed


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_the_cart_shows_promotions_unavailable(
    hostile: HostileTalonOne, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    hostile.kind = kind
    cart = a_cart()
    Delivery.objects.all().delete()  # the cart's own snapshot is the outbox tests' business
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="django_talonone"):
        evaluation = evaluate_cart(cart)
    assert not evaluation.available
    assert evaluation.discount_total == Decimal(0)
    session = CustomerSession.objects.get()
    assert session.evaluation_failed
    assert session.last_evaluation == {}  # no reply was stored as a success
    assert hostile.requests, "the evaluation did reach the hostile server"
    assert "showing the cart without promotions" in caplog.text
    if kind == "trickle":
        # Each byte came well within the per-read timeout; the call's deadline (one
        # TIMEOUT for the cart) ended it, and the client hung up mid-body.
        assert get_client("cart").deadline == pytest.approx(TIMEOUT)
        assert "reply did not arrive within the call's deadline" in caplog.text
        assert hostile.hung_up_early(timeout=10)
    if kind == "trickle_headers":
        # The same for a status line and headers trickled in: cut off at the deadline.
        assert "headers did not arrive within the call's deadline" in caplog.text
        assert hostile.hung_up_in_headers(timeout=10)
    if kind == "redirect":
        assert [path for _, path in hostile.requests if path == "/elsewhere"] == []


@pytest.mark.parametrize("kind", sorted(set(ALL_KINDS) - {"string_amount"}))
def test_the_wallet_is_unavailable(hostile: HostileTalonOne, kind: str) -> None:
    hostile.kind = kind
    wallet = get_wallet("hostile-1", use_cache=False)
    assert not wallet.available
    assert wallet.coupons == ()


@pytest.mark.parametrize("kind", ["array", "deep", "bomb", "html", "redirect"])
def test_the_wallet_api_answers_unavailable(
    hostile: HostileTalonOne, kind: str, client: Client
) -> None:
    hostile.kind = kind
    user = get_user_model().objects.create_user("mallory")
    client.force_login(user)
    response = client.get("/api/talonone/wallet/")
    assert response.status_code == 200
    assert response.json()["available"] is False


def _queue_cart_snapshot() -> None:
    enqueue_cart(a_cart())


def _queue_profile_sync() -> None:
    user = get_user_model().objects.create_user("trent", email="trent@example.com")
    sync_profiles_task.apply(args=("auth.user", [user.pk]))


def _queue_reservation() -> None:
    reserve_coupon("VIP-2026", ["ann", "bob"])


OUTBOX_CASES = [
    *((kind, _queue_cart_snapshot) for kind in ALL_KINDS),
    # a profile reply has no amounts; its integrationStates is an object in object_for_list
    *((kind, _queue_profile_sync) for kind in [*GENERIC, "object_for_list"]),
    *((kind, _queue_reservation) for kind in GENERIC),  # a reservation reply: any object
]


@pytest.mark.parametrize(("kind", "queue"), OUTBOX_CASES)
def test_the_outbox_retries_and_never_records_success(
    hostile: HostileTalonOne, kind: str, queue: Any
) -> None:
    hostile.kind = kind
    queue()
    deliver_pending()
    rows = list(Delivery.objects.exclude(status=DeliveryStatus.SUPERSEDED))
    assert rows, "a call was queued"
    assert hostile.requests, "and sent to the hostile server"
    for row in rows:
        assert row.status != DeliveryStatus.DONE, row.last_error
        assert row.status in (DeliveryStatus.PENDING, DeliveryStatus.DEAD)
        assert row.attempts == 1
        assert row.last_error  # says what was wrong with the reply
        assert row.lease_expires_at is None  # settled, not left in flight
    for session in CustomerSession.objects.all():
        assert session.last_evaluation == {}
        assert session.last_effects == []


@pytest.mark.parametrize("kind", [*GENERIC, "wrong_types"])  # an audience reply: an id
def test_the_audience_task_marks_the_audience_failed(hostile: HostileTalonOne, kind: str) -> None:
    hostile.kind = kind
    audience = Audience.objects.create(name="VIP", integration_id="crm-vip")
    result = sync_audiences_task.apply(args=([audience.pk],)).get()
    audience.refresh_from_db()
    assert (audience.sync_state, audience.talonone_id) == (SyncState.FAILED, None)
    assert audience.last_error
    assert result["failed"] == 1


@pytest.mark.parametrize("kind", [*GENERIC, "wrong_types", "object_for_list"])
def test_the_referral_task_creates_no_code(hostile: HostileTalonOne, kind: str) -> None:
    hostile.kind = kind
    row = ReferralCode.objects.create(campaign_id=3, advocate_profile_id="ann")
    other = ReferralCode.objects.create(campaign_id=3, advocate_profile_id="bob")
    create_referral_codes_task.apply(args=([row.pk, other.pk],))
    for code in ReferralCode.objects.all():
        assert code.code in ("", None)
        assert code.sync_state == SyncState.FAILED
        assert code.last_error
