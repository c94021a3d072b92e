"""Pytest helpers for shops testing their Talon.One integration, no account needed.

Enable the fixture in your ``conftest.py`` (pytest-django required)::

    pytest_plugins = ["django_talonone.testing"]

and use it in tests that commit (cart changes are sent on commit)::

    @pytest.mark.django_db(transaction=True)
    def test_welcome_coupon(talonone, client):
        client.post("/cart/coupon/", {"code": "WELCOME10"})
        assert talonone.requests("updateCustomerSessionV2")
        assert talonone.session(cart_session_id)["couponCodes"] == ["WELCOME10"]

``talonone`` runs a fresh in-process emulator (the default campaigns: ``WELCOME10`` 10 %
off, referral campaign 2, 5 off from a subtotal of 100), points ``TALONONE`` at it, routes
every client the app builds to it and runs Celery tasks eagerly, so outbox rows are
delivered as soon as their transaction commits. Injected latency and retry backoff never
really sleep: time-outs are simulated, not waited for.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.test import override_settings

from django_talonone.client import TalonOneClient
from django_talonone.conf import TalonOneSettings
from django_talonone.emulator import Emulator
from django_talonone.services.clients import Purpose, client_factory_override

__all__ = ["TalonOneHarness", "talonone", "talonone_harness"]


def _no_sleep(seconds: float) -> None:
    """Tests move on at once; the emulator still reports a simulated time-out."""


class TalonOneHarness:
    """The emulator behind the ``talonone`` fixture, with shortcuts for assertions."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator

    def __repr__(self) -> str:
        return f"<TalonOneHarness {self.emulator!r}>"

    def client(self, application: str | None = None, **options: Any) -> TalonOneClient:
        """A client of the emulator for arranging data (e.g. creating a referral code),
        in ``application`` (a name of ``TALONONE['APPLICATIONS']``; default: the default)."""
        options.setdefault("max_attempts", 1)
        return self.emulator.client(application, **options)

    def requests(
        self, operation: str | None = None, *, application: str | None = None
    ) -> list[dict[str, Any]]:
        """Recorded API requests, oldest first; ``operation`` filters by its id, e.g.
        ``"updateCustomerSessionV2"``, ``"returnCartItems"``, ``"deleteCustomerData"``,
        and ``application`` by the Application whose key the request carried."""
        return [
            entry
            for entry in self.emulator.requests
            if (operation is None or entry["operation"] == operation)
            and (application is None or entry["application"] == application)
        ]

    def session(self, session_id: str, *, application: str | None = None) -> dict[str, Any]:
        """The emulator's stored customer session (raises ``TalonOneNotFound`` if absent)."""
        client = self.client(application)
        try:
            return dict(client.get_customer_session(session_id)["customerSession"])
        finally:
            client.close()

    def inventory(
        self,
        profile_id: str,
        *,
        profile: bool | None = None,
        coupons: bool | None = None,
        referrals: bool | None = None,
    ) -> dict[str, Any]:
        """The profile's inventory, with the sections asked for."""
        client = self.client()
        try:
            return dict(
                client.get_customer_inventory(
                    profile_id, profile=profile, coupons=coupons, referrals=referrals
                )
            )
        finally:
            client.close()

    def fail(self, status: int = 503, *, operations: list[str] | None = None) -> None:
        """Make every matching call answer ``status`` until :meth:`heal`."""
        self.emulator.set_faults(seed=1, error_rates={status: 1.0}, operations=operations)

    def slow(self, milliseconds: int, *, operations: list[str] | None = None) -> None:
        """Delay matching calls; beyond the client's read timeout they time out."""
        self.emulator.set_faults(seed=1, latency_ms=milliseconds, operations=operations)

    def heal(self) -> None:
        self.emulator.clear_faults()


@contextmanager
def talonone_harness(
    settings: dict[str, Any] | None = None, emulator: Emulator | None = None
) -> Iterator[TalonOneHarness]:
    """The ``talonone`` fixture as a context manager (for unittest-style tests, scripts)."""
    emulator = emulator or Emulator(sleep=_no_sleep)
    _emulate_applications(emulator, (settings or {}).get("APPLICATIONS") or {})

    def factory(config: TalonOneSettings, purpose: Purpose) -> TalonOneClient:
        # The Application's own key: the emulator serves it in that Application.
        named = config.application in emulator.app.applications.names()
        return emulator.client(
            config.application if named else None,
            api_key=config.require("API_KEY"),
            timeout=config.timeout if purpose == "cart" else config.delivery_timeout,
            max_attempts=config.max_attempts,
            deadline=config.call_deadline(purpose),
            sleep=_no_sleep,
        )

    values = {**(settings or {}), "BASE_URL": emulator.base_url, "API_KEY": emulator.api_key}
    with override_settings(TALONONE=values), client_factory_override(factory), _eager_celery():
        yield TalonOneHarness(emulator)


def _emulate_applications(emulator: Emulator, applications: dict[str, Any]) -> None:
    """Each named Application of the settings, with a key, becomes one of the emulator's
    (with the default campaigns; ``emulator.state_of(name).configure(...)`` sets its own)."""
    known = emulator.app.applications.names()
    for name, given in applications.items():
        api_key = given.get("API_KEY") if isinstance(given, dict) else None
        if name not in known and isinstance(api_key, str) and api_key:
            emulator.add_application(name, api_key, management_key=given.get("MANAGEMENT_KEY"))


@contextmanager
def _eager_celery() -> Iterator[None]:
    try:
        from celery import current_app  # type: ignore[import-untyped]
    except ImportError:  # without Celery, sync delivery mode is the way to test
        yield
        return
    from django_talonone.outbox.snapshots import recorder

    conf = current_app.conf
    saved = (conf.task_always_eager, conf.task_eager_propagates)
    conf.task_always_eager, conf.task_eager_propagates = True, True
    recorder().forget_last_publish()  # a watch published before would leave changes undelivered
    try:
        yield
    finally:
        conf.task_always_eager, conf.task_eager_propagates = saved
        recorder().forget_last_publish()


@pytest.fixture
def talonone(settings: Any) -> Iterator[TalonOneHarness]:
    """A fresh in-process Talon.One emulator wired into the app for this test."""
    current = getattr(settings, "TALONONE", None) or {}
    with talonone_harness(dict(current)) as harness:
        yield harness
