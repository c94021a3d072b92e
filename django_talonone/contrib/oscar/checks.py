"""System checks of the oscar contrib: its voucher middleware, where oscar needs it.

Without ``TalonOneVoucherMiddleware`` every Talon.One code typed into oscar's voucher form
falls through to oscar's own view, which knows no such voucher: the shopper is told the
code does not exist and nothing reaches Talon.One. Placed before oscar's
``BasketMiddleware`` it runs before ``request.basket`` exists and does nothing either. Both
mistakes fail quietly, so the check says so at ``manage.py check`` / ``runserver``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Warning
from django.utils.module_loading import import_string

OURS = "django_talonone.contrib.oscar.vouchers.TalonOneVoucherMiddleware"
OSCARS = "oscar.apps.basket.middleware.BasketMiddleware"
MISSING = "django_talonone.W050"
TOO_EARLY = "django_talonone.W051"


def _position(middleware: list[str], base: type) -> int | None:
    """The index of the first entry that is ``base`` or a subclass of it (a shop's own)."""
    for index, path in enumerate(middleware):
        try:
            found = import_string(path)
        except ImportError:
            continue  # Django's own check reports a middleware that cannot be imported
        if isinstance(found, type) and issubclass(found, base):
            return index
    return None


def middleware_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Warn when the voucher middleware is missing, or before oscar's BasketMiddleware."""
    middleware = list(getattr(settings, "MIDDLEWARE", None) or [])
    ours = _position(middleware, import_string(OURS))
    if ours is None:
        return [
            Warning(
                f"MIDDLEWARE lacks {OURS}: Talon.One codes typed into oscar's voucher form "
                "go to oscar's own view, which rejects them as unknown vouchers.",
                hint=f"Add {OURS!r} to MIDDLEWARE, after {OSCARS!r}.",
                id=MISSING,
            )
        ]
    basket = _position(middleware, import_string(OSCARS))
    if basket is not None and basket > ours:
        return [
            Warning(
                f"MIDDLEWARE has {OURS} before oscar's BasketMiddleware: it runs before "
                "request.basket exists, so Talon.One codes go to oscar's own view.",
                hint=f"Move {OURS!r} after {OSCARS!r} in MIDDLEWARE.",
                id=TOO_EARLY,
            )
        ]
    return []
