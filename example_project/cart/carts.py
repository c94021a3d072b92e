"""Finding the shopper's cart and changing it.

Anonymous shoppers' carts are remembered in the browser session; a shopper who signs in
takes that cart along (merged into the cart they already had). Changes happen in one
transaction each, so django-talonone sends one snapshot per change, after the commit.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest

from catalog.models import Product

from .models import Cart, CartLine

SESSION_KEY = "cart_id"
MAX_QUANTITY = 99
MAX_CODE_LENGTH = 100


def current_cart(request: HttpRequest, *, create: bool = False) -> Cart | None:
    """The shopper's cart; with ``create``, a new one when they have none yet."""
    if request.user.is_authenticated:
        cart = Cart.objects.filter(user=request.user).order_by("-pk").first()
        if cart is None and create:
            cart = Cart.objects.create(user=request.user)
        return cart
    cart_id = request.session.get(SESSION_KEY)
    cart = Cart.objects.filter(pk=cart_id, user=None).first() if cart_id else None
    if cart is None and create:
        cart = Cart.objects.create()
        request.session[SESSION_KEY] = cart.pk
    return cart


def add_product(cart: Cart, product: Product, quantity: int = 1) -> CartLine:
    with transaction.atomic():
        line, created = CartLine.objects.select_for_update().get_or_create(
            cart=cart, product=product, defaults={"quantity": quantity}
        )
        if not created:
            line.quantity = min(line.quantity + quantity, MAX_QUANTITY)
            line.save(update_fields=["quantity"])
        return line


def set_quantity(line: CartLine, quantity: int) -> None:
    """Change a line's quantity; zero removes the line."""
    if quantity <= 0:
        line.delete()
    else:
        line.quantity = min(quantity, MAX_QUANTITY)
        line.save(update_fields=["quantity"])


def add_coupon(cart: Cart, code: str) -> None:
    if code not in cart.coupon_codes:
        cart.coupon_codes = [*cart.coupon_codes, code]
        cart.save(update_fields=["coupon_codes", "updated_at"])


def remove_coupon(cart: Cart, code: str) -> None:
    if code in cart.coupon_codes:
        cart.coupon_codes = [kept for kept in cart.coupon_codes if kept != code]
        cart.save(update_fields=["coupon_codes", "updated_at"])


def set_referral(cart: Cart, code: str) -> None:
    cart.referral_code = code
    cart.save(update_fields=["referral_code", "updated_at"])


def empty(cart: Cart) -> None:
    """Clear lines, codes and points after checkout; the cart is kept for the next order."""
    cart.lines.all().delete()
    cart.coupon_codes = []
    cart.referral_code = ""
    cart.points_to_spend = None
    cart.save(update_fields=["coupon_codes", "referral_code", "points_to_spend", "updated_at"])


def adopt_cart_on_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """``user_logged_in`` receiver: the anonymous cart becomes (or joins) the user's cart."""
    if request is None or not hasattr(request, "session"):
        return
    guest = Cart.objects.filter(pk=request.session.pop(SESSION_KEY, None), user=None).first()
    if guest is None:
        return
    with transaction.atomic():
        own = Cart.objects.filter(user=user).order_by("-pk").first()
        if own is None:
            guest.user = user
            guest.save(update_fields=["user", "updated_at"])
            return
        for line in guest.lines.select_related("product"):
            add_product(own, line.product, line.quantity)
        for code in guest.coupon_codes:
            add_coupon(own, code)
        if guest.referral_code and not own.referral_code:
            set_referral(own, guest.referral_code)
        guest.delete()
