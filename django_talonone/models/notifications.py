"""What Talon.One pushed to the shop, stored before it is acknowledged.

Every accepted notification is a row, written in the request's transaction before the
2xx goes back, so Talon.One retries anything the shop did not keep. ``uuid`` holds the
``X-UUID`` header Talon.One sends with every delivery (the same on its retries): unique,
so a replay is acknowledged and not processed twice. ``payload`` is the JSON body only;
no header (and so no credential) is ever stored. Written by ``services.notifications``.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from django_talonone.notification_types import NotificationKind


class NotificationState(models.TextChoices):
    RECEIVED = "received", _("received")
    #: Claimed by a worker until ``lease_expires_at``; after that any worker may retake it.
    PROCESSING = "processing", _("processing")
    PROCESSED = "processed", _("processed")
    FAILED = "failed", _("failed")


class Notification(models.Model):
    """One delivery from Talon.One: a notification or a rule's triggered webhook."""

    kind = models.CharField(
        max_length=32,
        choices=[(kind.value, kind.value.replace("_", " ")) for kind in NotificationKind],
    )
    notification_type = models.CharField(
        _("notification type"), max_length=100, blank=True, help_text=_("As Talon.One names it.")
    )
    uuid = models.CharField(_("X-UUID"), max_length=100, unique=True, null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    payload = models.JSONField()
    state = models.CharField(
        max_length=16, choices=NotificationState.choices, default=NotificationState.RECEIVED
    )
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-id"]
        permissions = [("reprocess_notification", _("Can reprocess Talon.One notifications"))]
        indexes = [
            models.Index(fields=["state", "id"], name="talonone_notif_state_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.state}"


class StrikethroughPrice(models.Model):
    """A SKU's pushed "was / now" price, valid from ``valid_from`` until ``valid_until``
    (open-ended when empty), as one strikethrough notification batch sent it."""

    sku = models.CharField(_("SKU"), max_length=1000)
    catalog_id = models.PositiveBigIntegerField(null=True, blank=True)
    item_version = models.PositiveBigIntegerField(null=True, blank=True)
    price = models.DecimalField(_("was"), max_digits=19, decimal_places=6)
    discounted_price = models.DecimalField(_("now"), max_digits=19, decimal_places=6)
    valid_from = models.DateTimeField()
    valid_until = models.DateTimeField(null=True, blank=True)
    batch = models.PositiveIntegerField(null=True, blank=True)
    total_batches = models.PositiveIntegerField(null=True, blank=True)
    evaluated_at = models.DateTimeField(null=True, blank=True)
    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.SET_NULL, related_name="prices"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("strikethrough price")
        verbose_name_plural = _("strikethrough prices")
        ordering = ["sku", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["sku", "valid_from"], name="talonone_strikethrough_sku_from"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sku}: {self.price} -> {self.discounted_price}"
