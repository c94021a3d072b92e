"""Talon.One's notifications in the admin: what was pushed, what failed and why.

Rows are read-only (they are what Talon.One sent; an edited payload would be something it
never said). Staff with ``reprocess_notification`` can process failed or stuck ones again,
through a confirmation page. Strikethrough prices are listed read-only too.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from django_talonone.models import Notification, StrikethroughPrice
from django_talonone.services.notifications import claimable, reprocess_notifications

from .base import AnyModelAdmin
from .confirm import Confirmation, confirmed_action
from .display import pretty_json

__all__ = ["NotificationAdmin", "StrikethroughPriceAdmin"]


def describe_notification(row: Notification) -> str:
    text = f"#{row.pk} {row.get_kind_display()} ({row.get_state_display()})"
    if row.error:
        text += f": {Truncator(row.error).chars(120)}"
    return text


def _reprocess(request: HttpRequest, rows: QuerySet[Notification]) -> str:
    count = reprocess_notifications(rows.values_list("pk", flat=True))
    return ngettext(
        "%(count)d notification is being processed again.",
        "%(count)d notifications are being processed again.",
        count,
    ) % {"count": count}


reprocess_selected = confirmed_action(
    name="reprocess_notifications",
    description=_("Reprocess selected notifications"),
    permissions=["reprocess_notification"],
    eligible=lambda rows: rows.filter(claimable(timezone.now(), failed=True)),
    describe=describe_notification,
    perform=_reprocess,
    confirmation=Confirmation(
        title=_("Reprocess notifications"),
        question=_("Process {count} {name} again?"),
        warning=_(
            "Their signals are sent again and the mirrors they concern updated; receivers "
            "that already acted on a failed attempt may see the notification twice."
        ),
        severity="caution",
        button=_("Yes, reprocess them"),
        skipped=_("Processed, or being processed, so left alone: {count} selected {name}."),
        nothing=_("None of the selected notifications failed or waits: nothing to reprocess."),
    ),
)


@admin.register(Notification)
class NotificationAdmin(AnyModelAdmin):
    list_display = ["id", "kind", "notification_type", "state", "attempts", "received_at"]
    list_filter = ["kind", "state"]
    search_fields = ["=uuid", "notification_type"]
    date_hierarchy = "received_at"
    ordering = ["-id"]
    show_full_result_count = False
    actions = [reprocess_selected]
    fieldsets = [
        (None, {"fields": ["kind", "notification_type", "uuid", "received_at"]}),
        (
            _("Processing"),
            {"fields": ["state", "attempts", "lease_expires_at", "processed_at", "error"]},
        ),
        (_("Payload"), {"fields": ["payload_json"]}),
    ]
    readonly_fields = flatten_fieldsets(fieldsets)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Notification | None = None) -> bool:
        return False

    def has_reprocess_notification_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("django_talonone.reprocess_notification")

    @admin.display(description=_("payload"))
    def payload_json(self, row: Notification) -> SafeString:
        return pretty_json(row.payload)


@admin.register(StrikethroughPrice)
class StrikethroughPriceAdmin(AnyModelAdmin):
    list_display = ["sku", "price", "discounted_price", "valid_from", "valid_until", "batch"]
    search_fields = ["=sku"]
    ordering = ["sku", "-valid_from"]
    readonly_fields = [
        "sku",
        "catalog_id",
        "item_version",
        "price",
        "discounted_price",
        "valid_from",
        "valid_until",
        "batch",
        "total_batches",
        "evaluated_at",
        "notification",
        "updated_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: StrikethroughPrice | None = None
    ) -> bool:
        return False
