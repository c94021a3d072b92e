"""The Talon.One Application in the admin: a column, a filter, and a choice for actions.

Shown only when the shop configures several Applications, so a shop with one sees its
admin as before. :class:`ApplicationAdminMixin` adds the column (after the first one) and
the filter to a changelist; :func:`chosen_application` reads the choice a confirmation
page offered (:data:`APPLICATION_FIELD`).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from django_talonone.applications import application_names

from .base import AnyModelAdmin

__all__ = [
    "APPLICATION_FIELD",
    "ApplicationAdminMixin",
    "application_choices",
    "chosen_application",
    "several_applications",
]

#: The POST field of the Application chosen on a confirmation page ("": the default rule).
APPLICATION_FIELD = "talonone_application"


def several_applications() -> bool:
    return len(application_names()) > 1


def application_choices() -> list[tuple[str, str]]:
    """``(value, label)`` for a confirmation page: the default rule, then each name."""
    if not several_applications():
        return []
    return [("", _("each customer's Applications")), *((n, n) for n in application_names())]


def chosen_application(request: HttpRequest) -> str | None:
    """The Application chosen on the confirmation page; ``None``: the default rule.

    A name that is not configured (a forged or stale page) raises ``ValueError``, which
    the action shows as an error message.
    """
    value = request.POST.get(APPLICATION_FIELD, "")
    if not value:
        return None
    if value not in application_names():
        raise ValueError(_("No Talon.One Application named %(name)r.") % {"name": value})
    return value


class ApplicationAdminMixin(AnyModelAdmin):
    """The changelist shows and filters the Application (``application_field`` names the
    lookup: ``"audience__application"`` for a membership, say)."""

    application_field = "application"

    def get_list_display(self, request: HttpRequest) -> Any:
        shown: list[Any] = list(super().get_list_display(request))
        if several_applications() and self.application_field not in shown:
            shown.insert(1, self.application_field)
        return shown

    def get_list_filter(self, request: HttpRequest) -> Any:
        filters: list[Any] = list(super().get_list_filter(request))
        if several_applications() and self.application_field not in filters:
            filters.insert(0, self.application_field)
        return filters
