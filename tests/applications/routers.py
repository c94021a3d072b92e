"""Routing hooks the tests configure as ``TALONONE['APPLICATION_ROUTER']``."""

from __future__ import annotations

from typing import Any


def uk_storefront(obj: Any, kind: str, adapter: Any) -> str | None:
    """Carts of ``uk-`` shoppers go to the UK storefront's Application; others by currency."""
    user = getattr(obj, "user", None)
    return "gbp" if user is not None and user.username.startswith("uk-") else None


def everything_to_default(obj: Any, kind: str, adapter: Any) -> str | None:
    return "default"


def nowhere(obj: Any, kind: str, adapter: Any) -> str | None:
    return "usd"
