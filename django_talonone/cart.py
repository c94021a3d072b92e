"""The public face of cart handling: adapters in, evaluations out.

Shops import everything they need from here (``from django_talonone.cart import
CartAdapter, LineItem, Evaluation``); the code lives in :mod:`django_talonone.adapters`
(shop objects → payloads) and :mod:`django_talonone.evaluation` (effects → summary).
"""

from __future__ import annotations

from django_talonone.adapters import (
    CartAdapter,
    CustomerAdapter,
    InvalidPayload,
    LineItem,
    OrderAdapter,
    SessionAdapter,
)
from django_talonone.evaluation import (
    COUPON_MESSAGES,
    REFERRAL_MESSAGES,
    CodeVerdict,
    Discount,
    Evaluation,
    FreeItem,
    Notification,
    summarise,
)

__all__ = [
    "COUPON_MESSAGES",
    "REFERRAL_MESSAGES",
    "CartAdapter",
    "CodeVerdict",
    "CustomerAdapter",
    "Discount",
    "Evaluation",
    "FreeItem",
    "InvalidPayload",
    "LineItem",
    "Notification",
    "OrderAdapter",
    "SessionAdapter",
    "summarise",
]
