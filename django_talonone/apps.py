"""Django application configuration: where the app's parts are put together.

``ready()`` is the one place that knows every layer: it gives the outbox core its hooks
(the services' handlers, the Celery tasks when Celery is importable) and the process's
snapshot recorder, the registry the services' handlers, and the bulk services the Celery
tasks, so no module imports a layer above its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from types import ModuleType

    from .outbox.hooks import OutboxHooks
    from .outbox.snapshots import SnapshotRecorder
    from .registry import Registrations, ShopHandlers
    from .tasks import CeleryQueue


def celery_queue() -> CeleryQueue | None:
    try:
        from .tasks import CeleryQueue
    except ImportError:  # Celery is not installed: talonone_deliver delivers
        return None
    return CeleryQueue()


class TalonOneConfig(AppConfig):
    name = "django_talonone"
    label = "django_talonone"
    verbose_name = "Talon.One"
    default_auto_field = "django.db.models.BigAutoField"

    #: What the outbox core calls: the services' handlers and the waker.
    outbox_hooks: OutboxHooks
    #: What a registered model's change does (the services'), for the registry.
    shop_handlers: ShopHandlers
    #: The app's Celery tasks (lane wakes, bulk jobs), or ``None`` without Celery.
    celery: CeleryQueue | None
    #: The process's cart-snapshot recorder: when it last woke a worker, its compiled
    #: INSERTs. Held here rather than in a module global, so it lives and dies with the app.
    snapshots: SnapshotRecorder

    def __init__(self, app_name: str, app_module: ModuleType | None) -> None:
        super().__init__(app_name, app_module)
        from .registry import Registrations

        #: The shop's registered models and adapters. Made with the app configuration,
        #: before any app's ready(), so a shop app may register in its own ready()
        #: whether it comes before or after this app in INSTALLED_APPS.
        self.registrations: Registrations = Registrations()

    def ready(self) -> None:
        # Imported for their side effects: registering the system checks and connecting
        # the receivers of the shop-sent signals and the wallet's cache invalidation.
        from . import checks, project_checks, receivers  # noqa: F401
        from .outbox.snapshots import SnapshotRecorder
        from .services.handlers import outbox_hooks, shop_handlers
        from .wallet import receivers as wallet_receivers  # noqa: F401

        self.celery = celery_queue()
        self.outbox_hooks = outbox_hooks(self.celery)
        self.shop_handlers = shop_handlers()
        self.snapshots = SnapshotRecorder()
