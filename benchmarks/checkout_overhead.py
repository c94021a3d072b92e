"""What django-talonone adds to a shop's "add to cart" request, and what a busy transaction costs.

The view is the one a real shop has: Django's default middleware (sessions, CSRF, auth,
messages, clickjacking), a logged-in shopper, fetch the cart, add the line or bump its
quantity in a transaction, flash a message, redirect. It runs through Django's test
``Client`` (the full request cycle), against the same database, once with the cart
registered (outbox mode: the change is recorded in the outbox in the view's transaction,
and a watch task is published to the broker at most twice a second) and once with it
unregistered (signals disconnected). Every request is made by a different shopper whose
two-line cart was set up beforehand, untimed. No worker runs during the timing, so its
work (building the snapshot, calling Talon.One) is timed separately, as what it is: off
the request path.

Then N lines are added in one transaction and the outbox is delivered to an in-process
emulator, to show that exactly one UpdateCustomerSessionV2 is sent.

    .venv/bin/python benchmarks/checkout_overhead.py [--requests 1000]
        [--lines 50] [--broker memory://] [--database sqlite|postgres://...] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import django
from django.conf import settings

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _databases import postgres_settings  # beside this script


def database_settings(url: str) -> dict[str, Any]:
    """``sqlite`` (in memory) or a ``postgres://user:password@host:port/name`` URL."""
    if url == "sqlite":
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
    return postgres_settings(url)


_early = argparse.ArgumentParser(add_help=False)
_early.add_argument("--database", default="sqlite")
DATABASE = _early.parse_known_args()[0].database

settings.configure(
    SECRET_KEY="benchmark-only",
    DEBUG=False,
    USE_TZ=True,
    ALLOWED_HOSTS=["testserver"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=[
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "django.contrib.sessions",
        "django.contrib.messages",
        "django_talonone",
        "tests.shop",
    ],
    MIDDLEWARE=[  # what ``startproject`` generates
        "django.middleware.security.SecurityMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
    ],
    DATABASES={"default": database_settings(DATABASE)},
    DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
    TALONONE={"BASE_URL": "http://talonone.emulator", "API_KEY": "test-api-key"},
    LOGGING_CONFIG=None,
)
django.setup()

from celery import Celery  # noqa: E402
from django.contrib import messages  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.decorators import login_required  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.shortcuts import redirect  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import path  # noqa: E402
from django.views.decorators.http import require_POST  # noqa: E402

from django_talonone.emulator import Emulator  # noqa: E402
from django_talonone.models import Delivery, DeliveryStatus  # noqa: E402
from django_talonone.outbox import deliver_pending  # noqa: E402
from django_talonone.registry import register_cart, unregister  # noqa: E402
from django_talonone.services import open_session  # noqa: E402
from django_talonone.services.clients import client_factory_override  # noqa: E402
from tests.shop.adapters import ShopCartAdapter  # noqa: E402
from tests.shop.models import Cart, CartLine  # noqa: E402

GOAL = 1.10
#: The shop's catalogue; a real shop reads it from a cache or a product table.
PRICES = {"TEA": Decimal("4.50"), "MUG": Decimal("12.00"), "PEN": Decimal("1.99")}


@login_required
@require_POST
def add_to_cart(request: HttpRequest) -> HttpResponse:
    """The shop's view: add one product to the shopper's cart, or bump its quantity."""
    sku = request.POST["sku"]
    quantity = int(request.POST.get("quantity", "1"))
    with transaction.atomic():
        cart, _ = Cart.objects.get_or_create(user=request.user)
        line = CartLine.objects.select_for_update().filter(cart=cart, sku=sku).first()
        if line is None:
            CartLine.objects.create(
                cart=cart, sku=sku, name=sku.title(), quantity=quantity, price=PRICES[sku]
            )
        else:
            line.quantity += quantity
            line.save(update_fields=["quantity"])
    messages.success(request, f"{sku.title()} is in your cart.")
    return redirect("cart")


def show_cart(request: HttpRequest) -> HttpResponse:
    return HttpResponse("cart")


urlpatterns = [
    path("cart/add/", add_to_cart, name="add-to-cart"),
    path("cart/", show_cart, name="cart"),
]


def shoppers(count: int, start: int) -> list[Client]:
    """Logged-in shoppers, each with a two-line cart (set up without signals, untimed)."""
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"shopper{start + n}") for n in range(count)
    )
    carts = Cart.objects.bulk_create(Cart(user=user) for user in users)
    CartLine.objects.bulk_create(
        CartLine(cart=cart, sku=sku, name=sku.title(), quantity=1, price=PRICES[sku])
        for cart in carts
        for sku in ("TEA", "MUG")
    )
    clients = []
    for user in users:
        client = Client()
        client.force_login(user)
        clients.append(client)
    return clients


def timed_request(client: Client, sku: str) -> float:
    """Seconds one "add ``sku`` to the cart" request takes."""
    started = time.perf_counter()
    response = client.post("/cart/add/", {"sku": sku, "quantity": "1"})
    elapsed = time.perf_counter() - started
    if response.status_code != 302:
        raise RuntimeError(f"add to cart answered {response.status_code}")
    return elapsed


def set_registered(registered: bool) -> None:
    if registered:
        register_cart(Cart, ShopCartAdapter)
    else:
        unregister(Cart)


def measure(pairs: int) -> tuple[list[float], list[float]]:
    """Seconds per request without and with the app, measured in adjacent pairs.

    This machine's speed drifts by up to 2x within seconds (shared cores), far more than
    the few percent being measured, so the two modes are timed back to back, one request
    each, and compared pair by pair. Before each timed request the mode is switched and
    one untimed request is made: (un)registering clears Django's signal caches, which a
    real process, registered once at start-up, never does. Automatic garbage collection
    is off (as in ``timeit``) and runs untimed every 100 pairs, so a collection caused by
    one mode's garbage does not land at random in the other's timing.
    """
    clients = shoppers(4 * pairs, 0)
    timings: dict[bool, list[float]] = {False: [], True: []}
    gc.disable()
    try:
        for index in range(pairs):
            if index % 100 == 0:
                gc.collect()  # now and then, untimed; a warm-up request follows
            for registered in (index % 2 == 1, index % 2 == 0):  # who goes first alternates
                warm, timed = clients.pop(), clients.pop()
                set_registered(registered)
                timed_request(warm, "TEA")
                timings[registered].append(timed_request(timed, "PEN"))
    finally:
        gc.enable()
    set_registered(True)
    return timings[False], timings[True]


def bootstrap_interval(ratios: list[float], resamples: int = 2000) -> tuple[float, float]:
    """A 95 % bootstrap interval of the median of ``ratios`` (seeded: reproducible)."""
    draw = random.Random(0)
    medians = sorted(
        statistics.median(draw.choices(ratios, k=len(ratios))) for _ in range(resamples)
    )
    return medians[int(0.025 * resamples)], medians[int(0.975 * resamples) - 1]


def queries_per_request(registered: bool) -> int:
    [client] = shoppers(1, -1 if registered else -2)
    set_registered(registered)
    with CaptureQueriesContext(connection) as captured:
        timed_request(client, "PEN")
    return len(captured)


def worker_cost(emulator: Emulator) -> tuple[int, float]:
    """Snapshots waiting in the outbox, and the worker's seconds per snapshot to deliver them."""
    waiting = Delivery.objects.filter(status=DeliveryStatus.PENDING).count()
    with client_factory_override(lambda config, purpose: emulator.client(max_attempts=1)):
        started = time.perf_counter()
        summary = deliver_pending()
        elapsed = time.perf_counter() - started
    delivered = summary.total("delivered")
    return waiting, elapsed / max(delivered, 1)


def coalesced_calls(emulator: Emulator, lines: int) -> tuple[int, int]:
    """(outbox rows, UpdateCustomerSessionV2 calls) for ``lines`` line adds in one commit."""
    register_cart(Cart, ShopCartAdapter)
    before = Delivery.objects.count()
    with client_factory_override(lambda config, purpose: emulator.client(max_attempts=1)):
        with transaction.atomic():
            cart = Cart.objects.create(coupon_code="WELCOME10")
            for n in range(lines):
                CartLine.objects.create(
                    cart=cart, sku=f"SKU{n}", name="x", quantity=1, price=Decimal("1.00")
                )
        rows = Delivery.objects.count() - before
        deliver_pending()
    session_id = open_session(cart).session_id
    calls = sum(
        1
        for entry in emulator.requests
        if entry["operation"] == "updateCustomerSessionV2" and session_id in entry["path"]
    )
    return rows, calls


def profile(count: int) -> None:
    clients = shoppers(count, 10_000_000)
    set_registered(True)
    profiler = cProfile.Profile()
    profiler.runcall(lambda: [timed_request(client, "PEN") for client in clients])
    stats = pstats.Stats(profiler).sort_stats("cumulative")
    stats.print_stats(40)
    stats.print_stats("django_talonone|kombu|celery", 30)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000, help="timed requests per mode")
    parser.add_argument("--lines", type=int, default=50)
    parser.add_argument("--broker", default="memory://", help="e.g. redis://127.0.0.1:6379/0")
    parser.add_argument(
        "--database", default="sqlite", help="sqlite (in memory) or a postgres:// URL"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the with-app requests")
    options = parser.parse_args()
    app = Celery("checkout-benchmark", broker=options.broker, set_as_current=True)
    app.set_default()
    # A throwaway database (test_<name> on PostgreSQL), migrated, dropped at the end.
    original_name = settings.DATABASES["default"]["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        return run(options)
    finally:
        connection.creation.destroy_test_db(original_name, verbosity=0)


def run(options: argparse.Namespace) -> int:
    if options.profile:
        profile(options.requests)
        return 0
    without, with_app = measure(options.requests)
    ratios = [after / before for before, after in zip(without, with_app, strict=True)]
    ratio = statistics.median(ratios)
    low, high = bootstrap_interval(ratios)
    emulator = Emulator()
    waiting, per_snapshot = worker_cost(emulator)
    rows, calls = coalesced_calls(emulator, options.lines)
    where = "SQLite in memory" if DATABASE == "sqlite" else f"PostgreSQL {connection.pg_version}"
    print(f"broker: {options.broker}; database: {where}")
    print(
        f"add to cart without the app: {statistics.median(without) * 1e6:8.1f} us/request (median)"
    )
    print(
        f"add to cart with the app:    {statistics.median(with_app) * 1e6:8.1f} us/request (median)"
    )
    print(f"pairs: {len(ratios)}; 95% interval of the median ratio: {low:.3f}-{high:.3f}")
    print(f"ratio: {ratio:.3f}x (median of paired ratios; goal <= {GOAL:.2f}x)", end="")
    print("" if ratio <= GOAL else "  ABOVE GOAL")
    print(
        f"queries per request: {queries_per_request(False)} without the app, "
        f"{queries_per_request(True)} with it"
    )
    print(
        f"worker, off the request path: {per_snapshot * 1e6:.1f} us per snapshot ({waiting} sent)"
    )
    print(
        f"{options.lines} line adds in one transaction -> {rows} outbox row(s), "
        f"{calls} UpdateCustomerSessionV2"
    )
    return 0 if calls == 1 else 1


if __name__ == "__main__":
    raise SystemExit(main())
