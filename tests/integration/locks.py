"""What the integration tests ask PostgreSQL about locks."""

from __future__ import annotations

from django.db import connection


def waiting_on_a_lock() -> bool:
    """Whether a session of the test database waits on a lock (another test thread)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        (count,) = cursor.fetchone()
    return bool(count)
