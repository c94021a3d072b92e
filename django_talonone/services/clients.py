"""Building the Talon.One client from settings: one pooled client per thread and purpose.

One client per Application too: each is built from that Application's settings
(``TalonOneSettings.for_application``), so a key of one is never sent for another.
Two purposes, two timeouts: the cart page's synchronous evaluation must answer quickly (or
fail open), while background deliveries can wait longer. Clients are rebuilt when the
settings change (``override_settings`` included). Tests and the demo can route every call to
the in-process emulator with :func:`client_factory_override` instead of a real URL.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Literal

from django.core.exceptions import ImproperlyConfigured

from django_talonone.client import TalonOneClient, TalonOneConfigurationError
from django_talonone.conf import TalonOneSettings, get_settings

Purpose = Literal["cart", "delivery"]
ClientFactory = Callable[[TalonOneSettings, Purpose], TalonOneClient]

_local = threading.local()
_override: list[ClientFactory] = []


def build_client(config: TalonOneSettings, purpose: Purpose) -> TalonOneClient:
    """The default factory: a real client for ``TALONONE['BASE_URL']``.

    A value the client refuses is a settings mistake, raised as ``ImproperlyConfigured``
    (never as a Talon.One error, which the cart page would show as an outage).
    """
    try:
        return _client(config, purpose)
    except TalonOneConfigurationError as error:
        message = f"The TALONONE settings cannot build a client: {error}"
        raise ImproperlyConfigured(message) from None


def _client(config: TalonOneSettings, purpose: Purpose) -> TalonOneClient:
    return TalonOneClient(
        base_url=config.require("BASE_URL"),
        api_key=config.require("API_KEY"),
        management_key=config.management_key,
        management_token=config.management_token,
        timeout=config.timeout if purpose == "cart" else config.delivery_timeout,
        max_attempts=config.max_attempts,
        deadline=config.call_deadline(purpose),
        max_reply_bytes=config.max_reply_bytes,
    )


def get_client(purpose: Purpose = "delivery", application: str | None = None) -> TalonOneClient:
    """The calling thread's client for ``purpose`` in ``application`` (``None``: the
    default Application), built from that Application's settings and key only."""
    settings = get_settings()
    config = settings.for_application(application)
    factory = _override[-1] if _override else build_client
    cache: dict[tuple[Purpose, str], tuple[object, object, TalonOneClient]] = (
        _local.__dict__.setdefault("clients", {})
    )
    slot = (purpose, config.application)
    cached = cache.get(slot)
    # Keyed by the settings object the view was made from: a new one means new settings.
    if cached is not None and cached[0] is settings and cached[1] is factory:
        return cached[2]
    if cached is not None:
        cached[2].close()
    client = factory(config, purpose)
    cache[slot] = (settings, factory, client)
    return client


@contextmanager
def client_factory_override(factory: ClientFactory) -> Iterator[None]:
    """Route every Talon.One call made inside the block through ``factory``'s clients."""
    _override.append(factory)
    try:
        yield
    finally:
        _override.remove(factory)
