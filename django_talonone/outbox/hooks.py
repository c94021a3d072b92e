"""What the outbox core calls but does not own, installed by the app when it is ready.

The core (claims, runner, store, snapshots) moves rows: it writes them, claims them in
order, retries and parks them. What a row *means* (how a stored reference becomes a call,
how the call is made, what its reply changes in the mirrors) belongs to the services, and
how a worker is woken belongs to the Celery tasks. Both are given to the core as one
:class:`OutboxHooks`, held by the app's configuration (``TalonOneConfig.ready``), so the
core imports neither and a test can install its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, cast

from django.apps import apps

from django_talonone.models import Delivery

if TYPE_CHECKING:
    from django_talonone.apps import TalonOneConfig


class NothingToSend(Exception):
    """Raised by a ``prepare`` hook: the row is settled without a call; the message says why."""


class Waker(Protocol):
    """How delivery is started somewhere else (Celery); see ``django_talonone.tasks``."""

    @property
    def eager(self) -> bool:
        """Whether a kick delivers at once, in this process (eager Celery: tests, the demo)."""

    def kick(self, lane: str) -> None:
        """Queue the delivery of ``lane``."""

    def watch(self, floor: int, polls: int) -> None:
        """Queue a watch of the rows above ``floor``, polling ``polls`` times."""


@dataclass(frozen=True)
class OutboxHooks:
    #: Build the call of a row stored as a reference (a cart snapshot, an order's close),
    #: storing it on the row; may raise :class:`NothingToSend`.
    prepare: Callable[[Delivery], None]
    #: Make the row's call; returns Talon.One's reply.
    send: Callable[[Delivery], Any]
    #: Mirror a delivered row's reply.
    apply_reply: Callable[[Delivery, Any], None]
    #: Show on the mirrors that the row is dead, and why.
    apply_failure: Callable[[Delivery, str], None]
    #: Why a failed call still leaves nothing to do, or ``None``.
    settled_without_success: Callable[[Delivery, BaseException], str | None]
    #: ``None`` without Celery: rows wait for ``manage.py talonone_deliver``.
    waker: Waker | None = None


def hooks() -> OutboxHooks:
    """The hooks the app installed."""
    config = cast("TalonOneConfig", apps.get_app_config("django_talonone"))
    return config.outbox_hooks
