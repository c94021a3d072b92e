"""Charged versus recorded: the discount the shop charged and the one Talon.One's close kept.

The two can differ without anyone doing anything wrong. A cart page that could not reach
Talon.One shows full prices and the shop charges them, yet the close (delivered later,
when Talon.One answers again) applies the automatic promotions and counts their budgets;
a coupon can run out between the cart page and the close; a campaign can change. The
shop tells the app what it charged through ``OrderAdapter.get_charged_discount``; when the
close's reply comes back, this module records what Talon.One kept, and a difference of at
least one unit of the currency (``CURRENCY_DECIMAL_PLACES``) is stored on the session,
logged and announced by the ``charge_mismatch`` signal, for the shop or its staff to settle.
"""

from __future__ import annotations

import logging
from decimal import ROUND_HALF_EVEN, Decimal
from functools import partial

from django.db import router, transaction

from django_talonone import signals
from django_talonone.conf import get_settings
from django_talonone.models import CustomerSession

logger = logging.getLogger("django_talonone.services")


def check_charge(session: CustomerSession, recorded: Decimal) -> list[str]:
    """Record the close's discount ``recorded`` on ``session``; compare it with the charge.

    Returns the fields changed, for the caller's ``save(update_fields=...)``. The signal is
    sent once the caller's transaction commits, so a receiver sees the saved session.
    """
    session.recorded_discount = recorded
    charged = session.charged_discount
    difference = None
    if charged is not None:
        unit = get_settings().for_application(session.application).currency_unit
        rounded = (recorded - charged).quantize(unit, rounding=ROUND_HALF_EVEN)
        difference = rounded if rounded else None
    session.charge_difference = difference
    if difference is not None:
        assert charged is not None
        logger.warning(
            "Talon.One recorded a discount of %s at the close of session %s; the shop charged "
            "a discount of %s (difference %s).",
            recorded,
            session.session_id,
            charged,
            difference,
        )
        transaction.on_commit(
            partial(_announce, session, charged, recorded, difference),
            using=router.db_for_write(CustomerSession),
        )
    return ["recorded_discount", "charge_difference"]


def _announce(
    session: CustomerSession, charged: Decimal, recorded: Decimal, difference: Decimal
) -> None:
    signals.charge_mismatch.send(
        sender=CustomerSession,
        session=session,
        charged=charged,
        recorded=recorded,
        difference=difference,
    )
