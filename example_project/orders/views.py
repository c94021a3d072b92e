"""Checkout, the order history and one order's page."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django_talonone.services import order_points, order_session

from cart import carts
from cart.pricing import price_cart

from .checkout import EmptyCartError, TotalChangedError, checkout
from .forms import FakePaymentForm
from .models import Order

#: Orders an anonymous shopper placed in this browser session.
SESSION_ORDERS = "order_ids"


def _visible_orders(request: HttpRequest) -> QuerySet[Order]:
    if request.user.is_authenticated:
        return Order.objects.filter(user=request.user)
    return Order.objects.filter(pk__in=request.session.get(SESSION_ORDERS, []), user=None)


def checkout_view(request: HttpRequest) -> HttpResponse:
    cart = carts.current_cart(request)
    if cart is None or not cart.lines.exists():
        messages.info(request, "Your cart is empty.")
        return redirect("cart:detail")
    form = FakePaymentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            order = checkout(cart, request.user, expected_total=form.cleaned_data["expected_total"])
        except EmptyCartError:
            return redirect("cart:detail")
        except TotalChangedError as changed:
            messages.warning(
                request,
                f"Your cart changed: the total is now {changed.total:.2f}, not "
                f"{changed.expected:.2f}. Nothing was charged; check it and pay again.",
            )
            return redirect("orders:checkout")
        if not request.user.is_authenticated:
            request.session[SESSION_ORDERS] = [*request.session.get(SESSION_ORDERS, []), order.pk]
        messages.success(request, f"Thank you! Order {order.number} is placed and paid.")
        return redirect("orders:detail", order_id=order.pk)
    return render(request, "orders/checkout.html", {"priced": price_cart(cart), "form": form})


def order_list(request: HttpRequest) -> HttpResponse:
    orders = _visible_orders(request).prefetch_related("lines")
    return render(request, "orders/order_list.html", {"orders": orders})


def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    order = get_object_or_404(_visible_orders(request), pk=order_id)
    return render(
        request,
        "orders/order_detail.html",
        {
            "order": order,
            "lines": order.lines.all(),
            "session": order_session(order),
            "points": order_points(order),
        },
    )
