"""Request body of the coupon reservation operations (create and delete share it).

Today's API caps the list at 1000 integration ids; v4 had no cap, so the cap applies.
"""

from __future__ import annotations

from django_talonone.emulator.schemas.common import (
    INTEGRATION_ID,
    MAX_ITEMS,
    Schema,
    array,
    model,
)

COUPON_RESERVATIONS: Schema = model(
    {"integrationIDs": array(INTEGRATION_ID, max_items=MAX_ITEMS)},
    required=["integrationIDs"],
)
