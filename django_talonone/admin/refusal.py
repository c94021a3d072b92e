"""A styled refusal, instead of Django's bare 403, for staff who lack a permission.

What staff cannot do is hidden first (actions through ``allowed_permissions``, buttons
through ``has_<name>_permission``); this page is for what is left: an old bookmark, a
link from a colleague, a stale or forged form. It is rendered with the admin's own base
template, says what was refused and which permission would allow it, and leads back.
:class:`StyledRefusalMixin` gives any ModelAdmin (the shop's too) this page for its views.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from .types import AnyModelAdmin

__all__ = ["StyledRefusalMixin", "permission_label", "refusal"]

TEMPLATE = "admin/django_talonone/refused.html"
#: Django's own per-model permissions, which ``has_<name>_permission`` spells bare.
_MODEL_PERMISSIONS = ("add", "change", "delete", "view")


def permission_label(model_admin: AnyModelAdmin, name: str) -> str:
    """The permission a ``has_<name>_permission`` method stands for, as Django names it
    ("Can retry dead Talon.One deliveries"), or ``name`` when no such permission exists."""
    options = model_admin.opts
    codename = f"{name}_{options.model_name}" if name in _MODEL_PERMISSIONS else name
    candidates = [codename, codename.removeprefix("talonone_")]
    found = Permission.objects.filter(codename__in=candidates).order_by("pk").first()
    return str(found.name) if found is not None else name


def refusal(
    model_admin: AnyModelAdmin,
    request: HttpRequest,
    *,
    refused: str = "",
    permissions: tuple[str, ...] = (),
) -> TemplateResponse:
    """A 403 page in the admin's style: what was refused, the permission that would allow
    it (``permissions`` are ``has_<name>_permission`` names), and a way back."""
    options = model_admin.opts
    can_view = model_admin.has_view_or_change_permission(request)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Not allowed"),
        "subtitle": None,
        "opts": options,
        "refused": refused or _("open this page"),
        "needed": [permission_label(model_admin, name) for name in permissions],
        "can_view": can_view,
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, TEMPLATE, context, status=403)


class StyledRefusalMixin(AnyModelAdmin):
    """The admin's views answer a missing permission with :func:`refusal`, not a bare 403."""

    def _politely(
        self, request: HttpRequest, needed: str, view: Any, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        try:
            response: HttpResponse = view(request, *args, **kwargs)
        except PermissionDenied:
            return refusal(
                self, request, refused=self._refused_words(needed), permissions=(needed,)
            )
        return response

    def _refused_words(self, needed: str) -> str:
        words = {
            "view": _("see %(name)s"),
            "change": _("change %(name)s"),
            "add": _("add %(name)s"),
            "delete": _("delete %(name)s"),
        }
        return words[needed] % {"name": self.opts.verbose_name_plural}

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        return self._politely(request, "view", super().changelist_view, extra_context)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        needed = "change" if request.method == "POST" else "view"
        return self._politely(
            request, needed, super().change_view, object_id, form_url, extra_context
        )

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        return self._politely(request, "add", super().add_view, form_url, extra_context)

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: Any = None
    ) -> HttpResponse:
        return self._politely(request, "delete", super().delete_view, object_id, extra_context)

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: Any = None
    ) -> HttpResponse:
        return self._politely(request, "view", super().history_view, object_id, extra_context)
