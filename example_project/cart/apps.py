"""The cart: registered with django-talonone so every change reaches Talon.One."""

from __future__ import annotations

from django.apps import AppConfig


class CartConfig(AppConfig):
    name = "cart"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django_talonone.registry import register_cart

        from .carts import adopt_cart_on_login
        from .models import Cart
        from .talonone import ShopCartAdapter

        register_cart(Cart, ShopCartAdapter)
        user_logged_in.connect(adopt_cart_on_login, dispatch_uid="cart.adopt_cart_on_login")
