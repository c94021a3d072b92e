"""Customer sessions as Talon.One knows them, and the returns made against them."""

from __future__ import annotations

import uuid

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from .fields import (
    APPLICATION_HELP,
    APPLICATION_LABEL,
    APPLICATION_NAME_LENGTH,
    DEFAULT_APPLICATION,
)


class SessionState(models.TextChoices):
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")
    CANCELLED = "cancelled", _("cancelled")
    PARTIALLY_RETURNED = "partially_returned", _("partially returned")


def new_session_id() -> str:
    """A fresh Talon.One session integration id; a closed session's id is never reused."""
    return uuid.uuid4().hex


#: Room for any amount below the adapters' limit, to a millionth (Talon.One's effects can
#: carry more decimals than the currency).
MONEY_DIGITS, MONEY_PLACES = 20, 6


class CustomerSession(models.Model):
    """One Talon.One customer session, linked to the shop object (cart or order) it mirrors.

    ``last_evaluation`` is the plain summary the cart renders (see ``cart.Evaluation``);
    ``last_effects`` keeps Talon.One's raw effects for audits and debugging. The three
    discount fields compare what the shop charged with what the close recorded.
    """

    session_id = models.CharField(
        _("Talon.One session id"), max_length=255, unique=True, default=new_session_id
    )
    profile_id = models.CharField(_("profile id"), max_length=1000, blank=True, db_index=True)
    #: Decided when the session opens and kept: its close, cancel and returns go there.
    application = models.CharField(
        APPLICATION_LABEL,
        max_length=APPLICATION_NAME_LENGTH,
        default=DEFAULT_APPLICATION,
        help_text=APPLICATION_HELP,
    )
    state = models.CharField(
        max_length=32, choices=SessionState.choices, default=SessionState.OPEN, db_index=True
    )
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    object_id = models.CharField(max_length=255, blank=True, db_index=True)
    shop_object = GenericForeignKey("content_type", "object_id")
    lane = models.CharField(
        _("outbox lane"),
        max_length=1100,
        blank=True,
        help_text=_(
            "Where the session's calls queue: its cart's lane while the cart holds it, its "
            "own from its close on, so the cart's next session never waits behind it."
        ),
    )
    last_evaluation = models.JSONField(_("last evaluation"), default=dict, blank=True)
    last_effects = models.JSONField(_("last effects"), default=list, blank=True)
    evaluated_at = models.DateTimeField(null=True, blank=True)
    evaluation_failed = models.BooleanField(
        default=False, help_text=_("The last evaluation could not reach Talon.One.")
    )
    charged_discount = models.DecimalField(
        _("charged discount"),
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
        null=True,
        blank=True,
        help_text=_("The discount the shop gave when it charged the order (its adapter says)."),
    )
    recorded_discount = models.DecimalField(
        _("recorded discount"),
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
        null=True,
        blank=True,
        help_text=_("The discounts Talon.One recorded when the session closed."),
    )
    charge_difference = models.DecimalField(
        _("recorded minus charged"),
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
        null=True,
        blank=True,
        db_index=True,
        help_text=_(
            "Set when Talon.One recorded a different discount than the shop charged: "
            "positive when it recorded more."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("customer session")
        verbose_name_plural = _("customer sessions")
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="talonone_session_object_idx")
        ]

    def __str__(self) -> str:
        return f"{self.session_id} ({self.state})"

    @property
    def is_open(self) -> bool:
        return self.state == SessionState.OPEN


class ReturnState(models.TextChoices):
    PENDING = "pending", _("pending")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class SessionReturn(models.Model):
    """A partial return (refund of some lines) sent to Talon.One as ReturnCartItems.

    ``items`` is ``[{"position": int, "quantity": int | None}, ...]``; the
    ``idempotency_key`` travels with every attempt so Talon.One applies the return once.
    """

    session = models.ForeignKey(CustomerSession, on_delete=models.CASCADE, related_name="returns")
    items = models.JSONField(_("returned items"))
    idempotency_key = models.CharField(max_length=255, unique=True, default=new_session_id)
    state = models.CharField(
        max_length=16, choices=ReturnState.choices, default=ReturnState.PENDING, db_index=True
    )
    reply = models.JSONField(_("Talon.One reply"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("session return")
        verbose_name_plural = _("session returns")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"return {self.idempotency_key} of {self.session.session_id} ({self.state})"
