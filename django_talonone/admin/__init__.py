"""django-talonone in the Django admin.

Importing this package (Django's admin autodiscovery does) registers read-mostly
ModelAdmins for the outbox (:mod:`.deliveries`), customer sessions and returns
(:mod:`.sessions`) and the mirrors (:mod:`.mirrors`). Actions for the shop's own customer
admin live in :mod:`.actions`; :mod:`.confirm` builds actions with a confirmation page.
"""

from __future__ import annotations

from . import deliveries, mirrors, sessions
from .confirm import Confirmation, confirmed_action

__all__ = [
    "Confirmation",
    "confirmed_action",
    "deliveries",
    "mirrors",
    "sessions",
]
