"""Spending loyalty points on a cart: the one call a shop makes for "use my points".

Talon.One spends points through a rule that reads a custom session attribute holding the
points asked for (``TALONONE['LOYALTY_POINTS_ATTRIBUTE']``). :func:`request_points`
checks the request, then has the cart adapter store it on the cart; every session the
cart (and its order) sends from then on carries it, so the next evaluation shows the
discount the points buy and the close spends them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import models

from django_talonone.adapters import CartAdapter, InvalidPayload, validate_points
from django_talonone.conf import get_settings
from django_talonone.registry import cart_adapter_for

from .sessions import require_saved

__all__ = ["request_points"]


def request_points(
    cart: models.Model, points: Decimal | int, *, adapter: CartAdapter | None = None
) -> Decimal:
    """Ask to spend ``points`` on ``cart`` (``0`` takes the request back); returns them.

    Raises ``ImproperlyConfigured`` when ``LOYALTY_POINTS_ATTRIBUTE`` is not set and
    :class:`InvalidPayload` for a value that is not a whole or decimal number of at least
    0 (a float is refused: it cannot say 0.1 exactly). Whether the shopper *has* the points
    is Talon.One's call: a request beyond the active balance gives no discount, and the
    evaluation's ``points_spent`` stays 0.
    """
    require_saved(cart, "cart")
    if get_settings().loyalty_points_attribute is None:
        raise ImproperlyConfigured(
            "request_points() needs TALONONE['LOYALTY_POINTS_ATTRIBUTE']: the session "
            "attribute your Application's spend rule reads the points from."
        )
    value: Any = (
        Decimal(points) if isinstance(points, int) and not isinstance(points, bool) else points
    )
    if isinstance(value, bool):
        raise InvalidPayload("points", "must be a number of points, got a bool")
    checked = validate_points("points", value)
    (adapter or cart_adapter_for(cart)).set_points_to_spend(cart, checked)
    return checked
