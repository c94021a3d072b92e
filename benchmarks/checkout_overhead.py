"""What django-talonone adds to a cart mutation, and how many calls a busy transaction costs.

Runs a cart view (add one line, in a transaction) through Django's RequestFactory, with the
cart registered (outbox mode: the line change is snapshotted and written to the outbox on
commit; Celery's task message goes to an in-memory broker, no worker) and then unregistered
(the app's signals disconnected). Prints both timings and their ratio (goal: at most 1.10x).
Then adds N lines in one transaction and delivers the outbox to an in-process emulator to
show that exactly one UpdateCustomerSessionV2 was sent.

    .venv/bin/python benchmarks/checkout_overhead.py [--requests 300] [--lines 50]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

import django
from django.conf import settings

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

settings.configure(
    SECRET_KEY="benchmark-only",
    USE_TZ=True,
    INSTALLED_APPS=[
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "django_talonone",
        "tests.shop",
    ],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
    TALONONE={"BASE_URL": "http://talonone.emulator", "API_KEY": "test-api-key"},
    LOGGING_CONFIG=None,
)
django.setup()

from celery import Celery  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.test import RequestFactory  # noqa: E402

from django_talonone.emulator import Emulator  # noqa: E402
from django_talonone.outbox import deliver_pending  # noqa: E402
from django_talonone.registry import register_cart, unregister  # noqa: E402
from django_talonone.services import open_session  # noqa: E402
from django_talonone.services.clients import client_factory_override  # noqa: E402
from tests.shop.adapters import ShopCartAdapter  # noqa: E402
from tests.shop.models import Cart, CartLine  # noqa: E402

GOAL = 1.10


def add_to_cart(request: HttpRequest, cart_id: int) -> HttpResponse:
    """The shop's view: add one line to the cart, atomically."""
    with transaction.atomic():
        cart = Cart.objects.select_for_update().get(pk=cart_id)
        CartLine.objects.create(
            cart=cart,
            sku=request.POST["sku"],
            name=request.POST["sku"],
            quantity=int(request.POST["quantity"]),
            price=Decimal(request.POST["price"]),
        )
    return HttpResponse(status=204)


def new_cart() -> int:
    """A cart that already holds two lines (inserted without signals, like fixtures)."""
    cart = Cart.objects.create()
    CartLine.objects.bulk_create(
        CartLine(cart=cart, sku=sku, name=sku, quantity=1, price=Decimal("4.50"))
        for sku in ("TEA", "MUG")
    )
    return cart.pk


def run(count: int) -> list[float]:
    """Per-request seconds; each request adds a third line to its own two-line cart."""
    factory = RequestFactory()
    timings = []
    for n in range(count):
        cart_id = new_cart()
        request = factory.post("/cart/", {"sku": f"SKU{n}", "quantity": "1", "price": "9.99"})
        started = time.perf_counter()
        add_to_cart(request, cart_id)
        timings.append(time.perf_counter() - started)
    return timings


def measure(count: int, rounds: int = 5) -> tuple[float, float]:
    """Median per-request seconds (best of ``rounds``) without and with the app."""
    best = {True: float("inf"), False: float("inf")}
    for _ in range(rounds):
        for registered in (False, True):
            if registered:
                register_cart(Cart, ShopCartAdapter)
            else:
                unregister(Cart)
            best[registered] = min(best[registered], statistics.median(run(count)))
    return best[False], best[True]


def coalesced_calls(lines: int) -> int:
    emulator = Emulator()
    register_cart(Cart, ShopCartAdapter)
    with client_factory_override(lambda config, purpose: emulator.client(max_attempts=1)):
        with transaction.atomic():
            cart = Cart.objects.create(coupon_code="WELCOME10")
            for n in range(lines):
                CartLine.objects.create(
                    cart=cart, sku=f"SKU{n}", name="x", quantity=1, price=Decimal("1.00")
                )
        deliver_pending()
    session_id = open_session(cart).session_id
    return sum(
        1
        for entry in emulator.requests
        if entry["operation"] == "updateCustomerSessionV2" and session_id in entry["path"]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--lines", type=int, default=50)
    options = parser.parse_args()
    app = Celery("checkout-benchmark", broker="memory://", set_as_current=True)
    app.set_default()
    call_command("migrate", verbosity=0, skip_checks=True)
    without, with_app = measure(options.requests)
    ratio = with_app / without
    print(f"cart mutation without the app: {without * 1e6:8.1f} us/request (median)")
    print(f"cart mutation with the app:    {with_app * 1e6:8.1f} us/request (median, outbox)")
    print(f"ratio: {ratio:.2f}x (goal <= {GOAL:.2f}x){'' if ratio <= GOAL else '  ABOVE GOAL'}")
    calls = coalesced_calls(options.lines)
    print(f"{options.lines} line changes in one transaction -> {calls} UpdateCustomerSessionV2")
    return 0 if calls == 1 else 1


if __name__ == "__main__":
    raise SystemExit(main())
