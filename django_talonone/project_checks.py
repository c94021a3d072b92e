"""System checks on the project around the app: its Celery app, broker and database.

:mod:`django_talonone.checks` looks at the ``TALONONE`` settings; these look at what a new
project most often gets wrong while wiring the app in, each of which otherwise fails
silently or with a confusing error long after the setting was written:

- a broker URL whose kombu transport cannot be imported (``redis://`` without the Redis
  client): every queued delivery fails, and the worker cannot start;
- the project's Celery app not imported by the project package, so the web process
  queues its tasks on Celery's fallback app and its default broker;
- SQLite shared by the web process and a worker without ``transaction_mode =
  "IMMEDIATE"``: requests fail with ``database is locked``.

None of them connects to anything: they read settings and import modules only.
"""

from __future__ import annotations

import importlib.util
from typing import Any

import django
from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register
from django.core.exceptions import ImproperlyConfigured

from django_talonone.checks import TAG, _id
from django_talonone.conf import get_settings

#: SQLite's ``transaction_mode`` values that take the write lock when a transaction begins.
_LOCKING_MODES = ("IMMEDIATE", "EXCLUSIVE")


def _outbox_events() -> list[str]:
    """The events delivered through the outbox; none when the settings are broken.

    Broken settings are :mod:`django_talonone.checks`' to report (E004, E005).
    """
    try:
        delivery = get_settings().delivery
    except (ImproperlyConfigured, TypeError, ValueError):
        return []
    return sorted(event for event, mode in delivery.items() if mode == "outbox")


def _celery_queues_tasks() -> bool:
    """Whether outbox deliveries are queued on a Celery broker from this process."""
    if importlib.util.find_spec("celery") is None:
        return False
    return not getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False)


def _transport_problem(url: str, transport: Any) -> str | None:
    """Why kombu cannot load the transport for ``url``, or ``None`` when it can.

    kombu imports the transport's module (and so its client library) when it resolves the
    URL's scheme, and builds the transport without opening a connection.
    """
    from kombu.connection import Connection  # kombu ships no type hints

    try:
        # Resolving the scheme imports the module: that import is what is checked.
        Connection(url, transport=transport).transport  # type: ignore[no-untyped-call]  # noqa: B018
    except (ImportError, AttributeError) as error:
        # Import-time failures of the transport module: kombu's Redis transport without
        # ``packaging`` (ImportError) or without ``redis`` ('NoneType' has no 'Redis').
        return f"{type(error).__name__}: {error}"
    except KeyError as error:  # kombu's "No such transport: redsi. Did you mean redis?"
        return str(error.args[0]) if error.args else type(error).__name__
    except Exception as error:
        # A parse error's text may quote the URL, which can hold the broker's password.
        return type(error).__name__
    return None


def _broker_messages() -> list[CheckMessage]:
    url = getattr(settings, "CELERY_BROKER_URL", None)
    if not url or not _celery_queues_tasks():
        return []
    # Celery takes a list of failover URLs too; the first one is used first.
    first = url if isinstance(url, str) else str(next(iter(url), ""))
    transport = getattr(settings, "CELERY_BROKER_TRANSPORT", None)
    problem = _transport_problem(first, transport)
    if problem is None:
        return []
    # The URL is not shown: it may carry the broker's password. Its scheme is enough.
    scheme = str(transport or first).split(":", 1)[0]
    return [
        Error(
            f"The Celery broker's transport ({scheme!r}, from CELERY_BROKER_URL"
            f"{' and CELERY_BROKER_TRANSPORT' if transport else ''}) cannot be loaded: "
            f"{problem}. No task can be queued and no worker can start.",
            hint="Install its client library: pip install 'django-talonone[celery,redis]' "
            "for redis:// (or 'celery[<transport>]'), or correct the URL's scheme.",
            id=_id("E", 20),
        )
    ]


def _celery_app_messages() -> list[CheckMessage]:
    events = _outbox_events()
    if not events or not _celery_queues_tasks():
        return []
    from celery import current_app  # type: ignore[import-untyped]

    # Celery's own fallback app (made when no app was ever created in this process) is
    # called "default" and, unlike every app a project makes, loads no Django fix-up.
    if current_app.main != "default" or current_app.fixups:
        return []
    return [
        Warning(
            f"TALONONE['DELIVERY'] sends {', '.join(events)} through the outbox, but this "
            "process has no Celery app of its own: tasks would go to Celery's fallback app "
            "and its default broker, not to your worker.",
            hint="Import your app in your project package's __init__.py: "
            "'from .celery import app as celery_app' and __all__ = ['celery_app'].",
            id=_id("W", 20),
        )
    ]


def _is_memory_database(name: object) -> bool:
    text = str(name or "")
    return text in ("", ":memory:") or "mode=memory" in text or text.startswith("file::memory:")


def _sqlite_messages() -> list[CheckMessage]:
    if not _outbox_events():
        return []
    messages: list[CheckMessage] = []
    for alias, database in settings.DATABASES.items():
        if database.get("ENGINE") != "django.db.backends.sqlite3":
            continue
        if _is_memory_database(database.get("NAME")):
            continue  # one process only: nobody else can hold the lock
        options: object = database.get("OPTIONS")
        mode = str(options.get("transaction_mode", "") if isinstance(options, dict) else "")
        if mode.upper() in _LOCKING_MODES:
            continue
        atomic = (
            " (ATOMIC_REQUESTS makes every request one)" if database.get("ATOMIC_REQUESTS") else ""
        )
        hint = (
            "Set DATABASES[...]['OPTIONS'] = {'transaction_mode': 'IMMEDIATE', 'timeout': "
            "20}, or use PostgreSQL."
            if django.VERSION >= (5, 1)
            else "Use PostgreSQL with a worker (Django 5.1+ also lets SQLite set "
            "OPTIONS['transaction_mode'] = 'IMMEDIATE')."
        )
        messages.append(
            Warning(
                f"Database {alias!r} is SQLite, written by the web process and by the "
                "outbox's worker: a transaction that reads before it writes"
                f"{atomic} fails with 'database is locked' when the other one writes.",
                hint=hint,
                id=_id("W", 21),
            )
        )
    return messages


@register(TAG)
def check_talonone_project(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The project's Celery broker and app, and its SQLite databases (see module doc)."""
    return _broker_messages() + _celery_app_messages() + _sqlite_messages()
