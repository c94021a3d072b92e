"""A customer session's history: what Talon.One answered at each step of its life.

``CustomerSession.last_evaluation`` holds only the newest reply, so after a refund the
discount the order was sold with is gone from it. Each entry here keeps one step (an
evaluation that changed what the cart gets, the close, each return, the cancel) with its
summary, so support can see what the shopper was given and what was taken back.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from .sessions import MONEY_DIGITS, MONEY_PLACES, CustomerSession, SessionReturn, SessionState

#: Cart evaluations kept per session (the oldest go first). The close, the cancel and the
#: returns are always kept: there is one close and one cancel, and returns are bounded by
#: the order's lines.
HISTORY_LIMIT = 50


class HistoryKind(models.TextChoices):
    EVALUATED = "evaluated", _("cart evaluated")
    CLOSED = "closed", _("order placed (session closed)")
    RETURNED = "returned", _("items returned")
    CANCELLED = "cancelled", _("order cancelled")


class SessionHistoryEntry(models.Model):
    """One step of a session, written by the services with the reply it mirrors."""

    session = models.ForeignKey(CustomerSession, on_delete=models.CASCADE, related_name="history")
    kind = models.CharField(max_length=16, choices=HistoryKind.choices)
    state = models.CharField(_("state after"), max_length=32, choices=SessionState.choices)
    discount_total = models.DecimalField(
        _("discount total"),
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
        default=Decimal(0),
        help_text=_("The discounts Talon.One gave in this reply."),
    )
    rolled_back_total = models.DecimalField(
        _("rolled back"),
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
        default=Decimal(0),
        help_text=_("The discounts this reply took back (a return or a cancel)."),
    )
    evaluation = models.JSONField(_("evaluation"), default=dict, blank=True)
    session_return = models.OneToOneField(
        SessionReturn,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="history_entry",
        help_text=_("The return this entry records; one entry per return."),
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("session history entry")
        verbose_name_plural = _("session history")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.session_id})"
