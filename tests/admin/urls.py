"""A shop's own admin site with its user admin extended by django-talonone's actions."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.urls import path

from django_talonone.admin import TalonOneCustomerAdminMixin
from tests.shop.models import Cart


class ShopUserAdmin(TalonOneCustomerAdminMixin, UserAdmin):
    """What a shop writes: the mixin before its usual user admin."""


class MistakenCartAdmin(TalonOneCustomerAdminMixin, admin.ModelAdmin):
    """The mixin on a model that is no registered customer: the actions must say so."""


shop_site = admin.AdminSite(name="shop_admin")
shop_site.register(get_user_model(), ShopUserAdmin)
shop_site.register(Cart, MistakenCartAdmin)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("shop-admin/", shop_site.urls),
]
