"""The ``--database`` option the benchmarks share: ``sqlite`` or a ``postgres://`` URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit


def file_or_postgres_settings(url: str, folder: str, name: str) -> dict[str, Any]:
    """``sqlite``: a file ``name`` in ``folder`` in WAL mode (readers never wait, so worker
    threads can share it); else the ``postgres://`` URL."""
    if url == "sqlite":
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(Path(folder) / name),
            "OPTIONS": {
                "timeout": 60,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
            },
        }
    return postgres_settings(url)


def postgres_settings(url: str) -> dict[str, Any]:
    """Django ``DATABASES`` entry for ``postgres://user:password@host:port/name``."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise SystemExit(f"--database: expected 'sqlite' or a postgres:// URL, got {url!r}")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": parts.path.lstrip("/"),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "127.0.0.1",
        "PORT": str(parts.port or 5432),
    }
