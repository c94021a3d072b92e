"""A Celery app whose published tasks wait in memory, for suites that deliver by hand."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from celery import Celery, current_app


@contextmanager
def quiet_celery(name: str) -> Iterator[Celery]:
    """Make ``name`` the current app (memory broker, not eager), then restore the old one."""
    previous = current_app._get_current_object()
    app = Celery(name, broker="memory://", set_as_current=True)
    app.conf.task_always_eager = False
    app.set_default()
    try:
        yield app
    finally:
        previous.set_current()
        previous.set_default()
