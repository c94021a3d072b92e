"""Orders in the admin, with a two-step refund of chosen lines (choose, then confirm).

A refund marks the lines refunded and queues Talon.One's ReturnCartItems in one
transaction; the order page shows the Talon.One session and its returns as they are
delivered.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django_talonone.admin import Confirmation, StyledRefusalMixin, confirmed_action, refusal
from django_talonone.services import calls_waiting, order_session

from catalog.templatetags.shop import money

from .forms import RefundLinesForm
from .models import Order, OrderLine
from .refunds import RefundError, plan_refund, refund


def _returned_lines(items: list[dict[str, int]], names: list[str]) -> str:
    """``[{"position": 0, "quantity": 1}]`` → ``"1 x Sencha green tea"``."""
    described = []
    for item in items:
        position = item["position"]
        name = names[position] if position < len(names) else f"line {position}"
        described.append(f"{item['quantity']} x {name}")
    return ", ".join(described)


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    fields = ["sku", "name", "price", "quantity", "discount", "refunded_at", "refunded_amount"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _cancel(request: HttpRequest, orders: QuerySet[Order]) -> str:
    """Cancel each order (its save queues the session's cancel in Talon.One)."""
    count = 0
    for order in orders:
        order.status = Order.Status.CANCELLED
        order.save(update_fields=["status"])
        count += 1
    return f"{count} order(s) cancelled; Talon.One rolls back their coupons and discounts."


cancel_orders = confirmed_action(
    name="cancel_orders",
    description="Cancel selected orders",
    permissions=["change"],
    eligible=lambda orders: orders.exclude(status=Order.Status.CANCELLED),
    perform=_cancel,
    confirmation=Confirmation(
        title="Cancel orders",
        question="Cancel {count} {name}?",
        warning="Talon.One rolls back the coupons and discounts of each; a cancelled "
        "order cannot be paid or reopened. Refund the payment separately.",
        severity="irreversible",
        button="Yes, cancel them",
        skipped="Cancelled already, so left alone: {count} selected {name}.",
        nothing="Every selected order is cancelled already.",
    ),
)


@admin.register(Order)
class OrderAdmin(StyledRefusalMixin, admin.ModelAdmin):
    list_display = ["number", "user", "status_shown", "total", "refunded", "refunds", "created_at"]
    list_filter = ["status", "created_at"]
    # The status changes only through actions: paying is checkout's, cancelling is the
    # confirmed action below, and nothing leads back from cancelled (Talon.One's session
    # cannot be reopened by a dropdown).
    readonly_fields = [
        "status",
        "refund_status",
        "user",
        "cart",
        "coupons",
        "referral_code",
        "subtotal",
        "discounts_itemised",
        "discount",
        "total",
        "refunded",
        "kept",
        "promotions_applied",
        "created_at",
        "talonone_session",
    ]
    fields = readonly_fields
    inlines = [OrderLineInline]
    actions = ["refund_lines", cancel_orders]
    change_form_template = "admin/orders/order/change_form.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="status", ordering="status")
    def status_shown(self, order: Order) -> str:
        """Paid, partly refunded, refunded or cancelled: what staff need to know at a glance."""
        return order.status_words

    @admin.display(description="refunds")
    def refund_status(self, order: Order) -> str:
        return order.refund_state or "none"

    @admin.display(description="refunded")
    def refunded(self, order: Order) -> str:
        return money(order.refunded_total) if order.refund_state else ""

    @admin.display(description="paid after refunds")
    def kept(self, order: Order) -> str:
        return money(order.kept_total)

    @admin.display(description="discounts")
    def discounts_itemised(self, order: Order) -> str:
        """Each promotion's cart-wide discount and what gave it, as the cart showed them."""
        items = order.itemised_discounts
        if not items:
            return "-"
        return format_html_join(
            "",
            '<div class="order-discount">{} ({}): &minus;{}</div>',
            ((item.name, item.source_words, money(item.amount)) for item in items),
        )

    @admin.display(description="refunded lines")
    def refunds(self, order: Order) -> str:
        refunded = sum(1 for line in order.lines.all() if line.is_refunded)
        return f"{refunded} of {len(order.lines.all())}" if refunded else ""

    @admin.display(description="coupon codes")
    def coupons(self, order: Order) -> str:
        return ", ".join(order.coupon_codes)

    @admin.display(description="Talon.One session")
    def talonone_session(self, order: Order) -> str:
        session = order_session(order)
        if session is None:
            return "none yet"
        # A return names lines by session position, which is the order's line order.
        names = [line.name for line in order.lines.all()]
        returns = format_html_join(
            "",
            '<div class="session-return">return of {}: {}</div>',
            (
                (_returned_lines(session_return.items, names), session_return.get_state_display())
                for session_return in session.returns.all()
            ),
        )
        return format_html(
            '<code class="session-id">{}</code> ({}){}',
            session.session_id,
            session.get_state_display(),
            returns,
        )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Order]:
        return super().get_queryset(request).prefetch_related("lines")

    def get_urls(self) -> list[URLPattern]:
        refund_url = path(
            "<path:object_id>/refund/",
            self.admin_site.admin_view(self.refund_view),
            name="orders_order_refund",
        )
        return [refund_url, *super().get_urls()]

    @admin.action(description="Refund lines of the selected order…", permissions=["change"])
    def refund_lines(self, request: HttpRequest, queryset: QuerySet[Order]) -> Any:
        if queryset.count() != 1:
            self.message_user(request, "Choose exactly one order to refund.", messages.WARNING)
            return None
        order = queryset.get()
        return redirect("admin:orders_order_refund", object_id=order.pk)

    def refund_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Step 1 (GET, or POST without ``confirm``): choose lines; step 2: confirm."""
        order = get_object_or_404(Order, pk=object_id)
        if not self.has_change_permission(request, order):
            return refusal(
                self, request, refused=f"refund order {order.number}", permissions=("change",)
            )
        change_url = reverse("admin:orders_order_change", args=[order.pk])
        form = RefundLinesForm(
            request.POST if request.method == "POST" else None, order_lines=order.lines.all()
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "order": order,
            "change_url": change_url,
            "title": f"Refund lines of order {order.number}",
        }
        if request.method == "POST" and form.is_valid():
            try:
                plan = plan_refund(order, [line.pk for line in form.cleaned_data["lines"]])
            except RefundError as error:
                form.add_error(None, str(error))
            else:
                if request.POST.get("confirm") != "yes":
                    return TemplateResponse(
                        request,
                        "admin/orders/order/refund_confirm.html",
                        {**context, "plan": plan},
                    )
                session = order_session(order)
                behind = session is not None and calls_waiting(session) > 0
                try:
                    refund(plan)
                except RefundError as error:
                    self.message_user(request, str(error), messages.ERROR)
                else:
                    followup = (
                        "Talon.One has not recorded this order yet (its calls are waiting "
                        "in the outbox); the return is queued behind them and follows once "
                        "they are delivered."
                        if behind
                        else "Talon.One will roll back their discounts."
                    )
                    self.message_user(
                        request,
                        f"Refunded {len(plan.lines)} line(s) of order {order.number}: "
                        f"{money(plan.amount)}. {followup}",
                        messages.SUCCESS,
                    )
                return HttpResponseRedirect(change_url)
        return TemplateResponse(
            request, "admin/orders/order/refund_select.html", {**context, "form": form}
        )
