"""Local mirrors of Talon.One entities, and the outbox of calls still to deliver.

Mirrors are written only by ``django_talonone.services`` (the one sync path); models never
call the network.
"""

from .history import HISTORY_LIMIT, HistoryKind, SessionHistoryEntry
from .mirrors import Audience, AudienceMembership, CouponReservation, SyncState
from .notifications import Notification, NotificationState, StrikethroughPrice
from .outbox import Delivery, DeliveryStatus, Operation
from .referrals import ReferralCode
from .sessions import CustomerSession, ReturnState, SessionReturn, SessionState

__all__ = [
    "HISTORY_LIMIT",
    "Audience",
    "AudienceMembership",
    "CouponReservation",
    "CustomerSession",
    "Delivery",
    "DeliveryStatus",
    "HistoryKind",
    "Notification",
    "NotificationState",
    "Operation",
    "ReferralCode",
    "ReturnState",
    "SessionHistoryEntry",
    "SessionReturn",
    "SessionState",
    "StrikethroughPrice",
    "SyncState",
]
