"""The outbox: Talon.One calls written in the shop's transaction, delivered by Celery.

Rows that share a ``lane`` (one customer session, or one profile) are delivered strictly in
``id`` order, one at a time across all workers, because Talon.One rejects parallel updates
of one session with 409 and a close must never overtake the update before it.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from django_talonone.json_values import WireJSONDecoder, WireJSONEncoder

from .fields import (
    APPLICATION_HELP,
    APPLICATION_LABEL,
    APPLICATION_NAME_LENGTH,
    DEFAULT_APPLICATION,
)


class Operation(models.TextChoices):
    """Integration API operations the outbox can deliver (client method names)."""

    UPDATE_SESSION = "update_customer_session_v2", _("update customer session")
    RETURN_ITEMS = "return_cart_items", _("return cart items")
    UPDATE_PROFILE = "update_customer_profile_v2", _("update customer profile")
    UPDATE_PROFILES = "update_customer_profiles_v2", _("update customer profiles (bulk)")
    DELETE_CUSTOMER = "delete_customer_data", _("delete customer data")
    TRACK_EVENT = "track_event_v2", _("track event")
    UPDATE_AUDIENCES = "update_customer_profile_audiences", _("update profile audiences")
    CREATE_RESERVATION = "create_coupon_reservation", _("create coupon reservation")
    DELETE_RESERVATION = "delete_coupon_reservation", _("delete coupon reservation")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    IN_FLIGHT = "in_flight", _("in flight")
    DONE = "done", _("done")
    DEAD = "dead", _("dead")
    SUPERSEDED = "superseded", _("superseded")
    #: A dead row staff gave up on: kept for the record, no longer holding its lane.
    DISCARDED = "discarded", _("discarded")


def new_idempotency_key() -> str:
    return str(uuid.uuid4())


class Delivery(models.Model):
    """One Talon.One call to make. ``payload`` holds the call's arguments, never a secret:
    ``{"args": [...path params], "body": {...}, "query": {...}}``.
    """

    operation = models.CharField(max_length=64, choices=Operation.choices)
    lane = models.CharField(
        max_length=1100,
        help_text=_("Ordering key: deliveries of one lane go one at a time, in order."),
    )
    payload = models.JSONField(encoder=WireJSONEncoder, decoder=WireJSONDecoder)
    #: Whose key the call is sent with; a row of a session goes where the session lives.
    application = models.CharField(
        APPLICATION_LABEL,
        max_length=APPLICATION_NAME_LENGTH,
        default=DEFAULT_APPLICATION,
        help_text=APPLICATION_HELP,
    )
    idempotency_key = models.CharField(max_length=255, unique=True, default=new_idempotency_key)
    status = models.CharField(
        max_length=16,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
    )
    supersedable = models.BooleanField(
        default=False,
        help_text=_("A newer snapshot of the same lane replaces this one while undelivered."),
    )
    attempts = models.PositiveIntegerField(default=0)
    maybe_applied = models.BooleanField(
        default=False,
        help_text=_(
            "An attempt may have reached Talon.One (no reply, a 502-504, a worker that died "
            "mid-call): every later attempt sends exactly the same call."
        ),
    )
    next_attempt_at = models.DateTimeField(default=timezone.now)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    kicked_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("When a worker was last asked to deliver this row's lane (one wake a lane)."),
    )
    last_error_status = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    reply = models.JSONField(null=True, blank=True)
    session = models.ForeignKey(
        "django_talonone.CustomerSession",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
    )
    session_return = models.ForeignKey(
        "django_talonone.SessionReturn",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["id"]
        permissions = [
            ("retry_delivery", _("Can retry dead Talon.One deliveries")),
            ("discard_delivery", _("Can discard dead Talon.One deliveries")),
            ("sync_profiles", _("Can send customer profiles to Talon.One")),
            ("erase_customer_data", _("Can erase customers' data in Talon.One")),
        ]
        # Every row written pays for every index, in the shop's request: keep only what the
        # lookups need (a lane's head and tail; what is due; a session's rows).
        indexes = [
            models.Index(fields=["lane", "status", "id"], name="talonone_delivery_lane_idx"),
            models.Index(fields=["status", "next_attempt_at"], name="talonone_delivery_due_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.operation} [{self.lane}] {self.status}"
