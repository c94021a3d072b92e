"""The base of the app's ModelAdmins: rows staff may look at but never edit by hand.

Sessions, returns and mirrors reflect what Talon.One holds and are written only by the
app's services; an edit in a form would silently disagree with Talon.One. Staff act
through admin actions (which go through the services) instead.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .refusal import StyledRefusalMixin
from .types import AnyModelAdmin

__all__ = ["AnyModelAdmin", "ReadOnlyAdmin"]


class ReadOnlyAdmin(StyledRefusalMixin):
    """View-only: no add, change or delete, for anyone (superusers included); a missing
    view permission gets the styled refusal page."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
