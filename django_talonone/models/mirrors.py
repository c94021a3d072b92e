"""Local mirrors of audiences, memberships and coupon reservations.

Each row carries its sync state and last error so bulk tasks and admin actions can show
what is in Talon.One, what is on its way, and what failed and why.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .fields import (
    APPLICATION_HELP,
    APPLICATION_LABEL,
    APPLICATION_NAME_LENGTH,
    DEFAULT_APPLICATION,
)


class SyncState(models.TextChoices):
    PENDING = "pending", _("pending")
    SYNCED = "synced", _("synced")
    FAILED = "failed", _("failed")
    DELETING = "deleting", _("deleting")


class SyncedMirror(models.Model):
    sync_state = models.CharField(
        max_length=16, choices=SyncState.choices, default=SyncState.PENDING, db_index=True
    )
    last_error = models.TextField(blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class QueuedChange(models.Model):
    """The outbox row carrying this mirror's latest change, and which change it is.

    The change is on its way while that row is undelivered. Set when the change is
    queued, read when the row is delivered or dies, so the sync never has to decode queued
    payloads to know what is on its way.
    """

    queued_in = models.ForeignKey(
        "django_talonone.Delivery",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("queued in"),
    )
    queued_action = models.CharField(_("queued change"), max_length=64, blank=True)

    class Meta:
        abstract = True


class Audience(SyncedMirror):
    """A Talon.One audience; ``talonone_id`` is set once CreateAudienceV2 succeeded."""

    name = models.CharField(max_length=255)
    application = models.CharField(
        APPLICATION_LABEL,
        max_length=APPLICATION_NAME_LENGTH,
        default=DEFAULT_APPLICATION,
        help_text=APPLICATION_HELP,
    )
    integration = models.CharField(max_length=64, blank=True)
    integration_id = models.CharField(max_length=1000, blank=True)
    talonone_id = models.PositiveBigIntegerField(_("Talon.One id"), null=True, blank=True)

    class Meta:
        verbose_name = _("audience")
        verbose_name_plural = _("audiences")
        permissions = [("sync_audience", _("Can send audiences to Talon.One"))]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "integration", "integration_id"],
                condition=~models.Q(integration_id=""),
                name="talonone_audience_unique_integration",
            ),
            models.UniqueConstraint(
                fields=["application", "talonone_id"], name="talonone_audience_unique_remote"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AudienceMembership(QueuedChange, SyncedMirror):
    audience = models.ForeignKey(Audience, on_delete=models.CASCADE, related_name="memberships")
    profile_id = models.CharField(max_length=1000, db_index=True)

    class Meta:
        verbose_name = _("audience membership")
        verbose_name_plural = _("audience memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["audience", "profile_id"], name="talonone_membership_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.profile_id} in {self.audience}"


class CouponReservation(QueuedChange, SyncedMirror):
    coupon_code = models.CharField(max_length=100, db_index=True)
    profile_id = models.CharField(max_length=1000, db_index=True)
    #: A coupon code is one Application's: the same code may exist in another.
    application = models.CharField(
        APPLICATION_LABEL,
        max_length=APPLICATION_NAME_LENGTH,
        default=DEFAULT_APPLICATION,
        help_text=APPLICATION_HELP,
    )

    class Meta:
        verbose_name = _("coupon reservation")
        verbose_name_plural = _("coupon reservations")
        permissions = [("sync_reservation", _("Can send coupon reservations to Talon.One"))]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "coupon_code", "profile_id"],
                name="talonone_reservation_unique_app",
            )
        ]

    def __str__(self) -> str:
        return f"{self.coupon_code} for {self.profile_id}"
