"""Audiences, memberships, coupon reservations and referral codes in the admin.

Each row shows whether it is in Talon.One yet (sync state, when, and the last error in
full), so staff can see what failed and why. The rows are read-only: changes reach
Talon.One through the bulk services (``services.audiences``, ``services.reservations``,
``services.referrals``), which the actions here start as Celery tasks. Each action asks
for confirmation first and needs the matching permission (``sync_audience``,
``sync_reservation``, ``sync_referral``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from django_talonone.client import TalonOneError
from django_talonone.models import (
    Audience,
    AudienceMembership,
    CouponReservation,
    ReferralCode,
    SyncState,
)
from django_talonone.models.fields import APPLICATION_LABEL
from django_talonone.services.audiences import start_audience_deletion, start_audience_sync
from django_talonone.services.bulk import BulkQueueError
from django_talonone.services.referrals import start_referral_code_creation
from django_talonone.services.reservations import (
    start_reservation_release,
    start_reservation_sync,
)

from .applications import ApplicationAdminMixin
from .base import ReadOnlyAdmin
from .confirm import Confirmation, confirmed_action
from .display import changelist_link
from .mirror_forms import add_members_view, create_audience_view, reserve_coupon_view

#: Failures an action reports as a message: the broker refused the task, bad configuration,
#: Talon.One's answer when the work runs inline (no Celery), bad input.
ACTION_ERRORS = (BulkQueueError, ImproperlyConfigured, TalonOneError, ValueError)

__all__ = [
    "AudienceAdmin",
    "AudienceMembershipAdmin",
    "CouponReservationAdmin",
    "ReferralCodeAdmin",
]

SYNC_FIELDS = ("sync_state", "synced_at", "last_error", "created_at", "updated_at")


AUDIENCE_FIELDS = (
    "name",
    "application",
    "integration",
    "integration_id",
    "talonone_id",
    "member_summary",
    *SYNC_FIELDS,
)
MEMBERSHIP_FIELDS = ("audience", "audience_application", "profile_id", *SYNC_FIELDS)
RESERVATION_FIELDS = ("coupon_code", "application", "profile_id", *SYNC_FIELDS)
REFERRAL_FIELDS = (
    "code",
    "application",
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


def _ids(rows: QuerySet[Any]) -> list[int]:
    return [int(pk) for pk in rows.values_list("pk", flat=True)]


def _queued(count: int, what: str) -> str:
    return ngettext(
        "%(count)d %(what)s is on its way to Talon.One; refresh to follow its sync state.",
        "%(count)d %(what)s are on their way to Talon.One; refresh to follow their sync state.",
        count,
    ) % {"count": count, "what": what}


def _sync_audiences(request: HttpRequest, rows: QuerySet[Audience]) -> str:
    count = start_audience_sync(_ids(rows))
    return _queued(count, ngettext("audience", "audiences", count))


def _delete_audiences(request: HttpRequest, rows: QuerySet[Audience]) -> str:
    count = start_audience_deletion(_ids(rows))
    return ngettext(
        "%(count)d audience is being deleted in Talon.One and here.",
        "%(count)d audiences are being deleted in Talon.One and here.",
        count,
    ) % {"count": count}


def _sync_reservations(request: HttpRequest, rows: QuerySet[CouponReservation]) -> str:
    count = start_reservation_sync(_ids(rows))
    return _queued(count, ngettext("reservation", "reservations", count))


def _release_reservations(request: HttpRequest, rows: QuerySet[CouponReservation]) -> str:
    count = start_reservation_release(_ids(rows))
    return ngettext(
        "%(count)d reservation is being released in Talon.One.",
        "%(count)d reservations are being released in Talon.One.",
        count,
    ) % {"count": count}


def _create_referral_codes(request: HttpRequest, rows: QuerySet[ReferralCode]) -> str:
    count = start_referral_code_creation(_ids(rows))
    return _queued(count, ngettext("referral code", "referral codes", count))


def _describe_audience(audience: Audience) -> str:
    remote = f"Talon.One #{audience.talonone_id}" if audience.talonone_id else "not in Talon.One"
    return f"{audience.name} ({remote}, {audience.get_sync_state_display()})"


def _describe_synced(row: Any) -> str:
    return f"{row} ({row.get_sync_state_display()})"


sync_audiences = confirmed_action(
    name="sync_audiences",
    description=_("Send selected audiences to Talon.One"),
    permissions=["sync_audience"],
    eligible=lambda rows: rows.exclude(sync_state=SyncState.DELETING),
    describe=_describe_audience,
    perform=_sync_audiences,
    errors=ACTION_ERRORS,
    confirmation=Confirmation(
        title=_("Send audiences to Talon.One"),
        question=_("Send {count} {name} to Talon.One?"),
        warning=_(
            "Audiences not in Talon.One yet are created there, the others renamed; then "
            "their pending members are added and members queued for removal removed."
        ),
        button=_("Yes, send them"),
        skipped=_("Being deleted, so left alone: {count} selected {name}."),
        nothing=_("Every selected audience is being deleted: there is nothing to send."),
    ),
)

delete_audiences = confirmed_action(
    name="delete_audiences",
    description=_("Delete selected audiences in Talon.One"),
    permissions=["sync_audience"],
    describe=_describe_audience,
    perform=_delete_audiences,
    errors=ACTION_ERRORS,
    confirmation=Confirmation(
        title=_("Delete audiences in Talon.One"),
        question=_("Delete {count} {name} in Talon.One and here?"),
        warning=_(
            "The audiences and their memberships are deleted in Talon.One, then here. "
            "Rules that target them stop matching."
        ),
        severity="irreversible",
        button=_("Yes, delete them"),
    ),
)

sync_reservations = confirmed_action(
    name="sync_reservations",
    description=_("Send selected coupon reservations to Talon.One"),
    permissions=["sync_reservation"],
    eligible=lambda rows: rows.exclude(sync_state=SyncState.SYNCED),
    describe=_describe_synced,
    perform=_sync_reservations,
    errors=ACTION_ERRORS,
    confirmation=Confirmation(
        title=_("Send coupon reservations to Talon.One"),
        question=_("Send {count} {name} to Talon.One?"),
        warning=_(
            "Pending and failed reservations are created in Talon.One; those being "
            "released are released there."
        ),
        button=_("Yes, send them"),
        skipped=_("Already in Talon.One, so left alone: {count} selected {name}."),
        nothing=_("Every selected reservation is in Talon.One already: nothing to send."),
    ),
)

release_reservations = confirmed_action(
    name="release_reservations",
    description=_("Release selected coupon reservations in Talon.One"),
    permissions=["sync_reservation"],
    describe=_describe_synced,
    perform=_release_reservations,
    errors=ACTION_ERRORS,
    confirmation=Confirmation(
        title=_("Release coupon reservations"),
        question=_("Release {count} {name} in Talon.One?"),
        warning=_(
            "The customers can no longer redeem these coupons if the coupons require a "
            "reservation. The rows are removed here once Talon.One confirmed."
        ),
        severity="caution",
        button=_("Yes, release them"),
    ),
)

create_referrals = confirmed_action(
    name="create_referral_codes",
    description=_("Create selected referral codes in Talon.One"),
    permissions=["sync_referral"],
    eligible=lambda rows: rows.filter(code=""),
    describe=_describe_synced,
    perform=_create_referral_codes,
    errors=ACTION_ERRORS,
    confirmation=Confirmation(
        title=_("Create referral codes in Talon.One"),
        question=_("Create {count} {name} in Talon.One?"),
        button=_("Yes, create them"),
        skipped=_("Created already, so left alone: {count} selected {name}."),
        nothing=_("Every selected referral code exists in Talon.One already."),
    ),
)


def _short_error(row: Any) -> str:
    return Truncator(row.last_error).chars(80)


class MirrorAdmin(ReadOnlyAdmin):
    """Read-only, with the last error cut short in lists (in full on the row's page)."""

    @admin.display(description=_("last error"))
    def error(self, row: Any) -> str:
        return _short_error(row)


@admin.register(Audience)
class AudienceAdmin(ApplicationAdminMixin, MirrorAdmin):
    list_display = [
        "name",
        "talonone_id",
        "integration_id",
        "members",
        "sync_state",
        "synced_at",
        "error",
    ]
    list_filter = ["sync_state"]
    search_fields = ["name", "=integration_id", "=talonone_id"]
    fields = AUDIENCE_FIELDS
    readonly_fields = AUDIENCE_FIELDS
    actions = [sync_audiences, delete_audiences]
    change_form_template = "admin/django_talonone/audience/change_form.html"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Staff who may send audiences create them (and add members) with the forms of
        :mod:`.mirror_forms`, through the services."""
        return self.has_sync_audience_permission(request)

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        return create_audience_view(self, request)

    def members_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return add_members_view(self, request, object_id)

    def get_urls(self) -> list[URLPattern]:
        members = path(
            "<path:object_id>/members/",
            self.admin_site.admin_view(self.members_view),
            name="django_talonone_audience_members",
        )
        return [members, *super().get_urls()]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        context = {**(extra_context or {}), "can_add_members": self.has_add_permission(request)}
        return super().change_view(request, object_id, form_url, context)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Audience]:
        audiences: QuerySet[Audience] = super().get_queryset(request)
        return audiences.annotate(member_count=Count("memberships"))

    def has_sync_audience_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("django_talonone.sync_audience")

    @admin.display(description=_("members"), ordering="member_count")
    def members(self, audience: Audience) -> int:
        return int(getattr(audience, "member_count", 0))

    @admin.display(description=_("members"))
    def member_summary(self, audience: Audience) -> SafeString:
        """Counts per sync state, each a link to those memberships (an audience may hold
        a hundred thousand members: too many to list on this page)."""
        rows = audience.memberships.order_by().values_list("sync_state").annotate(n=Count("pk"))
        counts = dict(rows)
        filters: dict[str, Any] = {"audience__id__exact": audience.pk}
        total = sum(counts.values())
        everyone = ngettext("%(count)d member", "%(count)d members", total) % {"count": total}
        links = [changelist_link(self, AudienceMembership, filters, everyone)]
        for state, label in SyncState.choices:
            if counts.get(state):
                narrowed = {**filters, "sync_state__exact": state}
                text = f"{counts[state]} {label}"
                links.append(changelist_link(self, AudienceMembership, narrowed, text))
        summary = format_html_join(" · ", "{}", ((link,) for link in links))
        if not total:
            return summary
        synced = counts.get(SyncState.SYNCED, 0)
        return format_html(
            '{}<br><progress class="talonone-progress" value="{}" max="{}">{}</progress> {}',
            summary,
            synced,
            total,
            f"{synced}/{total}",
            _("%(percent)d%% in Talon.One") % {"percent": synced * 100 // total},
        )


@admin.register(AudienceMembership)
class AudienceMembershipAdmin(ApplicationAdminMixin, MirrorAdmin):
    application_field = "audience__application"

    list_display = ["profile_id", "audience", "sync_state", "synced_at", "error"]
    list_filter = ["sync_state"]
    list_select_related = ["audience"]
    search_fields = ["=profile_id", "audience__name"]
    fields = MEMBERSHIP_FIELDS
    readonly_fields = MEMBERSHIP_FIELDS

    @admin.display(description=APPLICATION_LABEL)
    def audience_application(self, row: AudienceMembership) -> str:
        return row.audience.application


@admin.register(CouponReservation)
class CouponReservationAdmin(ApplicationAdminMixin, MirrorAdmin):
    list_display = ["coupon_code", "profile_id", "sync_state", "synced_at", "error"]
    list_filter = ["sync_state"]
    search_fields = ["=coupon_code", "=profile_id"]
    fields = RESERVATION_FIELDS
    readonly_fields = RESERVATION_FIELDS
    actions = [sync_reservations, release_reservations]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_sync_reservation_permission(request)

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        return reserve_coupon_view(self, request)

    def has_sync_reservation_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("django_talonone.sync_reservation")


@admin.register(ReferralCode)
class ReferralCodeAdmin(ApplicationAdminMixin, MirrorAdmin):
    list_display = [
        "code",
        "campaign_id",
        "advocate_profile_id",
        "friend_profile_id",
        "sync_state",
        "synced_at",
        "error",
    ]
    list_filter = ["sync_state", "campaign_id"]
    search_fields = ["=code", "=advocate_profile_id", "=friend_profile_id"]
    fields = REFERRAL_FIELDS
    readonly_fields = REFERRAL_FIELDS
    actions = [create_referrals]

    def has_sync_referral_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("django_talonone.sync_referral")
