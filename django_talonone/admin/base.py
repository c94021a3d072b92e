"""The base of the app's ModelAdmins: rows staff may look at but never edit by hand.

Sessions, returns and mirrors reflect what Talon.One holds and are written only by the
app's services; an edit in a form would silently disagree with Talon.One. Staff act
through admin actions (which go through the services) instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.http import HttpRequest

__all__ = ["AnyModelAdmin", "ReadOnlyAdmin"]

# The admin classes are generic for the type checker only (django-stubs), not at runtime.
if TYPE_CHECKING:
    AnyModelAdmin = admin.ModelAdmin[Any]
else:
    AnyModelAdmin = admin.ModelAdmin


class ReadOnlyAdmin(AnyModelAdmin):
    """View-only: no add, change or delete, for anyone (superusers included)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
