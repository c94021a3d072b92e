"""The cart page and the small POST endpoints that change the cart."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST
from django_talonone.services import request_points

from catalog.models import Product

from . import carts
from .forms import AddToCartForm, CouponForm, PointsForm, QuantityForm, ReferralForm
from .models import CartLine
from .pricing import price_cart


@require_GET
def cart_detail(request: HttpRequest) -> HttpResponse:
    cart = carts.current_cart(request)
    priced = price_cart(cart) if cart is not None else None
    return render(
        request,
        "cart/cart.html",
        {
            "priced": priced,
            "coupon_form": CouponForm(),
            "referral_form": ReferralForm(initial={"code": cart.referral_code if cart else ""}),
            "points_form": PointsForm(
                initial={"points": priced.points_balance if priced else None}
            ),
        },
    )


@require_POST
def add(request: HttpRequest, product_id: int) -> HttpResponse:
    product = get_object_or_404(Product, pk=product_id, is_active=True)
    form = AddToCartForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Please choose a quantity from 1 to 99.")
        return redirect("catalog:products")
    cart = carts.current_cart(request, create=True)
    assert cart is not None
    carts.add_product(cart, product, form.cleaned_data["quantity"])
    messages.success(request, f"Added {product.name} to your cart.")
    return redirect("catalog:products")


@require_POST
def update_line(request: HttpRequest, line_id: int) -> HttpResponse:
    cart = carts.current_cart(request)
    line = get_object_or_404(CartLine.objects.filter(cart=cart), pk=line_id)
    form = QuantityForm(request.POST)
    if form.is_valid():
        carts.set_quantity(line, form.cleaned_data["quantity"])
    else:
        messages.error(request, "Please enter a quantity from 0 to 99.")
    return redirect("cart:detail")


@require_POST
def add_coupon(request: HttpRequest) -> HttpResponse:
    form = CouponForm(request.POST)
    if form.is_valid():
        cart = carts.current_cart(request, create=True)
        assert cart is not None
        carts.add_coupon(cart, form.cleaned_data["code"])
    else:
        messages.error(request, "Please enter a coupon code of at most 100 characters.")
    return redirect("cart:detail")


@require_POST
def remove_coupon(request: HttpRequest) -> HttpResponse:
    cart = carts.current_cart(request)
    if cart is not None:
        carts.remove_coupon(cart, request.POST.get("code", ""))
    return redirect("cart:detail")


@require_POST
def set_referral(request: HttpRequest) -> HttpResponse:
    form = ReferralForm(request.POST)
    if form.is_valid():
        cart = carts.current_cart(request, create=True)
        assert cart is not None
        carts.set_referral(cart, form.cleaned_data["code"])
    else:
        messages.error(request, "Please enter a referral code of at most 100 characters.")
    return redirect("cart:detail")


@require_POST
def set_currency(request: HttpRequest) -> HttpResponse:
    """Buy in another currency: the cart's next evaluation goes to that currency's
    Talon.One Application (a new session there, with its own campaigns)."""
    currency = request.POST.get("currency", "")
    if currency not in settings.SHOP_CURRENCIES:
        messages.error(request, "Please choose one of the shop's currencies.")
        return redirect(request.POST.get("next") or "catalog:products")
    cart = carts.current_cart(request, create=True)
    assert cart is not None
    if cart.currency != currency:
        cart.currency = currency
        cart.save(update_fields=["currency", "updated_at"])
        messages.success(request, f"Prices are now in {currency}.")
    return redirect("cart:detail")


@require_POST
def use_points(request: HttpRequest) -> HttpResponse:
    """ "Use my points": ask Talon.One to spend them on this cart (0 stops using them)."""
    form = PointsForm(request.POST)
    cart = carts.current_cart(request)
    if cart is None or not request.user.is_authenticated:
        messages.error(request, "Sign in to use your loyalty points.")
    elif form.is_valid():
        request_points(cart, form.cleaned_data["points"])
    else:
        messages.error(request, "Please enter a number of points of at least 0.")
    return redirect("cart:detail")
