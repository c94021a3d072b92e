"""The outbox: Talon.One calls written in the shop's transaction, delivered later.

Shop code (through ``services``) calls :func:`enqueue` inside its own transaction. After
the commit, the Celery task ``talonone.deliver_lane`` delivers the lane; the periodic
``talonone.sweep_outbox`` task catches rows whose retry is due or whose worker died.
Cart snapshots are cheaper still: one INSERT, built by the worker, woken in batches by
``talonone.watch_outbox`` (see :mod:`.snapshots`).
Shops using Celery beat add::

    CELERY_BEAT_SCHEDULE = {
        "talonone-sweep-outbox": {"task": "talonone.sweep_outbox", "schedule": 60.0},
    }

Without Celery, run ``manage.py talonone_deliver --loop`` (or ``--once`` from cron).

Ordering and claiming rules are in :mod:`.claims`, payload storage rules (exact money)
in :mod:`.payload`, retry rules in :mod:`.runner`.
"""

from __future__ import annotations

from .claims import LaneState
from .lanes import audience_lane, cart_lane, coupon_lane, profile_lane, session_lane
from .payload import decode_payload, encode_payload, json_safe
from .runner import (
    DrainSummary,
    LaneResult,
    backoff_delay,
    deliver_lane,
    deliver_pending,
    due_lanes,
    sweep,
)
from .store import delivery_dead, discard_dead, enqueue, kick, retry_dead, supersede

__all__ = [
    "DrainSummary",
    "LaneResult",
    "LaneState",
    "audience_lane",
    "backoff_delay",
    "cart_lane",
    "coupon_lane",
    "decode_payload",
    "deliver_lane",
    "deliver_pending",
    "delivery_dead",
    "discard_dead",
    "due_lanes",
    "encode_payload",
    "enqueue",
    "json_safe",
    "kick",
    "profile_lane",
    "retry_dead",
    "session_lane",
    "supersede",
    "sweep",
]
