"""Cart snapshots: one INSERT in the request, built by the worker, woken in batches."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
from celery import current_app
from celery.signals import before_task_publish
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from django_talonone.evaluation import Evaluation
from django_talonone.models import CustomerSession, Delivery, DeliveryStatus, SessionState
from django_talonone.outbox import cart_lane, deliver_pending
from django_talonone.outbox.lanes import session_lane
from django_talonone.outbox.snapshots import (
    WAKE_INTERVAL,
    WATCH_EVERY,
    WATCH_POLLS,
    SnapshotRecorder,
    recorder,
    watch,
)
from django_talonone.services import cancel_order
from django_talonone.testing import TalonOneHarness
from tests.clocks import MonotonicClock
from tests.shop.models import Cart, CartLine

from .conftest import UPDATE, fill, order_from, sent_sessions

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def no_worker(shop: TalonOneHarness) -> Iterator[None]:
    """Tasks go to the in-memory broker and stay there: nothing is delivered by itself."""
    current_app.conf.task_always_eager = False
    recorder().forget_last_publish()
    try:
        yield
    finally:
        current_app.conf.task_always_eager = True
        recorder().forget_last_publish()


def lane_of(cart: Cart) -> str:
    return cart_lane("shop.cart", cart.pk)


def test_a_cart_change_costs_the_request_one_insert_in_its_transaction(no_worker: None) -> None:
    cart = Cart.objects.create()
    Delivery.objects.all().delete()
    with CaptureQueriesContext(connection) as captured, transaction.atomic():
        fill(cart, ("MUG", "12.00", 1), ("TEA", "4.50", 2))
    statements = [query["sql"] for query in captured]
    assert statements[-1] == "COMMIT"  # nothing after the shop's commit
    inserts = [sql for sql in statements if "django_talonone" in sql]
    assert len(inserts) == 1
    assert inserts[0].startswith('INSERT INTO "django_talonone_delivery"')
    row = Delivery.objects.get()
    assert (row.lane, row.status, row.supersedable) == (lane_of(cart), "pending", True)
    assert row.payload == {"cart": {"model": "shop.cart", "pk": str(cart.pk)}}
    assert row.operation == "update_customer_session_v2"
    assert (row.attempts, row.last_error, row.reply, row.session_id) == (0, "", None, None)
    assert row.created_at == row.updated_at == row.next_attempt_at
    assert len(row.idempotency_key) == 36
    assert not CustomerSession.objects.exists()


def change_then_fail(cart: Cart) -> None:
    with transaction.atomic():
        fill(cart, ("MUG", "12.00", 1))
        raise RuntimeError("rolled back, outbox row and all")


def test_a_rolled_back_change_leaves_no_row(no_worker: None) -> None:
    cart = Cart.objects.create()
    Delivery.objects.all().delete()
    with pytest.raises(RuntimeError):
        change_then_fail(cart)
    assert not Delivery.objects.exists()


def test_a_change_rolled_back_with_its_savepoint_is_recorded_again(no_worker: None) -> None:
    cart = Cart.objects.create()
    Delivery.objects.all().delete()
    with transaction.atomic():
        with pytest.raises(RuntimeError):
            change_then_fail(cart)  # the first change writes the row in this savepoint
        fill(cart, ("TEA", "4.50", 1))
        fill(cart, ("PEN", "1.99", 1))
    [row] = Delivery.objects.all()
    assert row.lane == lane_of(cart)


@pytest.fixture
def published() -> Iterator[list[tuple[str, tuple[object, ...]]]]:
    """(task name, args) of every task published to the broker during the test."""
    seen: list[tuple[str, tuple[object, ...]]] = []

    def record(sender: str, body: tuple[object, ...], **kwargs: object) -> None:
        seen.append((sender, tuple(body[0])))  # type: ignore[arg-type]

    before_task_publish.connect(record, weak=False)
    try:
        yield seen
    finally:
        before_task_publish.disconnect(record)


@pytest.mark.parametrize("uptime", [100.0, 100_000.0])
def test_a_row_that_waited_in_its_transaction_kicks_its_lane(
    no_worker: None, published: list[tuple[str, tuple[object, ...]]], uptime: float
) -> None:
    clock = MonotonicClock(uptime)
    snapshots = SnapshotRecorder(clock)
    cart = Cart.objects.create()
    published.clear()  # the app's own recorder woke a watch for the create
    with transaction.atomic():
        quick = snapshots.insert("shop.cart", cart.pk)
        slow = snapshots.insert("shop.cart", cart.pk + 1)
    quick()  # committed at once: a watch will see it
    clock.now += WATCH_EVERY  # committed late: a watch may have moved past its id
    slow()
    assert [name for name, _ in published] == ["talonone.watch_outbox", "talonone.deliver_lane"]
    assert published[1][1] == (cart_lane("shop.cart", cart.pk + 1),)


def test_wake_publishes_at_most_once_per_interval(
    no_worker: None, published: list[tuple[str, tuple[object, ...]]]
) -> None:
    clock = MonotonicClock()
    snapshots = SnapshotRecorder(clock)
    assert snapshots.wake("cart:x", 7) is True
    clock.now += WAKE_INTERVAL / 2
    assert snapshots.wake("cart:x", 8) is False
    clock.now += WAKE_INTERVAL
    assert snapshots.wake("cart:x", 9) is True
    assert published == [
        ("talonone.watch_outbox", (6, 6, WATCH_POLLS)),
        ("talonone.watch_outbox", (8, 8, WATCH_POLLS)),
    ]
    # The watch outlives the interval, so it sees what the skipped wakes recorded.
    assert (WATCH_POLLS - 1) * WATCH_EVERY > 1.5 * WAKE_INTERVAL


def test_a_row_below_the_running_watch_kicks_its_own_lane(
    no_worker: None, published: list[tuple[str, tuple[object, ...]]]
) -> None:
    snapshots = SnapshotRecorder(MonotonicClock())
    assert snapshots.wake("cart:x", 7) is True
    # Another thread's row took its id earlier and committed just after: the watch
    # starts above it, so its lane is kicked instead of waiting for the sweeper.
    assert snapshots.wake("cart:y", 5) is False
    assert published[1:] == [("talonone.deliver_lane", ("cart:y",))]


def test_the_app_owns_one_recorder_and_a_new_one_shares_nothing_with_it(
    no_worker: None, published: list[tuple[str, tuple[object, ...]]]
) -> None:
    assert recorder() is recorder()
    assert recorder().wake("cart:x", 7) is True
    assert SnapshotRecorder(MonotonicClock()).wake("cart:x", 8) is True  # no publish to lean on
    assert [args for _, args in published] == [(6, 6, WATCH_POLLS), (7, 7, WATCH_POLLS)]


def test_eager_celery_delivers_every_change_at_once(shop: TalonOneHarness) -> None:
    cart = Cart.objects.create()
    fill(cart, ("MUG", "12.00", 1))
    fill(cart, ("TEA", "4.50", 1))
    assert [len(body["cartItems"]) for body in sent_sessions(shop)] == [1, 2]


def test_watch_kicks_the_lanes_of_new_due_rows(shop: TalonOneHarness, no_worker: None) -> None:
    with transaction.atomic():
        first = Cart.objects.create()
        fill(first, ("MUG", "12.00", 1))
    with transaction.atomic():
        second = Cart.objects.create()
        fill(second, ("TEA", "4.50", 1))
    fill(first, ("PEN", "1.99", 1))
    rows = list(Delivery.objects.filter(status=DeliveryStatus.PENDING).order_by("pk"))
    assert [row.lane for row in rows] == [lane_of(first), lane_of(second), lane_of(first)]
    current_app.conf.task_always_eager = True  # the kicks now deliver at once
    lanes, newest = watch(rows[0].pk)
    assert (lanes, newest) == ([lane_of(second), lane_of(first)], rows[-1].pk)
    assert len(shop.requests(UPDATE)) == 2
    assert watch(newest) == ([], newest)


def test_the_worker_sends_the_cart_as_it_is_then(shop: TalonOneHarness, no_worker: None) -> None:
    cart = Cart.objects.create(coupon_code="WELCOME10")
    fill(cart, ("MUG", "20.00", 1))
    cart.lines.update(quantity=3)  # no signal: the worker still reads the newest cart
    deliver_pending()
    [sent] = sent_sessions(shop)
    assert [(line["sku"], line["quantity"]) for line in sent["cartItems"]] == [("MUG", 3)]
    assert sent["couponCodes"] == ["WELCOME10"]


def test_outbox_delivery_stores_the_evaluation_for_the_cart_page(shop: TalonOneHarness) -> None:
    with transaction.atomic():
        cart = Cart.objects.create(coupon_code="WELCOME10")
        fill(cart, ("MUG", "20.00", 2))
    session = CustomerSession.objects.get()
    evaluation = Evaluation.from_dict(session.last_evaluation)
    assert evaluation.available
    assert evaluation.discount_total == Decimal("4.00")
    assert evaluation.accepted_coupons == ("WELCOME10",)
    assert evaluation.session_id == session.session_id


def test_a_deleted_cart_is_settled_without_a_call(shop: TalonOneHarness, no_worker: None) -> None:
    cart = Cart.objects.create()
    fill(cart, ("MUG", "20.00", 1))
    cart_pk = cart.pk
    cart.delete()
    deliver_pending()
    assert shop.requests(UPDATE) == []
    rows = Delivery.objects.filter(lane=cart_lane("shop.cart", cart_pk))
    assert {row.status for row in rows} == {DeliveryStatus.DONE, DeliveryStatus.SUPERSEDED}
    done = rows.get(status=DeliveryStatus.DONE)
    assert done.last_error == f"cart shop.cart #{cart_pk} was deleted"


def test_invalid_cart_data_is_logged_and_does_not_block_the_lane(
    shop: TalonOneHarness, no_worker: None, caplog: pytest.LogCaptureFixture
) -> None:
    cart = Cart.objects.create()
    CartLine.objects.create(cart=cart, sku="MUG", name="Mug", quantity=0, price=Decimal("1"))
    with caplog.at_level(logging.ERROR, logger="django_talonone.services"):
        deliver_pending()
    row = Delivery.objects.filter(lane=lane_of(cart)).order_by("pk").first()
    assert row is not None
    assert row.status == DeliveryStatus.DONE
    assert "items[0].quantity" in row.last_error
    assert any("not sent to Talon.One" in record.getMessage() for record in caplog.records)
    assert shop.requests(UPDATE) == []


def test_placing_an_order_retires_queued_snapshots_and_closes_on_its_own_lane(
    shop: TalonOneHarness, no_worker: None, user
) -> None:
    with transaction.atomic():
        cart = Cart.objects.create(user=user, coupon_code="WELCOME10")
        fill(cart, ("MUG", "40.00", 1))
    with transaction.atomic():
        order = order_from(cart)
    close = Delivery.objects.get(supersedable=False)
    assert close.lane == session_lane(close.session.session_id)  # not the cart's any more
    snapshots = Delivery.objects.filter(lane=lane_of(cart), supersedable=True)
    assert {row.status for row in snapshots} == {DeliveryStatus.SUPERSEDED}
    deliver_pending()
    [closed] = sent_sessions(shop)
    assert closed["state"] == "closed"
    assert [line["sku"] for line in closed["cartItems"]] == ["MUG"]
    close.refresh_from_db()
    assert close.status == DeliveryStatus.DONE
    session = CustomerSession.objects.get()
    assert session.state == SessionState.CLOSED
    cancel_order(order)
    cancel = Delivery.objects.order_by("pk").last()
    assert cancel is not None
    assert cancel.lane == close.lane  # after its close, on the same lane


def test_a_close_waits_for_the_snapshot_being_sent(
    shop: TalonOneHarness, no_worker: None, user
) -> None:
    with transaction.atomic():
        cart = Cart.objects.create(user=user)
        fill(cart, ("MUG", "40.00", 1))
    head = Delivery.objects.get(lane=lane_of(cart))
    lease = timezone.now() + timedelta(minutes=5)
    Delivery.objects.filter(pk=head.pk).update(
        status=DeliveryStatus.IN_FLIGHT, attempts=1, lease_expires_at=lease
    )
    with transaction.atomic():
        order_from(cart)
    close = Delivery.objects.get(lane=lane_of(cart), supersedable=False)
    deliver_pending()
    assert shop.requests(UPDATE) == []  # the close waits behind the snapshot in flight
    close.refresh_from_db()
    assert close.status == DeliveryStatus.PENDING
