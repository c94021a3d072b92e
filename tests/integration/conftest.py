"""Real infrastructure: PostgreSQL, Redis and Celery worker processes.

These tests run only with ``--ds=tests.settings_postgres`` (other runs do not collect
them). When PostgreSQL or Redis cannot be reached they skip, except under ``CI`` where
a missing service is a broken build and they fail.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SETTINGS_MODULE = "tests.settings_postgres"


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if os.environ.get("DJANGO_SETTINGS_MODULE") != SETTINGS_MODULE:
        return collection_path.name.startswith("test_")
    return None


def _unreachable() -> str | None:
    import psycopg
    import redis
    from django.conf import settings

    try:
        psycopg.connect(settings.DATABASE_URL, connect_timeout=3).close()
    except psycopg.Error as error:
        return f"PostgreSQL at TALONONE_TEST_DATABASE_URL is unreachable ({type(error).__name__})"
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        return f"Redis at TALONONE_TEST_REDIS_URL is unreachable ({type(error).__name__})"
    return None


@pytest.fixture(scope="session", autouse=True)
def _services() -> None:
    problem = _unreachable()
    if problem is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{problem}; CI must start it with .ci/services.sh")
    pytest.skip(f"{problem}; run .ci/services.sh to start PostgreSQL and Redis")
