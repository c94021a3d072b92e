"""How many Celery tasks the outbox spends per useful delivery, and what is left queued.

A shop thread changes carts (each change in its own transaction, the way a shop's
"add to cart" view commits) and places an order for some of them, while a Celery
worker (threads pool, in this process, on the in-memory broker) runs the app's tasks
and a "beat" thread publishes the sweeper every second. The emulator answers over real
HTTP, with ``--faults`` of its calls answered 503 (retried by the outbox with backoff).

Counted from Celery's own signals: every task published, and every ``deliver_lane``
task run, split into useful (it attempted at least one row) and no-op (the lane was
empty, busy or in backoff). Once every row is final, the benchmark waits ``--grace``
seconds and counts the tasks published but never run: they are still queued.

Goals (issue "One outbox path"): no-op tasks <= useful ones; nothing left queued once
the outbox is drained; commit -> delivered p99 no more than 5 s beyond what the backoff
schedule explains (keep ``--rate`` below what the workers deliver, or the wait measured
is the backlog's).

    .venv/bin/python benchmarks/outbox_tasks.py [--carts 40] [--changes 6] [--rate 80]
        [--faults 0.1] [--concurrency 4] [--grace 3] [--database sqlite|postgres://...]

``--database`` defaults to ``$TALONONE_TEST_DATABASE_URL`` when set, else a SQLite file
(where worker threads writing at once hit "database is locked": use one thread there).
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import django
from django.conf import settings

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _databases import file_or_postgres_settings  # beside this script

FOLDER = tempfile.mkdtemp(prefix="talonone-outbox-tasks-")
API_KEY = "benchmark-api-key"

_early = argparse.ArgumentParser(add_help=False)
_early.add_argument("--database", default=os.environ.get("TALONONE_TEST_DATABASE_URL", "sqlite"))
DATABASE = _early.parse_known_args()[0].database

settings.configure(
    SECRET_KEY="benchmark-only",
    DEBUG=False,
    USE_TZ=True,
    INSTALLED_APPS=[
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "django_talonone",
        "tests.shop",
    ],
    DATABASES={"default": file_or_postgres_settings(DATABASE, FOLDER, "tasks.sqlite3")},
    DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
    TALONONE={"BASE_URL": "http://127.0.0.1:1", "API_KEY": API_KEY},  # set per run
    LOGGING_CONFIG=None,
)
django.setup()

from celery import Celery, signals  # noqa: E402
from celery.contrib.testing.worker import start_worker  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402
from django.test import override_settings  # noqa: E402

from django_talonone.emulator import Emulator  # noqa: E402
from django_talonone.models import Delivery, DeliveryStatus  # noqa: E402
from tests.shop.models import Cart, CartLine, Order, OrderLine  # noqa: E402

DELIVER = "talonone.deliver_lane"


class Counts:
    """Tasks published and run, by name, from Celery's signals (any thread)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.published: collections.Counter[str] = collections.Counter()
        self.finished: collections.Counter[str] = collections.Counter()
        self.useful = 0
        self.noop = 0
        #: Why the no-op tasks found nothing to do (the lane's state).
        self.noop_states: collections.Counter[str] = collections.Counter()

    def on_publish(self, sender: str | None = None, **kwargs: Any) -> None:
        with self.lock:
            self.published[str(sender)] += 1

    def on_run(self, sender: Any = None, retval: Any = None, **kwargs: Any) -> None:
        connections.close_all()  # this worker thread's, as Celery's Django fix-up does
        name = str(getattr(sender, "name", sender))
        with self.lock:
            self.finished[name] += 1
            if name == DELIVER and isinstance(retval, dict):
                attempted = sum(int(retval.get(key, 0)) for key in ("delivered", "retried", "dead"))
                if attempted:
                    self.useful += 1
                else:
                    self.noop += 1
                    self.noop_states[str(retval.get("state"))] += 1


def shop(carts: int, changes: int, rate: float, seed: int) -> None:
    """Cart changes at ``rate`` per second, in random cart order; an order for every third."""
    rng = random.Random(seed)
    owned = [Cart.objects.create() for _ in range(carts)]
    plan = [cart for cart in owned for _ in range(changes)]
    rng.shuffle(plan)
    began = time.perf_counter()
    for number, cart in enumerate(plan):
        with transaction.atomic():
            line = CartLine.objects.filter(cart=cart, sku="TEA").first()
            if line is None:
                CartLine.objects.create(
                    cart=cart, sku="TEA", name="Tea", quantity=1, price=Decimal("4.50")
                )
            else:
                line.quantity += 1
                line.save(update_fields=["quantity"])
        pause = began + (number + 1) / rate - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
    for cart in owned[::3]:
        with transaction.atomic():
            order = Order.objects.create(cart=cart, status=Order.Status.NEW)
            for line in cart.lines.all():
                OrderLine.objects.create(
                    order=order,
                    sku=line.sku,
                    name=line.name,
                    quantity=line.quantity,
                    price=line.price,
                )
            order.status = Order.Status.PAID
            order.save(update_fields=["status"])
    connections.close_all()


def latency_beyond_schedule(backoff: float, backoff_max: float) -> tuple[list[float], list[float]]:
    """Each delivered row's wait from commit to delivered, and how much of it the backoff
    schedule does not explain: the longest waits the schedule allows for the retries of
    the row and of the rows before it in its lane (a lane is delivered in order)."""
    waits: list[float] = []
    beyond: list[float] = []
    allowed: dict[str, float] = {}
    done = Delivery.objects.filter(status=DeliveryStatus.DONE).order_by("id")
    for lane, attempts, created, delivered in done.values_list(
        "lane", "attempts", "created_at", "delivered_at"
    ):
        retries = sum(min(backoff_max, backoff * 2.0 ** (n - 1)) for n in range(1, attempts))
        allowed[lane] = allowed.get(lane, 0.0) + retries
        wait = (delivered - created).total_seconds()
        waits.append(wait)
        beyond.append(wait - allowed[lane])
    return waits, beyond


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def beat(app: Celery, stop: threading.Event) -> None:
    while not stop.wait(1.0):
        app.send_task("talonone.sweep_outbox")


def unfinished() -> int:
    return Delivery.objects.filter(
        status__in=[DeliveryStatus.PENDING, DeliveryStatus.IN_FLIGHT]
    ).count()


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--carts", type=int, default=40)
    parser.add_argument("--changes", type=int, default=6, help="changes per cart")
    parser.add_argument("--rate", type=float, default=80.0, help="cart changes per second")
    parser.add_argument("--faults", type=float, default=0.1, help="share of calls answered 503")
    parser.add_argument("--concurrency", type=int, default=4, help="worker threads")
    parser.add_argument("--grace", type=float, default=3.0, help="seconds to wait once drained")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database", default=DATABASE, help="sqlite or a postgres:// URL")
    options = parser.parse_args()
    original = settings.DATABASES["default"]["NAME"]
    if DATABASE == "sqlite":
        call_command("migrate", verbosity=0)
    else:
        connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        return run(options)
    finally:
        if DATABASE != "sqlite":
            connection.creation.destroy_test_db(original, verbosity=0)


def run(options: argparse.Namespace) -> int:
    app = Celery("outbox-tasks", broker="memory://", set_as_current=True)
    app.set_default()
    app.conf.task_always_eager = False
    import django_talonone.tasks  # noqa: F401  (the app's tasks, on this app)

    counts = Counts()
    signals.before_task_publish.connect(counts.on_publish, weak=False)
    signals.task_postrun.connect(counts.on_run, weak=False)
    emulator = Emulator(api_key=API_KEY)
    if options.faults:
        emulator.set_faults(error_rates={503: options.faults})
    overrides: dict[str, Any] = {
        "BASE_URL": "",
        "API_KEY": API_KEY,
        "MAX_ATTEMPTS": 1,
        "OUTBOX_BACKOFF": 0.2,
        "OUTBOX_BACKOFF_MAX": 2.0,
    }
    stop = threading.Event()
    with emulator.serve("127.0.0.1", 0) as running:
        overrides["BASE_URL"] = running.url
        with (
            override_settings(TALONONE=overrides),
            start_worker(
                app,
                pool="threads",
                concurrency=options.concurrency,
                perform_ping_check=False,
                loglevel="ERROR",
                shutdown_timeout=30,
            ),
        ):
            sweeper = threading.Thread(target=beat, args=(app, stop))
            sweeper.start()
            started = time.perf_counter()
            shop(options.carts, options.changes, options.rate, options.seed)
            while unfinished():
                time.sleep(0.05)
            drained = time.perf_counter() - started
            stop.set()
            sweeper.join()
            time.sleep(options.grace)
            with counts.lock:
                published = sum(counts.published.values())
                finished = sum(counts.finished.values())
                by_name = dict(counts.published)
                useful, noop = counts.useful, counts.noop
                states = dict(counts.noop_states)
    rows = Delivery.objects.count()
    dead = Delivery.objects.filter(status=DeliveryStatus.DEAD).count()
    print(
        f"{options.carts} carts x {options.changes} changes at {options.rate:g}/s, orders for "
        f"every third, {options.faults:.0%} of calls answered 503, {options.concurrency} "
        f"worker threads, {connection.vendor}: {rows} outbox rows ({dead} dead), "
        f"drained in {drained:.1f} s"
    )
    print("published: " + ", ".join(f"{name} {n}" for name, n in sorted(by_name.items())))
    ratio = noop / useful if useful else float("inf")
    print(
        f"deliver_lane: {useful} useful, {noop} no-op: no-op/useful {ratio:.2f} (goal <= 1); "
        f"left queued {options.grace:g} s after draining: {published - finished} (goal 0)"
    )
    print("no-op lanes were: " + ", ".join(f"{k} {v}" for k, v in sorted(states.items())))
    waits, beyond = latency_beyond_schedule(
        overrides["OUTBOX_BACKOFF"], overrides["OUTBOX_BACKOFF_MAX"]
    )
    print(
        f"commit -> delivered: p50 {percentile(waits, 0.5):.2f} s, "
        f"p99 {percentile(waits, 0.99):.2f} s; beyond the backoff schedule: "
        f"p99 {percentile(beyond, 0.99):.2f} s (goal <= 5 s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
