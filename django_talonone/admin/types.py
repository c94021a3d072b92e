"""The ModelAdmin base the app's admin classes share, generic for the type checker only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin

__all__ = ["AnyModelAdmin"]

# The admin classes are generic for the type checker only (django-stubs), not at runtime.
if TYPE_CHECKING:
    AnyModelAdmin = admin.ModelAdmin[Any]
else:
    AnyModelAdmin = admin.ModelAdmin
