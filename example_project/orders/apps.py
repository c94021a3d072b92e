"""Orders: placing one closes its Talon.One session; refunding lines returns them."""

from __future__ import annotations

from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django_talonone.registry import register_order

        from .models import Order
        from .talonone import ShopOrderAdapter

        register_order(Order, ShopOrderAdapter)
