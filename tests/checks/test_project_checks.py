"""Checks of the project around the app: broker transport, Celery app, SQLite locking."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import kombu.transport
import pytest
from django.conf import settings as django_settings
from django.core.checks import run_checks
from django.test import override_settings

from django_talonone.conf import DELIVERY_EVENTS

ROOT = Path(__file__).resolve().parents[2]
GOOD = {"BASE_URL": "https://shop.europe-west1.talon.one", "API_KEY": "k-123"}
ALL_SYNC = {"DELIVERY": dict.fromkeys(DELIVERY_EVENTS, "sync")}
# The checks only read DATABASES; no connection is made to the overridden ones.
pytestmark = pytest.mark.filterwarnings("ignore:Overriding setting DATABASES:UserWarning")
FILE_DB = {"ENGINE": "django.db.backends.sqlite3", "NAME": "/srv/shop/db.sqlite3"}


@pytest.fixture
def without(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Make modules unimportable, and kombu resolve its transports afresh."""

    def hide(*modules: str) -> None:
        monkeypatch.setattr(kombu.transport, "_transport_cache", {})
        monkeypatch.delitem(sys.modules, "kombu.transport.redis", raising=False)
        for module in modules:
            monkeypatch.setitem(sys.modules, module, None)

    return hide


def found(**settings: Any) -> dict[str, str]:
    """The messages of the checks, by id, as ``msg hint``."""
    settings.setdefault("TALONONE", GOOD)
    with override_settings(**settings):
        return {
            message.id: f"{message.msg} {message.hint}" for message in run_checks(tags=["talonone"])
        }


def databases(**default: Any) -> dict[str, dict[str, Any]]:
    return {**django_settings.DATABASES, "shop": default}


# django_talonone.E020: the broker's transport cannot be imported.


def test_a_redis_broker_with_its_client_installed_passes() -> None:
    assert found(CELERY_BROKER_URL="redis://127.0.0.1:6379/0") == {}


def test_a_redis_broker_without_the_redis_client_is_e020(without: Callable[..., None]) -> None:
    # What 'pip install django-talonone[celery]' alone gives: kombu imports, redis does not.
    without("redis")
    messages = found(CELERY_BROKER_URL="redis://:s3cret-pass@cache.internal:6379/0")
    assert list(messages) == ["django_talonone.E020"]
    assert "'NoneType' object has no attribute 'Redis'" in messages["django_talonone.E020"]
    assert "django-talonone[celery,redis]" in messages["django_talonone.E020"]
    assert "s3cret-pass" not in messages["django_talonone.E020"]
    assert "cache.internal" not in messages["django_talonone.E020"]


def test_a_redis_broker_without_packaging_is_e020(without: Callable[..., None]) -> None:
    without("packaging", "packaging.version")
    messages = found(CELERY_BROKER_URL="redis://127.0.0.1:6379/0")
    assert list(messages) == ["django_talonone.E020"]
    assert "packaging" in messages["django_talonone.E020"]


def test_a_mistyped_scheme_is_e020_with_a_suggestion() -> None:
    messages = found(CELERY_BROKER_URL="rediss-cluster://127.0.0.1:6379/0")
    assert list(messages) == ["django_talonone.E020"]
    assert "No such transport" in messages["django_talonone.E020"]


def test_a_transport_class_that_does_not_import_is_e020() -> None:
    messages = found(
        CELERY_BROKER_URL="filesystem://",
        CELERY_BROKER_TRANSPORT="shop.no_such_broker:Transport",
    )
    assert list(messages) == ["django_talonone.E020"]
    assert "CELERY_BROKER_TRANSPORT" in messages["django_talonone.E020"]


def test_a_failover_list_is_checked_by_its_first_url(without: Callable[..., None]) -> None:
    without("redis")
    assert list(found(CELERY_BROKER_URL=["redis://a:6379/0", "redis://b:6379/0"])) == [
        "django_talonone.E020"
    ]


def test_eager_tasks_need_no_broker_transport(without: Callable[..., None]) -> None:
    without("redis")
    assert (
        found(CELERY_BROKER_URL="redis://127.0.0.1/0", CELERY_TASK_ALWAYS_EAGER=True, DEBUG=True)
        == {}
    )


# django_talonone.W020: no project Celery app in this process (needs a fresh process).

SCRIPT = """
import json, django
from django.core.checks import run_checks
django.setup()
before = [m.id for m in run_checks(tags=["talonone"])]
from celery import Celery
Celery("yourproject")
after = [m.id for m in run_checks(tags=["talonone"])]
print(json.dumps([before, after]))
"""


def test_a_process_without_the_project_celery_app_is_w020() -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "PYTHONPATH": str(ROOT),
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    before, after = json.loads(result.stdout.strip().splitlines()[-1])
    assert before == ["django_talonone.W020"]
    assert after == []


def test_w020_names_the_fix() -> None:
    from celery import Celery

    fallback = Celery("default", fixups=[], set_as_current=True)  # the one Celery makes
    try:
        messages = found()
    finally:
        fallback.close()
    assert list(messages) == ["django_talonone.W020"]
    assert "from .celery import app as celery_app" in messages["django_talonone.W020"]


def test_w020_is_quiet_when_nothing_uses_the_outbox() -> None:
    from celery import Celery

    Celery("default", fixups=[], set_as_current=True)
    assert found(TALONONE=GOOD | ALL_SYNC) == {}


# django_talonone.W021: SQLite shared with a worker, without taking the lock up front.


def test_a_sqlite_file_without_immediate_transactions_is_w021() -> None:
    messages = found(DATABASES=databases(**FILE_DB, ATOMIC_REQUESTS=True))
    assert list(messages) == ["django_talonone.W021"]
    text = messages["django_talonone.W021"]
    assert "'shop'" in text
    assert "database is locked" in text
    assert "ATOMIC_REQUESTS" in text
    assert "'transaction_mode': 'IMMEDIATE'" in text


@pytest.mark.parametrize("mode", ["IMMEDIATE", "immediate", "EXCLUSIVE"])
def test_immediate_transactions_silence_w021(mode: str) -> None:
    database = {**FILE_DB, "OPTIONS": {"transaction_mode": mode, "timeout": 20}}
    assert found(DATABASES=databases(**database)) == {}


@pytest.mark.parametrize("name", [":memory:", "file:shop?mode=memory&cache=shared"])
def test_in_memory_sqlite_is_not_w021(name: str) -> None:
    assert found(DATABASES=databases(**FILE_DB | {"NAME": name})) == {}


def test_other_databases_and_sync_delivery_are_not_w021() -> None:
    postgres = {"ENGINE": "django.db.backends.postgresql", "NAME": "shop"}
    assert found(DATABASES=databases(**postgres)) == {}
    assert found(DATABASES=databases(**FILE_DB), TALONONE=GOOD | ALL_SYNC) == {}
