"""Shoppers: signing in, and their Talon.One customer profiles."""

from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django_talonone.registry import register_customer

        from .talonone import ShopCustomerAdapter

        register_customer(get_user_model(), ShopCustomerAdapter)
