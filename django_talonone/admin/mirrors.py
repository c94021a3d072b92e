"""Audiences, memberships, coupon reservations and referral codes in the admin.

Each row shows whether it is in Talon.One yet (sync state, when, and the last error in
full), so staff can see what failed and why. The rows are read-only: changes reach
Talon.One through the bulk services, which the actions here start (each asks for
confirmation first and needs the matching permission).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from django_talonone.models import (
    Audience,
    AudienceMembership,
    CouponReservation,
    ReferralCode,
)

from .base import AnyTabularInline, ReadOnlyAdmin

__all__ = [
    "AudienceAdmin",
    "AudienceMembershipAdmin",
    "CouponReservationAdmin",
    "ReferralCodeAdmin",
]

SYNC_FIELDS = ("sync_state", "synced_at", "last_error", "created_at", "updated_at")


MEMBERSHIP_INLINE_FIELDS = ("profile_id", "sync_state", "synced_at", "last_error")
AUDIENCE_FIELDS = ("name", "integration", "integration_id", "talonone_id", *SYNC_FIELDS)
MEMBERSHIP_FIELDS = ("audience", "profile_id", *SYNC_FIELDS)
RESERVATION_FIELDS = ("coupon_code", "profile_id", *SYNC_FIELDS)
REFERRAL_FIELDS = (
    "code",
    "campaign_id",
    "advocate_profile_id",
    "friend_profile_id",
    "talonone_id",
    "usage_limit",
    "start_date",
    "expiry_date",
    "pattern",
    "attributes",
    *SYNC_FIELDS,
)


class MembershipInline(AnyTabularInline):
    model = AudienceMembership
    fields = MEMBERSHIP_INLINE_FIELDS
    readonly_fields = MEMBERSHIP_INLINE_FIELDS
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Audience)
class AudienceAdmin(ReadOnlyAdmin):
    list_display = ["name", "talonone_id", "integration_id", "members", "sync_state", "synced_at"]
    list_filter = ["sync_state"]
    search_fields = ["name", "=integration_id", "=talonone_id"]
    fields = AUDIENCE_FIELDS
    readonly_fields = AUDIENCE_FIELDS
    inlines = [MembershipInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Audience]:
        audiences: QuerySet[Audience] = super().get_queryset(request)
        return audiences.annotate(member_count=Count("memberships"))

    def has_sync_audience_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("django_talonone.sync_audience")

    @admin.display(description=_("members"), ordering="member_count")
    def members(self, audience: Audience) -> int:
        return int(getattr(audience, "member_count", 0))


@admin.register(AudienceMembership)
class AudienceMembershipAdmin(ReadOnlyAdmin):
    list_display = ["profile_id", "audience", "sync_state", "synced_at"]
    list_filter = ["sync_state"]
    list_select_related = ["audience"]
    search_fields = ["=profile_id", "audience__name"]
    fields = MEMBERSHIP_FIELDS
    readonly_fields = MEMBERSHIP_FIELDS


@admin.register(CouponReservation)
class CouponReservationAdmin(ReadOnlyAdmin):
    list_display = ["coupon_code", "profile_id", "sync_state", "synced_at"]
    list_filter = ["sync_state"]
    search_fields = ["=coupon_code", "=profile_id"]
    fields = RESERVATION_FIELDS
    readonly_fields = RESERVATION_FIELDS

    def has_sync_reservation_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("django_talonone.sync_reservation")


@admin.register(ReferralCode)
class ReferralCodeAdmin(ReadOnlyAdmin):
    list_display = [
        "code",
        "campaign_id",
        "advocate_profile_id",
        "friend_profile_id",
        "sync_state",
        "synced_at",
    ]
    list_filter = ["sync_state", "campaign_id"]
    search_fields = ["=code", "=advocate_profile_id", "=friend_profile_id"]
    fields = REFERRAL_FIELDS
    readonly_fields = REFERRAL_FIELDS

    def has_sync_referral_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("django_talonone.sync_referral")
