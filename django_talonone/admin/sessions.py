"""Customer sessions and returns in the admin, read-only, summarised for people.

These rows mirror what Talon.One holds and are written only by the app's services; an
edit here would silently disagree with Talon.One, so staff look, and act through the
shop (orders, refunds) or the outbox actions. A session page answers support's usual
questions at a glance: which discounts applied, which coupons were refused and why, and
which calls (deliveries) and returns belong to it.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from django_talonone.cart import Evaluation
from django_talonone.conf import get_settings
from django_talonone.models import (
    HISTORY_LIMIT,
    CustomerSession,
    Delivery,
    DeliveryStatus,
    HistoryKind,
    SessionReturn,
)
from django_talonone.models.fields import APPLICATION_LABEL

from .applications import ApplicationAdminMixin
from .base import AnyModelAdmin, ReadOnlyAdmin
from .display import admin_url, changelist_link, object_link, pretty_json

__all__ = ["CustomerSessionAdmin", "SessionReturnAdmin"]

SUMMARY_TEMPLATE = "admin/django_talonone/evaluation_summary.html"
HISTORY_TEMPLATE = "admin/django_talonone/session_history.html"


def read_evaluation(data: Any) -> Evaluation | None:
    """The stored evaluation, or None when it cannot be read back (an older format)."""
    if not isinstance(data, dict):
        return None
    try:
        return Evaluation.from_dict(data)
    except (TypeError, ValueError, KeyError, InvalidOperation):
        return None


def _deliveries_link(model_admin: AnyModelAdmin, filters: dict[str, Any], count: int) -> SafeString:
    text = ngettext("%(count)d delivery", "%(count)d deliveries", count) % {"count": count}
    return changelist_link(model_admin, Delivery, filters, text)


def _amount(value: Decimal, session: CustomerSession) -> Decimal:
    """``value`` to the decimals of the session's currency (``5.00``, not the column's
    ``5.000000``)."""
    config = get_settings()
    try:
        unit = config.for_application(session.application).currency_unit
    except ImproperlyConfigured:  # an Application no longer configured: still shown
        unit = config.currency_unit
    rounded = value.quantize(unit)
    return rounded if rounded == value else value.normalize()


class ChargeFilter(admin.SimpleListFilter):
    """Orders whose close recorded another discount than the shop charged, for staff to
    settle (refund the difference, return the lines, or accept it)."""

    title = _("charged vs recorded")
    parameter_name = "charge"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("differs", _("differs")),
            ("matches", _("matches")),
            ("unknown", _("not compared")),
        ]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[CustomerSession]
    ) -> QuerySet[CustomerSession]:
        compared = Q(charged_discount__isnull=False, recorded_discount__isnull=False)
        if self.value() == "differs":
            return queryset.filter(charge_difference__isnull=False)
        if self.value() == "matches":
            return queryset.filter(compared, charge_difference__isnull=True)
        if self.value() == "unknown":
            return queryset.exclude(compared)
        return queryset


@admin.register(CustomerSession)
class CustomerSessionAdmin(ApplicationAdminMixin, ReadOnlyAdmin):
    list_display = [
        "session_id",
        "state",
        "sent",
        "profile_id",
        "discount_total",
        "charge_check",
        "evaluated_at",
        "talon_one_answered",
        "created_at",
    ]
    list_filter = ["state", "evaluation_failed", ChargeFilter]
    search_fields = ["=session_id", "=profile_id", "=object_id"]
    date_hierarchy = "created_at"
    ordering = ["-id"]
    show_full_result_count = False  # one COUNT(*) of a large table per page is enough
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "session_id",
                    "application",
                    "state",
                    "sent",
                    "lane",
                    "profile_id",
                    "shop_object_link",
                    "evaluated_at",
                    "talon_one_answered",
                    "created_at",
                    "updated_at",
                    "related",
                ]
            },
        ),
        (_("Last evaluation"), {"fields": ["evaluation_summary"]}),
        (
            _("History"),
            {
                "fields": ["history_timeline"],
                "description": _(
                    "Each step Talon.One answered: cart evaluations that changed the "
                    "discount, the close, each return and the cancel."
                ),
            },
        ),
        (
            _("Charged vs recorded"),
            {
                "fields": ["charge_check", "charged_discount", "recorded_discount"],
                "description": _(
                    "The discount the shop charged for the order, and the one Talon.One "
                    "recorded when the session closed."
                ),
            },
        ),
        (
            _("Raw data"),
            {"classes": ["collapse"], "fields": ["last_evaluation_json", "last_effects_json"]},
        ),
    ]
    readonly_fields = flatten_fieldsets(fieldsets)  # every field shown is read-only

    def get_queryset(self, request: HttpRequest) -> QuerySet[CustomerSession]:
        # The state shown is the shop's; whether Talon.One has it yet depends on the outbox.
        sessions: QuerySet[CustomerSession] = super().get_queryset(request)
        return sessions.annotate(
            calls_waiting=Count(
                "deliveries",
                filter=Q(deliveries__status__in=[DeliveryStatus.PENDING, DeliveryStatus.IN_FLIGHT]),
            ),
            calls_dead=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.DEAD)),
        )

    @admin.display(description=_("in Talon.One"))
    def sent(self, session: CustomerSession) -> str:
        """Whether Talon.One has seen every change of this session the shop made."""
        dead, waiting = getattr(session, "calls_dead", 0), getattr(session, "calls_waiting", 0)
        if dead:
            return ngettext(
                "%(count)d call failed (see deliveries)",
                "%(count)d calls failed (see deliveries)",
                dead,
            ) % {"count": dead}
        if waiting:
            return ngettext("%(count)d call waiting", "%(count)d calls waiting", waiting) % {
                "count": waiting
            }
        return str(_("up to date"))

    @admin.display(boolean=True, description=_("Talon.One answered"), ordering="evaluation_failed")
    def talon_one_answered(self, session: CustomerSession) -> bool | None:
        """✔ when the last evaluation got Talon.One's answer, ✖ when it could not (the cart
        showed full prices), unknown before any. The icon reads as what it says: a stored
        ``evaluation_failed`` shown as a boolean would put a green tick on the failures."""
        if session.evaluated_at is None and not session.evaluation_failed:
            return None
        return not session.evaluation_failed

    @admin.display(description=_("discount total"))
    def discount_total(self, session: CustomerSession) -> Decimal | None:
        evaluation = read_evaluation(session.last_evaluation)
        if evaluation is None or not session.last_evaluation:
            return None
        return evaluation.discount_total

    @admin.display(description=_("charged vs recorded"), ordering="charge_difference")
    def charge_check(self, session: CustomerSession) -> str:
        """Plain words for the comparison: what staff must look at, and which way."""
        difference = session.charge_difference
        if difference is not None:
            more_or_less = _("more") if difference > 0 else _("less")
            return str(
                _("Talon.One recorded %(amount)s %(more_or_less)s discount than charged")
            ) % {
                "amount": _amount(abs(difference), session),
                "more_or_less": more_or_less,
            }
        if session.charged_discount is None:
            return (
                str(_("not told what was charged"))
                if session.recorded_discount is not None
                else "-"
            )
        if session.recorded_discount is None:
            return str(_("close not recorded yet"))
        return str(_("matches"))

    @admin.display(description=_("shop object"))
    def shop_object_link(self, session: CustomerSession) -> SafeString:
        if session.content_type is None or not session.object_id:
            return format_html("{}", "-")
        model = session.content_type.model_class()
        if model is None:  # the shop removed that model
            return format_html("{} #{}", session.content_type, session.object_id)
        found = model._default_manager.filter(pk=session.object_id).first()
        if found is None:
            return format_html(
                "{} #{} ({})", model._meta.verbose_name, session.object_id, _("deleted")
            )
        return object_link(self, found)

    @admin.display(description=_("deliveries and returns"))
    def related(self, session: CustomerSession) -> SafeString:
        deliveries = _deliveries_link(
            self, {"session__id__exact": session.pk}, session.deliveries.count()
        )
        count = session.returns.count()
        returns = changelist_link(
            self,
            SessionReturn,
            {"session__id__exact": session.pk},
            ngettext("%(count)d return", "%(count)d returns", count) % {"count": count},
        )
        return format_html("{} &middot; {}", deliveries, returns)

    @admin.display(description=_("summary"))
    def evaluation_summary(self, session: CustomerSession) -> SafeString:
        evaluation = read_evaluation(session.last_evaluation)
        context = {
            "evaluation": evaluation,
            "evaluated": bool(session.last_evaluation),
            "unreadable": evaluation is None,
        }
        return SafeString(render_to_string(SUMMARY_TEMPLATE, context))

    @admin.display(description=_("timeline"))
    def history_timeline(self, session: CustomerSession) -> SafeString:
        """The session's steps, with what the order still keeps after each from the close
        on (the close's discount less what each return took back)."""
        steps: list[dict[str, Any]] = []
        kept: Decimal | None = None
        evaluations = 0
        for entry in session.history.order_by("created_at", "pk"):
            evaluations += entry.kind == HistoryKind.EVALUATED
            if entry.kind == HistoryKind.CLOSED:
                kept = entry.discount_total
            elif kept is not None:
                kept = max(kept - entry.rolled_back_total, Decimal(0))
            steps.append(
                {
                    "entry": entry,
                    "evaluation": read_evaluation(entry.evaluation),
                    "discount": _amount(entry.discount_total, session),
                    "rolled_back": _amount(entry.rolled_back_total, session)
                    if entry.rolled_back_total
                    else None,
                    "kept": None if kept is None else _amount(kept, session),
                }
            )
        context = {
            "steps": steps,
            "limit": HISTORY_LIMIT,
            "pruned": evaluations >= HISTORY_LIMIT,
        }
        return SafeString(render_to_string(HISTORY_TEMPLATE, context))

    @admin.display(description=_("last evaluation (stored)"))
    def last_evaluation_json(self, session: CustomerSession) -> SafeString:
        return pretty_json(session.last_evaluation)

    @admin.display(description=_("last effects (Talon.One)"))
    def last_effects_json(self, session: CustomerSession) -> SafeString:
        return pretty_json(session.last_effects)


RETURN_FIELDS = (
    "session_link",
    "session_application",
    "state",
    "idempotency_key",
    "items_json",
    "reply_json",
    "deliveries_link",
    "created_at",
    "updated_at",
)


@admin.register(SessionReturn)
class SessionReturnAdmin(ApplicationAdminMixin, ReadOnlyAdmin):
    # A return has no column of its own: it goes where its session lives.
    application_field = "session__application"

    list_display = ["idempotency_key", "session", "state", "created_at"]
    list_filter = ["state"]
    list_select_related = ["session"]
    search_fields = ["=idempotency_key", "=session__session_id"]
    date_hierarchy = "created_at"
    ordering = ["-id"]
    fields = RETURN_FIELDS
    readonly_fields = RETURN_FIELDS

    def get_queryset(self, request: HttpRequest) -> QuerySet[SessionReturn]:
        return super().get_queryset(request).select_related("session")

    @admin.display(description=_("customer session"))
    def session_link(self, row: SessionReturn) -> SafeString:
        return object_link(self, row.session)

    @admin.display(description=APPLICATION_LABEL)
    def session_application(self, row: SessionReturn) -> str:
        return row.session.application

    @admin.display(description=_("returned items"))
    def items_json(self, row: SessionReturn) -> SafeString:
        return pretty_json(row.items)

    @admin.display(description=_("Talon.One reply"))
    def reply_json(self, row: SessionReturn) -> SafeString:
        return pretty_json(row.reply)

    @admin.display(description=_("deliveries"))
    def deliveries_link(self, row: SessionReturn) -> SafeString:
        if not admin_url(self, Delivery._meta, "changelist"):
            return format_html("{}", "-")
        return _deliveries_link(self, {"session_return__id__exact": row.pk}, row.deliveries.count())
