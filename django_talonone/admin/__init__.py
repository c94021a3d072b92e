"""django-talonone in the Django admin.

Importing this package (Django's admin autodiscovery does) registers read-mostly
ModelAdmins for the outbox (:mod:`.deliveries`), customer sessions and returns
(:mod:`.sessions`), Talon.One's notifications (:mod:`.notifications`) and the mirrors
with their sync actions (:mod:`.mirrors`). Actions for the shop's own customer admin live
in :mod:`.actions`; :mod:`.confirm` builds actions with a confirmation page, for the
shop's own admins too.
"""

from __future__ import annotations

from . import deliveries, mirrors, notifications, sessions
from .actions import TalonOneCustomerAdminMixin, erase_in_talonone, send_profiles_to_talonone
from .confirm import Confirmation, confirmed_action
from .refusal import StyledRefusalMixin, refusal

__all__ = [
    "Confirmation",
    "StyledRefusalMixin",
    "TalonOneCustomerAdminMixin",
    "confirmed_action",
    "deliveries",
    "erase_in_talonone",
    "mirrors",
    "notifications",
    "refusal",
    "send_profiles_to_talonone",
    "sessions",
]
