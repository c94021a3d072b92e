"""Sending one outbox row to Talon.One, and applying replies to the local mirrors.

This is the one sync path: whether a call went out through the outbox or synchronously
(the cart page), its reply reaches the mirrors through the ``record_*`` functions below,
so the cart code reuses them rather than writing mirrors its own way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from django_talonone.client import TalonOneAPIError
from django_talonone.discounts import CartLimits
from django_talonone.evaluation import Evaluation, summarise
from django_talonone.json_values import json_safe
from django_talonone.models import (
    AudienceMembership,
    CouponReservation,
    CustomerSession,
    Delivery,
    Operation,
    ReturnState,
    SessionReturn,
    SessionState,
    SyncState,
)
from django_talonone.outbox.payload import decode_payload
from django_talonone.services.charges import check_charge
from django_talonone.services.clients import get_client
from django_talonone.services.history import record_step

#: Operations whose rows carry the row's Idempotency-Key, the same on every attempt, so a
#: retry is applied once: the POSTs, and the profile writes Talon.One keys too. A cart's
#: session update does not: its body is rebuilt from the cart at each attempt (a retry
#: sends the newest cart, which a replayed first reply would drop), and a PUT of the whole
#: session is idempotent by nature.
KEYED_OPERATIONS = frozenset(
    {
        Operation.RETURN_ITEMS,
        Operation.TRACK_EVENT,
        Operation.UPDATE_AUDIENCES,
        Operation.CREATE_RESERVATION,
        Operation.UPDATE_PROFILE,
        Operation.UPDATE_PROFILES,
    }
)


def idempotency_key_for(delivery: Delivery) -> str:
    """The key a POST carries: a return's own key (shared with any synchronous try),
    else the row's; either way the same on every attempt."""
    session_return = delivery.session_return
    if session_return is not None:
        return str(session_return.idempotency_key)
    return str(delivery.idempotency_key)


def send(delivery: Delivery) -> Any:
    """Make the call ``delivery`` describes with the delivery client; returns the reply."""
    args, body, query = decode_payload(delivery.payload)
    method = getattr(get_client("delivery"), Operation(delivery.operation).value)
    kwargs = dict(query)
    if delivery.operation in KEYED_OPERATIONS:
        kwargs["idempotency_key"] = idempotency_key_for(delivery)
    if body is not None:
        return method(*args, body, **kwargs)
    return method(*args, **kwargs)


def record_session_reply(
    session: CustomerSession,
    reply: Any,
    *,
    sent_state: str | None = None,
    sent: Mapping[str, Any] | None = None,
    session_return: SessionReturn | None = None,
) -> Evaluation:
    """Store a session reply's state (the reply's wins over the sent one), raw effects and
    :class:`Evaluation` summary, so the cart page can show it without a call, and the step
    in the session's history (``session_return`` when the reply answers that return).

    ``sent`` is the body sent: no discount is kept beyond its lines and total."""
    reply = reply if isinstance(reply, Mapping) else {}
    echoed = reply.get("customerSession")
    state = echoed.get("state") if isinstance(echoed, Mapping) else None
    state = state or sent_state
    fields = ["evaluated_at", "evaluation_failed", "last_evaluation", "updated_at"]
    if state in SessionState.values:
        _move_forward(session, SessionState(state))
    effects = reply.get("effects")
    if isinstance(effects, list):
        session.last_effects = json_safe(effects)
        fields.append("last_effects")
    session.evaluated_at = timezone.now()
    session.evaluation_failed = False
    evaluation = summarise(
        effects if isinstance(effects, list) else [],
        session_id=session.session_id,
        state=session.state,
        evaluated_at=session.evaluated_at,
        limits=CartLimits.of_session(sent),
    )
    session.last_evaluation = evaluation.to_dict()
    if sent_state == SessionState.CLOSED and state == SessionState.CLOSED:  # the close's reply
        fields += check_charge(session, evaluation.discount_total)
    session.save(update_fields=fields)
    record_step(session, evaluation, sent_state=sent_state, session_return=session_return)
    return evaluation


#: A session's states in the only order Talon.One moves through them.
_PROGRESS = (
    SessionState.OPEN,
    SessionState.CLOSED,
    SessionState.PARTIALLY_RETURNED,
    SessionState.CANCELLED,
)


def _move_forward(session: CustomerSession, state: SessionState) -> None:
    """Set the mirrored state, never backwards: a reply to a snapshot that was in flight
    while the shop closed the session says "open", and must not reopen it here.

    One conditional UPDATE, so a close written concurrently cannot be overwritten either.
    """
    behind = _PROGRESS[: _PROGRESS.index(state) + 1]
    moved = CustomerSession.objects.filter(pk=session.pk, state__in=behind).update(state=state)
    if moved:
        session.state = state
    else:
        session.refresh_from_db(fields=["state"])


def record_return_reply(session_return: SessionReturn, reply: Any) -> None:
    """Mark a return applied, keep Talon.One's reply, and mirror the session it changed."""
    session_return.state = ReturnState.DONE
    session_return.reply = json_safe(reply)
    session_return.save(update_fields=["state", "reply", "updated_at"])
    record_session_reply(
        session_return.session,
        reply,
        sent_state=str(SessionState.PARTIALLY_RETURNED),
        session_return=session_return,
    )


def record_audience_delivery(delivery: Delivery) -> None:
    """Mirror a delivered membership batch: its additions synced, its deletions forgotten.

    Only the members the row still carries (``queued_in``) move: one whose later change
    was queued since waits for that change's row. One UPDATE and one DELETE per batch of up
    to 1000 changes, not one per member.
    """
    rows = AudienceMembership.objects.filter(queued_in=delivery)
    rows.filter(queued_action="delete", sync_state=SyncState.DELETING).delete()
    now = timezone.now()
    rows.filter(queued_action="add").exclude(sync_state=SyncState.DELETING).update(
        sync_state=SyncState.SYNCED, synced_at=now, last_error="", updated_at=now
    )


def record_reservation_delivery(delivery: Delivery) -> None:
    """Mirror a delivered reservation batch: created ones synced, deleted ones forgotten.

    The profiles' cached wallets are dropped: they now show (or no longer show) the coupon.
    """
    from django_talonone.wallet import invalidate_wallet

    rows = CouponReservation.objects.filter(queued_in=delivery)
    profile_ids = list(rows.values_list("profile_id", flat=True))
    if delivery.operation == Operation.CREATE_RESERVATION:
        now = timezone.now()
        rows.exclude(sync_state=SyncState.DELETING).update(
            sync_state=SyncState.SYNCED, synced_at=now, last_error="", updated_at=now
        )
    else:
        rows.filter(sync_state=SyncState.DELETING).delete()
    for profile_id in profile_ids:
        invalidate_wallet(profile_id)


def _session_of(delivery: Delivery, args: list[Any]) -> CustomerSession | None:
    session: CustomerSession | None = delivery.session
    if session is None and args:
        session = CustomerSession.objects.filter(session_id=str(args[0])).first()
    return session


def apply_reply(delivery: Delivery, reply: Any) -> None:
    """Update the mirrors after ``delivery`` succeeded."""
    args, body, _ = decode_payload(delivery.payload)
    body = body if isinstance(body, Mapping) else {}
    operation = Operation(delivery.operation)
    if operation == Operation.UPDATE_SESSION:
        session = _session_of(delivery, args)
        sent = body.get("customerSession")
        if session is not None:
            sent_state = sent.get("state") if isinstance(sent, Mapping) else None
            record_session_reply(session, reply, sent_state=sent_state, sent=body)
    elif operation == Operation.RETURN_ITEMS and delivery.session_return is not None:
        record_return_reply(delivery.session_return, reply)
    elif operation == Operation.UPDATE_AUDIENCES:
        record_audience_delivery(delivery)
    elif operation in (Operation.CREATE_RESERVATION, Operation.DELETE_RESERVATION):
        record_reservation_delivery(delivery)


def settled_without_success(delivery: Delivery, error: BaseException) -> str | None:
    """Why a failed call still leaves nothing to do (the row counts as done), or ``None``.

    DeleteCustomerData answering 404: Talon.One never saw that profile, so there is no
    data to erase; parking the row as dead would only block the profile's lane.
    """
    if (
        delivery.operation == Operation.DELETE_CUSTOMER
        and isinstance(error, TalonOneAPIError)
        and error.status_code == 404
    ):
        return f"404 {error.message}: Talon.One has no such profile, so nothing to delete"
    return None


def _mark_failed(rows: Any, message: str) -> None:
    """Record ``message``; rows being added turn failed, rows being deleted stay deleting."""
    now = timezone.now()
    rows.exclude(sync_state=SyncState.DELETING).update(
        sync_state=SyncState.FAILED, last_error=message, updated_at=now
    )
    rows.filter(sync_state=SyncState.DELETING).update(last_error=message, updated_at=now)


def apply_failure(delivery: Delivery, message: str) -> None:
    """Show on the mirrors that ``delivery`` is dead, and why."""
    operation = Operation(delivery.operation)
    if operation == Operation.RETURN_ITEMS and delivery.session_return is not None:
        delivery.session_return.state = ReturnState.FAILED
        delivery.session_return.save(update_fields=["state", "updated_at"])
    elif operation == Operation.UPDATE_AUDIENCES:
        _mark_failed(AudienceMembership.objects.filter(queued_in=delivery), message)
    elif operation in (Operation.CREATE_RESERVATION, Operation.DELETE_RESERVATION):
        _mark_failed(CouponReservation.objects.filter(queued_in=delivery), message)
