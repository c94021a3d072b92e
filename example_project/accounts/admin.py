"""Shoppers in the admin: Django's user admin, plus Talon.One's profile actions.

Staff select users and "Send profiles to Talon.One" (after a data fix, say) or "Erase in
Talon.One (GDPR)" when a shopper asks to be forgotten; each asks for confirmation first
and needs its permission (superusers have both).
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django_talonone.admin import TalonOneCustomerAdminMixin

User = get_user_model()

admin.site.unregister(User)


@admin.register(User)
class ShopUserAdmin(TalonOneCustomerAdminMixin, UserAdmin):
    """Django's user admin, with the Talon.One actions beside "Delete selected users"."""
