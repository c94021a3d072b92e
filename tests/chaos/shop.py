"""A shop scenario that can be replayed: shoppers, their steps, and how to read the outcome.

A :class:`Scenario` is plain data (hypothesis draws it), so the same scenario can run once
against a healthy emulator and once against a faulty one, and the two outcomes compared.
Carts and orders get fixed primary keys and profiles are named after shoppers, so both runs
name everything alike; Talon.One session ids are random, so outcomes label each session by
the shop object it belongs to (``order:3``, ``cart:5``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q

from django_talonone import signals
from django_talonone.adapters import InvalidPayload
from django_talonone.emulator import Emulator
from django_talonone.models import CustomerSession, Delivery, DeliveryStatus, SessionReturn
from django_talonone.outbox import deliver_pending, due_lanes
from django_talonone.outbox.lanes import session_lane
from django_talonone.services import evaluate_cart
from tests.clocks import OutboxClock
from tests.shop.models import Cart, CartLine, Order, OrderLine

Line = tuple[str, Decimal, int]
FATES = ("abandon", "order", "cancel", "refund", "refund_cancel", "double_refund")
#: Fields whose values depend on timing or on the order lanes happen to be served in.
VOLATILE = frozenset(
    {"id", "created", "updated", "updateCount", "lastActivity", "at", "eventId", "sessionId"}
)

#: Lists of profile ids in the order their sessions closed, which differs across lanes.
UNORDERED = frozenset({"reservations", "referredCustomers"})


@dataclass(frozen=True)
class Shopper:
    lines: tuple[Line, ...]
    coupon: bool = False
    edits: int = 0
    fate: str = "order"
    refunded: tuple[int, ...] = (0,)
    #: Profile edits (each queues a profile update that supersedes the older ones).
    renames: int = 0
    #: The shopper deletes their account once the order is done (GDPR erasure).
    erase: bool = False

    def steps(self) -> list[str]:
        steps = ["cart"] + ["rename"] * self.renames + ["edit"] * self.edits
        if self.fate == "abandon":
            return steps  # no erasure: the cart, read at delivery, would turn anonymous
        steps.append("order")
        if self.fate in ("refund", "refund_cancel", "double_refund"):
            steps.append("refund")
        if self.fate == "double_refund":
            steps.append("refund_again")  # the same lines again: refused in the shop's call
        if self.fate in ("cancel", "refund_cancel"):
            steps.append("cancel")
        if self.erase:
            steps.append("erase")
        return steps


@dataclass(frozen=True)
class Scenario:
    shoppers: tuple[Shopper, ...]
    #: Whose step runs next (each shopper's steps run in order), and after which steps
    #: the outbox is delivered while shopping goes on.
    schedule: tuple[int, ...]
    deliver_after: frozenset[int] = field(default_factory=frozenset)


def simple_scenario(shoppers: Iterable[Shopper]) -> Scenario:
    """Every shopper's steps one after the other, delivery only at the end."""
    shoppers = tuple(shoppers)
    schedule = tuple(i for i, shopper in enumerate(shoppers) for _ in shopper.steps())
    return Scenario(shoppers, schedule)


# -- running a scenario ---------------------------------------------------------------------


def _cart_step(index: int, shopper: Shopper, step: str) -> None:
    pk = index + 1
    with transaction.atomic():
        if step == "cart":
            user = get_user_model().objects.get(username=f"s{index}")
            code = "WELCOME10" if shopper.coupon else ""
            cart = Cart.objects.create(pk=pk, user=user, coupon_code=code)
            for sku, price, quantity in shopper.lines:
                CartLine.objects.create(
                    cart=cart, sku=sku, name=sku.title(), price=price, quantity=quantity
                )
        elif step == "edit":
            line = CartLine.objects.filter(cart_id=pk).order_by("pk").first()
            assert line is not None
            line.quantity += 1
            line.save()
        elif step == "order":
            cart = Cart.objects.get(pk=pk)
            # Checkout charges what Talon.One says now, or full price when it cannot say.
            shown = evaluate_cart(cart)
            charged = shown.discount_total if shown.available else Decimal(0)
            order = Order(pk=pk, user=cart.user, cart=cart, coupon_code=cart.coupon_code)
            order.discount_total = charged
            order.status = Order.Status.PAID
            order.save()  # the order row first, its lines after, as shops do
            for line in cart.lines.order_by("pk"):
                OrderLine.objects.create(
                    order=order, sku=line.sku, name=line.name, quantity=line.quantity,
                    price=line.price,
                )  # fmt: skip
        elif step == "refund":
            order = Order.objects.get(pk=pk)
            lines = list(order.lines.order_by("pk"))
            refunded = [lines[i] for i in shopper.refunded if i < len(lines)] or lines[:1]
            signals.order_refunded.send(sender=Order, order=order, lines=refunded)
        elif step == "refund_again":
            order = Order.objects.get(pk=pk)
            lines = list(order.lines.order_by("pk"))
            refunded = [lines[i] for i in shopper.refunded if i < len(lines)] or lines[:1]
            rows = (SessionReturn.objects.count(), Delivery.objects.count())
            with pytest.raises(InvalidPayload, match="already returned"):
                signals.order_refunded.send(sender=Order, order=order, lines=refunded)
            assert (SessionReturn.objects.count(), Delivery.objects.count()) == rows
        elif step == "cancel":
            order = Order.objects.get(pk=pk)
            order.status = Order.Status.CANCELLED
            order.save()
        elif step == "rename":
            user = get_user_model().objects.get(username=f"s{index}")
            user.first_name += "x"
            user.save()
        elif step == "erase":
            get_user_model().objects.get(username=f"s{index}").delete()


def open_shop(count: int) -> None:
    """The shoppers' accounts (each signs up: a profile update is queued)."""
    for index in range(count):
        get_user_model().objects.create_user(f"s{index}", email=f"s{index}@example.com")


def close_shop(emulator: Emulator) -> None:
    """Forget everything, here and in the emulator, for the next run."""
    with transaction.atomic():
        OrderLine.objects.all().delete()
        Order.objects.all().delete()
        CartLine.objects.all().delete()
        Cart.objects.all().delete()
        get_user_model().objects.all().delete()
        SessionReturn.objects.all().delete()
        CustomerSession.objects.all().delete()
        Delivery.objects.all().delete()  # last: the deletions above queued calls too
    emulator.reset()


Round = Callable[[int], None]


def shop(scenario: Scenario, clock: OutboxClock, before_round: Round, gap: float = 7.0) -> None:
    """Run the scenario's steps, delivering the outbox where the schedule says."""
    open_shop(len(scenario.shoppers))
    plans = [shopper.steps() for shopper in scenario.shoppers]
    done = [0] * len(plans)
    for position, index in enumerate(scenario.schedule):
        _cart_step(index, scenario.shoppers[index], plans[index][done[index]])
        done[index] += 1
        if position in scenario.deliver_after:
            before_round(position)
            deliver_pending(clock=clock)
            clock.advance(gap)


def settle(clock: OutboxClock, before_round: Round, *, max_rounds: int = 2000) -> int:
    """Deliver until nothing is left that could ever be delivered; returns the rounds run.

    After each round the clock jumps to the next retry that is due, so backoffs pass
    without waiting. Lanes blocked by a dead row stay as they are, as they would in
    production until someone retries them.
    """
    for round_number in range(max_rounds):
        before_round(round_number)
        deliver_pending(clock=clock)
        waiting = Delivery.objects.filter(
            Q(status=DeliveryStatus.PENDING) | Q(status=DeliveryStatus.IN_FLIGHT)
        ).order_by("next_attempt_at")
        far = clock.now.replace(year=clock.now.year + 1)
        if not due_lanes(now=far):
            return round_number + 1
        first = waiting.filter(status=DeliveryStatus.PENDING).first()
        if first is not None:
            clock.move_to(first.next_attempt_at)
        if first is None or not due_lanes(now=clock.now):
            clock.advance(SETTLE_STEP)
    raise AssertionError(f"the outbox did not settle in {max_rounds} rounds")


SETTLE_STEP = 61.0  # beyond OUTBOX_LEASE: an abandoned claim becomes due again


# -- reading the outcome ----------------------------------------------------------------------


def session_labels() -> dict[str, str]:
    """Talon.One session id -> the shop object it belongs to, e.g. ``order:3``."""
    return {
        session.session_id: f"{session.content_type.model}:{session.object_id}"
        for session in CustomerSession.objects.select_related("content_type")
        if session.content_type is not None
    }


def canonical(value: Any, labels: dict[str, str]) -> Any:
    """``value`` with session ids replaced by labels and volatile fields dropped."""
    if isinstance(value, dict):
        return {
            labels.get(key, key): sorted(item) if key in UNORDERED else canonical(item, labels)
            for key, item in value.items()
            if key not in VOLATILE and not (key == "profileId" and isinstance(item, int))
        }
    if isinstance(value, list):
        return [canonical(item, labels) for item in value]
    if isinstance(value, str):
        return labels.get(value, value)
    return value


def charges() -> list[tuple[str, Decimal | None, Decimal | None, Decimal | None]]:
    """Per order session: (label, charged, recorded at the close, difference flagged)."""
    labels = session_labels()
    return sorted(
        (labels[s.session_id], s.charged_discount, s.recorded_discount, s.charge_difference)
        for s in CustomerSession.objects.filter(content_type__model="order")
    )


def emulator_outcome(emulator: Emulator) -> dict[str, Any]:
    """What Talon.One ends up knowing, comparable between two runs."""
    data = emulator.state.to_dict()["data"]
    data.pop("counters")  # creation order across lanes, not outcome
    # Keys are random per run; each return is applied once, so their count is an outcome
    # (how many profile updates were sent, each with its key, depends on coalescing).
    data["idempotency"] = sum(
        1 for scope in data["idempotency"] if scope.startswith("returnCartItems")
    )
    return dict(canonical(data, session_labels()))


def outbox_outcome() -> list[tuple[str, str, str]]:
    """Each row's lane, operation and final status, comparable between two runs."""
    labels = session_labels()
    rows = []
    # How many snapshots one call covered depends on delivery timing: compare the rest.
    for row in Delivery.objects.filter(supersedable=False).select_related("session"):
        session = labels.get(row.session.session_id, "?") if row.session else ""
        # a session's own lane is named by its (random) id: name it by its label instead
        own = row.session is not None and row.lane == session_lane(row.session.session_id)
        lane = f"session of {session}" if own else row.lane
        rows.append((lane, session, str(row.operation), str(row.status)))
    return sorted(rows)


def differences(left: Any, right: Any, path: str = "") -> list[str]:
    """Where two outcomes differ, as ``path: left != right`` lines (for readable failures)."""
    if isinstance(left, dict) and isinstance(right, dict):
        found = []
        for key in sorted(set(left) | set(right), key=str):
            if key not in left or key not in right:
                found.append(f"{path}/{key}: only in {'right' if key in right else 'left'}")
            else:
                found += differences(left[key], right[key], f"{path}/{key}")
        return found
    if isinstance(left, list) and isinstance(right, list) and len(left) == len(right):
        return [
            line
            for i, pair in enumerate(zip(left, right, strict=True))
            for line in differences(*pair, f"{path}/{i}")
        ]
    return [] if left == right else [f"{path}: {left!r} != {right!r}"]
