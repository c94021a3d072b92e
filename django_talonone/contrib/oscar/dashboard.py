"""Talon.One's state of an order's session, on oscar's dashboard order page.

Oscar's dashboard lists an order's notes on its page; this keeps one note of type
``Talon.One`` per order up to date whenever the order's session mirror changes (its close,
cancel or return was answered), so staff see the state, the discounts Talon.One recorded
and any difference from what was charged, with no template of the shop's own.
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from oscar.core.loading import get_model

from django_talonone.cart import Evaluation

NOTE_TYPE = "Talon.One"


def describe(session: Any) -> str:
    evaluation = Evaluation.from_dict(session.last_evaluation or {})
    parts = [f"Talon.One session {session.session_id}: {session.state}."]
    if evaluation.discounts:
        listed = "; ".join(
            f"{d.name or 'campaign ' + str(d.campaign_id)} {d.amount}" for d in evaluation.discounts
        )
        parts.append(f"Discounts: {listed} (total {evaluation.discount_total}).")
    else:
        parts.append("No discounts.")
    if evaluation.accepted_coupons:
        parts.append(f"Coupons: {', '.join(evaluation.accepted_coupons)}.")
    if session.charge_difference is not None:
        parts.append(
            f"Charged {session.charged_discount}, Talon.One recorded {session.recorded_discount}."
        )
    return " ".join(parts)


def session_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    """Refresh the order's Talon.One note when its session mirror changes."""
    order_model = get_model("order", "Order")
    if instance.content_type_id != ContentType.objects.get_for_model(order_model).pk:
        return
    order = order_model._default_manager.filter(pk=instance.object_id).first()
    if order is None:
        return
    message = describe(instance)
    note = order.notes.filter(note_type=NOTE_TYPE).first()
    if note is None:
        order.notes.create(note_type=NOTE_TYPE, message=message)
    elif note.message != message:
        note.message = message
        note.save(update_fields=["message"])
