"""Referral codes created in Talon.One, kept so each advocate's code is created once.

CreateReferral is not idempotent: every call makes a new code. The mirror row is what
makes "the advocate's code for this campaign" a stable thing a shop can show again and
again, and what a bulk creation fills in for many advocates at once.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from django_talonone.json_values import WireJSONDecoder, WireJSONEncoder

from .fields import (
    APPLICATION_HELP,
    APPLICATION_LABEL,
    APPLICATION_NAME_LENGTH,
    DEFAULT_APPLICATION,
)
from .mirrors import SyncedMirror


class ReferralCode(SyncedMirror):
    """One advocate's referral code in one campaign (optionally for one friend).

    ``code`` stays empty until Talon.One created it. The request fields (usage limit,
    dates, pattern, attributes) are kept on the row so a bulk task needs only row ids.
    """

    campaign_id = models.PositiveBigIntegerField(_("campaign id"), db_index=True)
    #: The Application of the campaign: the code is created, and valid, there only.
    application = models.CharField(
        APPLICATION_LABEL,
        max_length=APPLICATION_NAME_LENGTH,
        default=DEFAULT_APPLICATION,
        help_text=APPLICATION_HELP,
    )
    advocate_profile_id = models.CharField(_("advocate profile id"), max_length=1000)
    friend_profile_id = models.CharField(_("friend profile id"), max_length=1000, blank=True)
    code = models.CharField(max_length=100, blank=True, db_index=True)
    talonone_id = models.PositiveBigIntegerField(_("Talon.One id"), null=True, blank=True)
    usage_limit = models.PositiveIntegerField(
        default=0, help_text=_("Redemptions allowed; 0 means unlimited.")
    )
    start_date = models.DateTimeField(null=True, blank=True)
    expiry_date = models.DateTimeField(null=True, blank=True)
    pattern = models.CharField(
        max_length=100, blank=True, help_text=_("Bulk codes only: # is a random character.")
    )
    attributes = models.JSONField(
        default=dict, blank=True, encoder=WireJSONEncoder, decoder=WireJSONDecoder
    )

    class Meta:
        verbose_name = _("referral code")
        verbose_name_plural = _("referral codes")
        permissions = [("sync_referral", _("Can create referral codes in Talon.One"))]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "campaign_id", "advocate_profile_id", "friend_profile_id"],
                name="talonone_referral_unique_app",
            ),
            models.UniqueConstraint(
                fields=["application", "code"],
                condition=~models.Q(code=""),
                name="talonone_referral_code_app",
            ),
            models.UniqueConstraint(
                fields=["application", "talonone_id"], name="talonone_referral_unique_remote"
            ),
        ]

    def __str__(self) -> str:
        return self.code or f"(pending) {self.advocate_profile_id} in campaign {self.campaign_id}"
