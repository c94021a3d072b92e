"""Many shoppers through the outbox while the emulator fails at random: same end state.

Each example draws a shop scenario (sign-ups, profile edits, carts, edits, orders, cancels,
partial refunds, some refunding a line twice, which the app refuses before writing, account
deletions) and a cycle of fault phases
(5xx, 502 HTML pages, 409, 429 with Retry-After, dropped connections before or after the
call was applied, replies later than the read timeout). The scenario runs once against a
healthy emulator and once against the faulty one, with deliveries interleaved with the
shopping at the same points; afterwards the faults stop and the outbox is delivered until
it settles. Then Talon.One's state must be exactly the healthy run's state, no row is
dead (a dead row would have sent ``delivery_dead``), and every session saw its calls in
order. ``TALONONE_CHAOS_EXAMPLES=500`` runs a longer soak.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from django_talonone import signals
from django_talonone.emulator import Emulator
from django_talonone.models import CustomerSession, Delivery, DeliveryStatus, SessionReturn
from django_talonone.outbox import delivery_dead
from tests.clocks import OutboxClock

from .conftest import TIMEOUT_LATENCY_MS
from .shop import (
    FATES,
    Round,
    Scenario,
    Shopper,
    charges,
    close_shop,
    differences,
    emulator_outcome,
    outbox_outcome,
    settle,
    shop,
)

pytestmark = pytest.mark.django_db(transaction=True)

CHAOS = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=int(os.environ.get("TALONONE_CHAOS_EXAMPLES", "20")),
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SESSION_OPERATIONS = ["updateCustomerSessionV2", "returnCartItems"]
#: Fates whose order stays placed, so its coupon stays redeemed.
KEPT_ORDERS = ("order", "refund", "double_refund")
ALL_OPERATIONS = [*SESSION_OPERATIONS, "updateCustomerProfileV2"]

lines = st.lists(
    st.tuples(
        st.sampled_from(["shoes", "socks", "hat", "coat", "belt"]),
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("150"), places=2),
        st.integers(min_value=1, max_value=3),
    ),
    min_size=1,
    max_size=3,
    unique_by=lambda line: line[0],
).map(tuple)
shoppers = st.builds(
    Shopper,
    lines=lines,
    coupon=st.booleans(),
    edits=st.integers(min_value=0, max_value=2),
    fate=st.sampled_from(FATES),
    refunded=st.lists(st.integers(min_value=0, max_value=2), min_size=1, max_size=2, unique=True)
    .map(sorted)
    .map(tuple),
    renames=st.integers(min_value=0, max_value=2),
    erase=st.booleans(),
)
rate = st.sampled_from([0.0, 0.05, 0.1])
faults = st.fixed_dictionaries(
    {
        "seed": st.integers(min_value=0, max_value=2**32),
        "error_rates": st.fixed_dictionaries(
            {409: rate, 429: rate, 500: rate, 502: rate, 503: rate}
        ).map(lambda rates: {status: r for status, r in rates.items() if r}),
        "drop_rate": st.sampled_from([0.0, 0.2, 0.4]),
        "drop_after_apply": st.booleans(),
    },
    optional={
        # Every call of these operations answers after the read timeout (maybe applied).
        "timeouts": st.lists(st.sampled_from(ALL_OPERATIONS), min_size=1, unique=True),
    },
)


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    people = tuple(draw(st.lists(shoppers, min_size=2, max_size=6)))
    tokens = [index for index, shopper in enumerate(people) for _ in shopper.steps()]
    schedule = tuple(draw(st.permutations(tokens)))
    pauses = draw(st.sets(st.integers(min_value=0, max_value=len(schedule) - 1), max_size=6))
    return Scenario(people, schedule, frozenset(pauses))


def phases(emulator: Emulator, specs: list[dict[str, Any]], chaos_rounds: int) -> Round:
    """Fault phase ``n % len(specs)`` for round ``n`` while ``n < chaos_rounds``, then none."""

    def before_round(number: int) -> None:
        if number >= chaos_rounds:
            emulator.clear_faults()
            return
        spec = dict(specs[number % len(specs)])
        timeouts = spec.pop("timeouts", None)
        if timeouts and number % 2:  # a time-out phase every other round, so others progress
            emulator.set_faults(**spec, latency_ms=TIMEOUT_LATENCY_MS, operations=timeouts)
        else:
            emulator.set_faults(**spec)

    return before_round


def no_faults(emulator: Emulator) -> Round:
    return lambda number: emulator.clear_faults()


@contextmanager
def mismatches() -> Iterator[list[str]]:
    """The sessions ``charge_mismatch`` was sent for."""
    received: list[str] = []

    def record(sender: Any, session: CustomerSession, **kwargs: Any) -> None:
        received.append(session.session_id)

    signals.charge_mismatch.connect(record, weak=False, dispatch_uid="chaos-charge")
    try:
        yield received
    finally:
        signals.charge_mismatch.disconnect(dispatch_uid="chaos-charge")


def check_charges(flagged: list[str]) -> int:
    """Every placed order's close was recorded and compared with what checkout charged: a
    difference is flagged (and announced once) exactly when the two differ. Returns how
    many were flagged."""
    orders = CustomerSession.objects.filter(content_type__model="order")
    for session in orders:
        assert session.charged_discount is not None
        assert session.recorded_discount is not None, f"close of {session} not recorded"
        difference = session.recorded_discount - session.charged_discount
        assert session.charge_difference == (difference or None), session
    expected = sorted(
        orders.filter(charge_difference__isnull=False).values_list("session_id", flat=True)
    )
    assert sorted(flagged) == expected
    return len(expected)


@contextmanager
def dead_letters() -> Iterator[list[int]]:
    received: list[int] = []

    def record(sender: Any, delivery: Delivery, **kwargs: Any) -> None:
        received.append(delivery.pk)

    delivery_dead.connect(record, weak=False, dispatch_uid="chaos-dead")
    try:
        yield received
    finally:
        delivery_dead.disconnect(dispatch_uid="chaos-dead")


def run(
    scenario: Scenario, emulator: Emulator, clock: OutboxClock, before_round: Round
) -> dict[str, Any]:
    with dead_letters() as dead, mismatches() as flagged:
        shop(scenario, clock, before_round)
        settle(clock, before_round)
    outcome = {
        "flagged": check_charges(flagged),
        "charges": charges(),
        "talonone": emulator_outcome(emulator),
        "outbox": outbox_outcome(),
        "dead": sorted(dead),
        "dead_rows": sorted(
            Delivery.objects.filter(status=DeliveryStatus.DEAD).values_list("pk", flat=True)
        ),
    }
    check_lane_order(emulator)
    return outcome


def _rank(entry: dict[str, Any], returns: dict[str, int]) -> int:
    """Where a session call sits in its lane: snapshots, close, returns in order, cancel."""
    if entry["operation"] == "returnCartItems":
        key = entry["headers"].get("Idempotency-Key")
        assert key in returns, f"a return was sent without its SessionReturn's key: {key}"
        return 10 + returns[key]
    state = entry["requestBody"]["customerSession"].get("state")
    return {"open": 0, "closed": 1, "cancelled": 10_000}[state]


def check_lane_order(emulator: Emulator) -> None:
    """Per session, Talon.One saw snapshots, then the close, the returns, the cancel."""
    returns = {
        key: number
        for number, key in enumerate(
            SessionReturn.objects.order_by("pk").values_list("idempotency_key", flat=True)
        )
    }
    sessions: dict[str, list[int]] = {}
    for entry in emulator.requests:
        if entry["operation"] in SESSION_OPERATIONS:
            session = entry["path"].split("/")[3]
            sessions.setdefault(session, []).append(_rank(entry, returns))
    for session, ranks in sessions.items():
        assert ranks == sorted(ranks), f"session {session} saw its calls out of order: {ranks}"


@CHAOS
@given(scenario=scenarios(), specs=st.lists(faults, min_size=1, max_size=3))
def test_faults_change_nothing_talon_one_ends_up_with(
    emulator: Emulator, clock: OutboxClock, scenario: Scenario, specs: list[dict[str, Any]]
) -> None:
    close_shop(emulator)  # whatever an earlier (failed) example left behind
    healthy = run(scenario, emulator, clock, no_faults(emulator))
    healthy_requests = len(emulator.requests)
    close_shop(emulator)
    chaotic = run(scenario, emulator, clock, phases(emulator, specs, chaos_rounds=25))

    assert not differences(chaotic["talonone"], healthy["talonone"])
    assert chaotic["outbox"] == healthy["outbox"]
    # A second refund of the same lines is refused in the shop's call, never sent: no
    # row ends dead, and no delivery_dead was sent.
    assert [row for row in healthy["outbox"] if row[3] == DeliveryStatus.DEAD] == []
    assert chaotic["dead"] == chaotic["dead_rows"] == []
    assert healthy_requests > 0
    # Charged vs recorded: checkout charged what Talon.One showed, so a healthy run never
    # differs; a faulted one differs exactly where checkout had to charge full price while
    # the close recorded a discount, and each of those was flagged (check_charges).
    assert healthy["flagged"] == 0
    assert all(difference is None for *_, difference in healthy["charges"])
    recorded = {label: recorded for label, _, recorded, _ in healthy["charges"]}
    for label, charged, got, difference in chaotic["charges"]:
        assert got == recorded[label]  # the close records the same, faults or not
        if charged != got:
            assert charged == 0, f"{label}: checkout showed a discount the close disagrees with"
            assert difference == got
    # And in absolute terms: coupons redeemed once per kept order, profiles as last edited.
    talonone = chaotic["talonone"]
    kept = [s for s in scenario.shoppers if s.coupon and s.fate in KEPT_ORDERS]
    usage = talonone["couponUsage"].get("WELCOME10", {"usageCounter": 0})
    assert usage["usageCounter"] == len(kept)
    for index, shopper in enumerate(scenario.shoppers):
        profile = talonone["profiles"][f"shopper-s{index}"]
        erased = shopper.erase and shopper.fate != "abandon"
        expected_name = {} if erased else {"Name": "x" * shopper.renames}
        assert {k: v for k, v in profile["attributes"].items() if k == "Name"} == expected_name
