"""Admin actions that ask before they act: a confirmation page, then the real work.

Anything that talks to Talon.One or cannot be undone should show staff what it is about to
touch first, the way Django's own "delete selected" does. :func:`confirmed_action` builds
such an action from a few sentences and a ``perform`` function:

- the first POST (from the changelist) renders ``admin/django_talonone/confirm_action.html``
  listing the rows the action will act on, and how many selected rows it will leave alone;
- the page posts back to the changelist with ``confirm=yes``, the same selection (or
  "select across", with the changelist's filters kept in the URL), and the action runs.

Permissions are checked twice: Django hides the action from users without them (through
``allowed_permissions`` and the ModelAdmin's ``has_<name>_permission`` methods), and the
confirmed POST is refused again here with the styled refusal page (:mod:`.refusal`), so
a stale page or a forged POST cannot slip through.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import quote
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from .applications import APPLICATION_FIELD, application_choices
from .base import AnyModelAdmin
from .display import log_changes
from .refusal import refusal

__all__ = ["CONFIRM_FIELD", "LISTED_AT_MOST", "Confirmation", "confirmed_action"]

#: The POST field the confirmation page adds; its presence means "go ahead".
CONFIRM_FIELD = "confirm"
#: The confirmation page lists at most this many rows, then says how many more there are.
LISTED_AT_MOST = 100
TEMPLATE = "admin/django_talonone/confirm_action.html"

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

    Text = str | _StrPromise  # plain or lazily translated text
else:
    Text = str | Promise
Perform = Callable[[HttpRequest, QuerySet[Any]], str]
Severity = Literal["info", "caution", "irreversible"]
Narrow = Callable[[QuerySet[Any]], QuerySet[Any]]
Describe = Callable[[Any], str]
Action = Callable[[AnyModelAdmin, HttpRequest, QuerySet[Any]], TemplateResponse | None]


@dataclass(frozen=True)
class Confirmation:
    """The words of one confirmation page.

    ``question`` may use ``{count}`` (rows the action will act on) and ``{name}`` (their
    verbose name, singular or plural as the count needs). ``skipped`` (same placeholders,
    counting the rows left alone) explains selected rows the action ignores.
    ``nothing`` is the message shown instead of the page when no selected row qualifies.
    ``severity`` styles the warning: ``"info"`` (a routine sync), ``"caution"`` (it changes
    what Talon.One does, but can be redone) or ``"irreversible"`` (it cannot be undone, and
    the page says so).
    """

    title: Text
    question: Text
    button: Text
    warning: Text = ""
    severity: Severity = "info"
    skipped: Text = "Left alone: {count} other selected {name}."
    nothing: Text = "None of the selected {name} can be handled by this action."


def _words(text: Text, count: int, model: type[models.Model]) -> str:
    """``text`` with ``{count}`` and ``{name}`` filled in (translated now, not at import)."""
    return str(text).format(count=count, name=_name(model, count))


def _name(model: type[models.Model], count: int) -> str:
    options = model._meta
    return str(options.verbose_name if count == 1 else options.verbose_name_plural)


def _change_url(modeladmin: AnyModelAdmin, obj: models.Model) -> str:
    options = obj._meta
    try:
        return reverse(
            f"admin:{options.app_label}_{options.model_name}_change",
            args=[quote(obj.pk)],
            current_app=modeladmin.admin_site.name,
        )
    except NoReverseMatch:  # the model is not registered on this site
        return ""


def _missing_permissions(
    modeladmin: AnyModelAdmin, request: HttpRequest, permissions: Sequence[str]
) -> tuple[str, ...]:
    missing = []
    for permission in permissions:
        check = getattr(modeladmin, f"has_{permission}_permission", None)
        if check is None or not check(request):
            missing.append(permission)
    return tuple(missing)


def confirmed_action(
    *,
    name: str,
    description: Text,
    confirmation: Confirmation,
    perform: Perform,
    permissions: Sequence[str] = (),
    eligible: Narrow | None = None,
    describe: Describe = str,
    errors: tuple[type[Exception], ...] = (),
    choose_application: bool = False,
) -> Action:
    """An admin action (use it in ``ModelAdmin.actions``) that confirms before ``perform``.

    ``eligible`` narrows the selection to the rows the action applies to (dead deliveries,
    say); ``perform`` receives that narrowed queryset and returns the success message.
    ``permissions`` are ModelAdmin permission names, as in ``@admin.action``. Exceptions
    of the ``errors`` types (a broker that is down, say) become an error message naming
    the problem instead of a server error. ``choose_application`` asks, on the page,
    which Talon.One Application to act in when the shop has several (``perform`` reads
    it with :func:`.applications.chosen_application`).
    """

    def action(
        modeladmin: AnyModelAdmin, request: HttpRequest, queryset: QuerySet[Any]
    ) -> TemplateResponse | None:
        missing = _missing_permissions(modeladmin, request, permissions)
        if missing:  # hidden from them, so a stale page or a forged POST
            refused = _("use the action “%(action)s”") % {"action": description}
            return refusal(modeladmin, request, refused=refused, permissions=missing)
        targets = eligible(queryset) if eligible is not None else queryset
        count = targets.count()
        if count == 0:
            message = _words(confirmation.nothing, 0, queryset.model)
            modeladmin.message_user(request, message, messages.WARNING)
            return None
        if request.POST.get(CONFIRM_FIELD) == "yes":
            acted_on = list(targets)  # before perform: it may move them out of ``targets``
            try:
                message = perform(request, targets)
            except errors as error:
                modeladmin.message_user(request, str(error), messages.ERROR)
                log_changes(request, acted_on, f"{description}: failed: {error}")
            else:
                modeladmin.message_user(request, message, messages.SUCCESS)
                log_changes(request, acted_on, f"{description}: {message}")
            return None
        return _confirmation_page(modeladmin, request, queryset, targets, count)

    def _confirmation_page(
        modeladmin: AnyModelAdmin,
        request: HttpRequest,
        queryset: QuerySet[Any],
        targets: QuerySet[Any],
        count: int,
    ) -> TemplateResponse:
        model = queryset.model
        select_across = request.POST.get("select_across", "0").lower() in ("1", "true", "on")
        listed = list(targets[:LISTED_AT_MOST])
        # Without "select across" the page re-posts exactly the rows it lists; with it, the
        # original selection and the changelist's filters (kept in the URL) define the rows.
        selected = (
            request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
            if select_across
            else [str(pk) for pk in targets.values_list("pk", flat=True)]
        )
        skipped = 0 if eligible is None else queryset.count() - count
        context = {
            **modeladmin.admin_site.each_context(request),
            "title": str(confirmation.title),
            "subtitle": None,
            "opts": model._meta,
            "question": _words(confirmation.question, count, model),
            "warning": _words(confirmation.warning, count, model),
            "severity": confirmation.severity,
            "skipped": _words(confirmation.skipped, skipped, model) if skipped else "",
            "rows": [(_change_url(modeladmin, obj), describe(obj)) for obj in listed],
            "more": count - len(listed),
            "button": str(confirmation.button),
            "action_name": name,
            "selected": selected,
            "select_across": "1" if select_across else "0",
            "confirm_field": CONFIRM_FIELD,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "applications": application_choices() if choose_application else [],
            "application_field": APPLICATION_FIELD,
        }
        request.current_app = modeladmin.admin_site.name
        return TemplateResponse(request, TEMPLATE, context)

    action.__name__ = name
    action.__doc__ = perform.__doc__
    return admin.action(description=description, permissions=list(permissions) or None)(action)
