"""The outbox in the admin: what is queued, what failed and why, and the way to retry it.

Rows are read-only: the outbox owns their state, and an edited payload would send
something no shop code ever asked for. Staff can only

- retry dead rows (a confirmation page first; ``retry_delivery`` permission), which puts
  them back in their lane with a fresh attempt budget (:func:`outbox.retry_dead`);
- deliver pending rows now, skipping the backoff wait (same permission);
- discard dead rows that can never succeed (a confirmation page; ``discard_delivery``
  permission; an admin history entry each), so the rows behind them in their lane go on;
  a dead row's "holding back" column says how many calls wait behind it;
- delete finished rows (done, superseded or discarded), never ones with work to do.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from django_talonone.models import Delivery, DeliveryStatus
from django_talonone.outbox import kick
from django_talonone.services import discard_deliveries, retry_deliveries

from .applications import ApplicationAdminMixin
from .confirm import Confirmation, confirmed_action
from .display import object_link, pretty_json
from .refusal import StyledRefusalMixin

__all__ = ["DeliveryAdmin"]

#: Rows whose work is over; only these may be deleted.
FINISHED = (DeliveryStatus.DONE, DeliveryStatus.SUPERSEDED, DeliveryStatus.DISCARDED)
#: Rows that still hold their lane.
HOLDING = (DeliveryStatus.PENDING, DeliveryStatus.IN_FLIGHT, DeliveryStatus.DEAD)


def describe_delivery(row: Delivery) -> str:
    """One line for a confirmation page: what the call is, where, and why it failed."""
    text = f"#{row.pk} {row.get_operation_display()} [{row.lane}] {row.get_status_display()}"
    if row.last_error:
        text += f": {Truncator(row.last_error).chars(120)}"
    return text


def _retry(request: HttpRequest, rows: QuerySet[Delivery]) -> str:
    outcome = retry_deliveries(rows)
    message = ngettext(
        "%(count)d dead delivery is queued again; its lane is being delivered.",
        "%(count)d dead deliveries are queued again; their lanes are being delivered.",
        outcome.retried,
    ) % {"count": outcome.retried}
    for row, reason in outcome.refused:
        message += " " + str(_("Not retried: #%(id)s, %(reason)s.")) % {
            "id": row.pk,
            "reason": reason,
        }
    return message


def _discard(request: HttpRequest, rows: QuerySet[Delivery]) -> str:
    discarded = discard_deliveries(rows, user=request.user, reason="discarded in the admin")
    return ngettext(
        "%(count)d dead delivery is discarded; the calls queued behind it are on their way.",
        "%(count)d dead deliveries are discarded; the calls queued behind them are on their way.",
        len(discarded),
    ) % {"count": len(discarded)}


def _delete_finished(request: HttpRequest, rows: QuerySet[Delivery]) -> str:
    count, _by_model = rows.delete()
    return ngettext(
        "Deleted %(count)d finished delivery.", "Deleted %(count)d finished deliveries.", count
    ) % {"count": count}


retry_dead_deliveries = confirmed_action(
    name="retry_dead_deliveries",
    description=_("Retry selected dead deliveries"),
    permissions=["retry_delivery"],
    eligible=lambda rows: rows.filter(status=DeliveryStatus.DEAD),
    describe=describe_delivery,
    perform=_retry,
    confirmation=Confirmation(
        title=_("Retry dead deliveries"),
        question=_("Send {count} {name} to Talon.One again?"),
        warning=_(
            "Each one goes back to its lane with a fresh set of attempts; the deliveries "
            "queued behind it follow once it succeeds."
        ),
        severity="caution",
        button=_("Yes, retry them"),
        skipped=_("Not dead, so left alone: {count} selected {name}."),
        nothing=_("None of the selected deliveries is dead: there is nothing to retry."),
    ),
)

discard_dead_deliveries = confirmed_action(
    name="discard_dead_deliveries",
    description=_("Discard selected dead deliveries"),
    permissions=["discard_delivery"],
    eligible=lambda rows: rows.filter(status=DeliveryStatus.DEAD),
    describe=describe_delivery,
    perform=_discard,
    confirmation=Confirmation(
        title=_("Discard dead deliveries"),
        question=_("Give up on {count} {name}? Talon.One will never receive them."),
        warning=_(
            "Each row is kept, marked discarded, and no longer holds "
            "its lane: the calls queued behind it (a cancel behind a failed close, say) are "
            "sent next. Whatever the discarded call was meant to change in Talon.One must "
            "be put right by hand."
        ),
        severity="irreversible",
        button=_("Yes, discard them"),
        skipped=_("Not dead, so left alone: {count} selected {name}."),
        nothing=_("None of the selected deliveries is dead: there is nothing to discard."),
    ),
)

delete_finished_deliveries = confirmed_action(
    name="delete_finished_deliveries",
    description=_("Delete selected finished deliveries"),
    permissions=["delete"],
    eligible=lambda rows: rows.filter(status__in=FINISHED),
    describe=describe_delivery,
    perform=_delete_finished,
    confirmation=Confirmation(
        title=_("Delete finished deliveries"),
        question=_("Delete {count} done or superseded {name}?"),
        warning=_("Their payloads and Talon.One's replies are gone for good."),
        severity="irreversible",
        button=_("Yes, delete them"),
        skipped=_("Not finished (pending, in flight or dead), so kept: {count} selected {name}."),
        nothing=_("None of the selected deliveries is done or superseded: nothing to delete."),
    ),
)


@admin.register(Delivery)
class DeliveryAdmin(ApplicationAdminMixin, StyledRefusalMixin):
    list_display = [
        "id",
        "operation",
        "lane",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error_status",
        "holding_back",
        "created_at",
    ]
    list_filter = ["status", "operation"]
    search_fields = ["lane", "=idempotency_key"]
    date_hierarchy = "created_at"
    ordering = ["-id"]
    show_full_result_count = False  # one COUNT(*) of a large table per page is enough
    actions = [
        retry_dead_deliveries,
        discard_dead_deliveries,
        "deliver_now",
        delete_finished_deliveries,
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "operation",
                    "application",
                    "lane",
                    "status",
                    "holding_back",
                    "session_link",
                    "session_return_link",
                    "idempotency_key",
                    "supersedable",
                ]
            },
        ),
        (
            _("Attempts"),
            {
                "fields": [
                    "attempts",
                    "next_attempt_at",
                    "lease_expires_at",
                    "last_error_status",
                    "last_error",
                    "created_at",
                    "updated_at",
                    "delivered_at",
                ]
            },
        ),
        (_("Call"), {"fields": ["payload_json", "reply_json"]}),
    ]
    readonly_fields = flatten_fieldsets(fieldsets)  # every field shown is read-only

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Delivery | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Delivery | None = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or obj.status in FINISHED)

    def has_retry_delivery_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("django_talonone.retry_delivery")

    def has_discard_delivery_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("django_talonone.discard_delivery")

    @admin.display(description=_("holding back"))
    def holding_back(self, row: Delivery) -> str | SafeString:
        """For a dead row: how many calls of its lane wait behind it, linked to them."""
        if row.status != DeliveryStatus.DEAD:
            return "-"
        waiting = Delivery.objects.filter(lane=row.lane, id__gt=row.pk, status__in=HOLDING)
        count = waiting.count()
        if not count:
            return str(_("nothing: no call waits behind it"))
        url = reverse("admin:django_talonone_delivery_changelist")
        query = urlencode({"lane": row.lane, "id__gt": row.pk})
        text = ngettext(
            "%(count)d call waits behind it", "%(count)d calls wait behind it", count
        ) % {"count": count}
        return format_html('<a href="{}?{}">{}</a>', url, query, text)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # Django's "delete selected" would also take rows that still have work to do.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description=_("customer session"))
    def session_link(self, row: Delivery) -> SafeString:
        return object_link(self, row.session)

    @admin.display(description=_("session return"))
    def session_return_link(self, row: Delivery) -> SafeString:
        return object_link(self, row.session_return)

    @admin.display(description=_("payload"))
    def payload_json(self, row: Delivery) -> SafeString:
        return pretty_json(row.payload)

    @admin.display(description=_("Talon.One reply"))
    def reply_json(self, row: Delivery) -> SafeString:
        return pretty_json(row.reply)

    @admin.action(
        description=_("Deliver selected pending deliveries now"), permissions=["retry_delivery"]
    )
    def deliver_now(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        """Skip the backoff wait of the selected pending rows and wake their lanes."""
        pending = queryset.filter(status=DeliveryStatus.PENDING)
        lanes = sorted(set(pending.values_list("lane", flat=True)))
        if not lanes:
            self.message_user(
                request,
                _("None of the selected deliveries is pending: there is nothing to deliver."),
                messages.WARNING,
            )
            return
        count = pending.update(next_attempt_at=timezone.now())
        blocked = set(
            Delivery.objects.filter(lane__in=lanes, status=DeliveryStatus.DEAD).values_list(
                "lane", flat=True
            )
        )
        for lane in lanes:
            kick(lane)
        message = ngettext(
            "%(count)d pending delivery is on its way now.",
            "%(count)d pending deliveries are on their way now.",
            count,
        ) % {"count": count}
        self.message_user(request, message, messages.SUCCESS)
        if blocked:
            self.message_user(
                request,
                ngettext(
                    "%(count)d lane waits behind a dead delivery: retry or discard it first.",
                    "%(count)d lanes wait behind a dead delivery: retry or discard those first.",
                    len(blocked),
                )
                % {"count": len(blocked)},
                messages.WARNING,
            )
