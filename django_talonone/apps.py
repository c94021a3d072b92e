"""Django application configuration: where the app's parts are put together.

``ready()`` is the one place that knows every layer: it gives the outbox core its hooks
(the services' handlers, Celery's waker when Celery is importable) and the process's
snapshot recorder, so the core imports neither services nor tasks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from .outbox.hooks import OutboxHooks, Waker
    from .outbox.snapshots import SnapshotRecorder


def _celery_waker() -> Waker | None:
    try:
        from .tasks import CeleryWaker
    except ImportError:  # Celery is not installed: talonone_deliver delivers
        return None
    return CeleryWaker()


class TalonOneConfig(AppConfig):
    name = "django_talonone"
    label = "django_talonone"
    verbose_name = "Talon.One"
    default_auto_field = "django.db.models.BigAutoField"

    #: What the outbox core calls: the services' handlers and the waker.
    outbox_hooks: OutboxHooks
    #: The process's cart-snapshot recorder: when it last woke a worker, its compiled
    #: INSERTs. Held here rather than in a module global, so it lives and dies with the app.
    snapshots: SnapshotRecorder

    def ready(self) -> None:
        # Imported for their side effects: registering the system checks and connecting
        # the receivers of the shop-sent signals and the wallet's cache invalidation.
        from . import checks, project_checks, receivers  # noqa: F401
        from .outbox.snapshots import SnapshotRecorder
        from .services.handlers import outbox_hooks
        from .wallet import receivers as wallet_receivers  # noqa: F401

        self.outbox_hooks = outbox_hooks(_celery_waker())
        self.snapshots = SnapshotRecorder()
