"""Carts in the admin, read-only: staff look, shoppers change."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Cart, CartLine


class CartLineInline(admin.TabularInline):
    model = CartLine
    fields = ["product", "quantity"]
    readonly_fields = ["product", "quantity"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Cart)
class CartAdmin(admin.ModelAdmin):
    list_display = ["pk", "user", "coupon_codes", "referral_code", "updated_at"]
    readonly_fields = ["user", "coupon_codes", "referral_code", "created_at", "updated_at"]
    inlines = [CartLineInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
