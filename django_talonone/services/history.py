"""Keeping a session's history as its replies are mirrored (see ``models.history``).

Called only from :func:`.delivery.record_session_reply`, the one place a session reply
reaches the mirrors, so an entry is written once per reply whichever way it came (the
cart page's synchronous call or the outbox).
"""

from __future__ import annotations

from django_talonone.evaluation import Evaluation
from django_talonone.models import (
    HISTORY_LIMIT,
    CustomerSession,
    HistoryKind,
    SessionHistoryEntry,
    SessionReturn,
    SessionState,
)

_KIND_OF_STATE = {
    SessionState.CLOSED: HistoryKind.CLOSED,
    SessionState.CANCELLED: HistoryKind.CANCELLED,
}


#: The states a session reaches from "closed" on, in Talon.One's order.
_FROM_CLOSED = (SessionState.CLOSED, SessionState.PARTIALLY_RETURNED, SessionState.CANCELLED)


def _reached(mirrored: str, sent_state: str) -> bool:
    """Whether the mirror says the session got to ``sent_state`` (or, for a close, past it)."""
    if sent_state == SessionState.CLOSED:
        return mirrored in _FROM_CLOSED
    return mirrored == sent_state


def _promotions(data: dict[str, object]) -> tuple[object, ...]:
    """What a shopper would notice changing: the total, the codes and their verdicts."""
    return (data.get("discountTotal"), data.get("coupons"), data.get("referral"))


def record_step(
    session: CustomerSession,
    evaluation: Evaluation,
    *,
    sent_state: str | None,
    session_return: SessionReturn | None = None,
) -> SessionHistoryEntry | None:
    """Add the step this reply records, or nothing when it repeats the last one.

    A return gets one entry (a retried return's reply is not counted twice); the close
    and the cancel one each; an open cart's evaluation only when what it gives changed.
    The close's reply is the close's step even when the mirrored state is already past
    "closed" (a refund or cancel queued before the close was delivered).
    """
    data = evaluation.to_dict()
    if session_return is not None:
        if SessionHistoryEntry.objects.filter(session_return=session_return).exists():
            return None
        kind = HistoryKind.RETURNED
    elif sent_state in _KIND_OF_STATE and _reached(evaluation.state, sent_state):
        kind = _KIND_OF_STATE[SessionState(sent_state)]
        if session.history.filter(kind=kind).exists():
            return None
    elif evaluation.state == SessionState.OPEN:
        kind = HistoryKind.EVALUATED
        last = session.history.order_by("-created_at", "-pk").first()
        if last is not None and _promotions(last.evaluation) == _promotions(data):
            return None
    else:  # a snapshot answered after the close: the close's entry already tells it
        return None
    entry = SessionHistoryEntry.objects.create(
        session=session,
        kind=kind,
        state=evaluation.state,
        discount_total=evaluation.discount_total,
        rolled_back_total=evaluation.rolled_back_total,
        evaluation=data,
        session_return=session_return,
    )
    if kind == HistoryKind.EVALUATED:
        _prune(session)
    return entry


def _prune(session: CustomerSession) -> None:
    """Keep the newest ``HISTORY_LIMIT`` cart evaluations of the session."""
    evaluations = session.history.filter(kind=HistoryKind.EVALUATED)
    excess = evaluations.count() - HISTORY_LIMIT
    if excess > 0:
        oldest = evaluations.order_by("created_at", "pk").values_list("pk", flat=True)[:excess]
        SessionHistoryEntry.objects.filter(pk__in=list(oldest)).delete()
