"""The cart page waits one TIMEOUT in total when Talon.One accepts and never answers.

It used to wait twice its timeout: the synchronous evaluation retried a read timeout
inside the 8 s DEADLINE, so ``TIMEOUT = 3`` cost the shopper 6 s.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from django_talonone.services import evaluate_cart
from django_talonone.services.clients import get_client
from tests.shop.models import Cart, CartLine

pytestmark = pytest.mark.django_db(transaction=True)


class SilentServer:
    """Accepts TCP connections and reads the request, never answers (a hung Talon.One)."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.connections.append(connection)

    def close(self) -> None:
        self.listener.close()
        for connection in self.connections:
            connection.close()


@pytest.fixture
def silent() -> Iterator[SilentServer]:
    server = SilentServer()
    yield server
    server.close()


def test_a_hung_talon_one_gets_one_attempt_within_the_timeout(
    settings: Any, silent: SilentServer
) -> None:
    settings.TALONONE = {
        "BASE_URL": f"http://127.0.0.1:{silent.port}",
        "API_KEY": "k-1",
        "TIMEOUT": 0.3,
        "MAX_ATTEMPTS": 3,
        "DEADLINE": 8.0,
        "DELIVERY": {"cart": "sync"},
    }
    cart = Cart.objects.create()
    CartLine.objects.create(cart=cart, sku="MUG", name="Mug", price="12.50")
    silent.connections.clear()  # the save evaluated once already; count this call alone

    evaluation = evaluate_cart(cart)

    assert not evaluation.available
    # One attempt: a second would have pushed the shopper's wait past one TIMEOUT.
    assert len(silent.connections) == 1
    assert get_client("cart").deadline == pytest.approx(0.3)
    assert get_client("delivery").deadline == pytest.approx(8.0)
