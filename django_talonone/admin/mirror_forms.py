"""The admin's forms that create things in Talon.One: a new audience, members added to
one, a coupon reserved for chosen customers.

Each form goes through the services (``create_audience``, ``add_members``,
``reserve_coupon``), never the outbox directly: the rows are written in the request's
transaction and sent by the outbox or the bulk task after it commits. Each page needs the
permission of the matching action and refuses others with the styled refusal page. The
audience page then shows how far its members got (pending, synced, failed).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import quote, unquote
from django.db import router, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from django_talonone.adapters import InvalidPayload
from django_talonone.applications import application_names
from django_talonone.models import Audience, CouponReservation
from django_talonone.services import add_members, create_audience, reserve_coupon
from django_talonone.services.bulk import BulkQueueError

from .applications import several_applications
from .choosing import CustomersForm, search_customers
from .refusal import refusal
from .types import AnyModelAdmin

__all__ = ["add_members_view", "create_audience_view", "reserve_coupon_view"]

TEMPLATE = "admin/django_talonone/mirror_form.html"
#: What the services refuse with a message staff can act on.
REFUSED = (InvalidPayload, BulkQueueError)


class ApplicationChoice(forms.Form):
    """With several Talon.One Applications, the form asks which one the row belongs to."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if several_applications():
            self.fields["application"] = forms.ChoiceField(
                label=gettext_lazy("Talon.One Application"),
                choices=[(name, name) for name in application_names()],
            )

    def chosen_application(self) -> str | None:
        return self.cleaned_data.get("application") or None


class AudienceForm(ApplicationChoice):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=255)
    integration_id = forms.CharField(
        label=gettext_lazy("Integration id"),
        max_length=1000,
        required=False,
        help_text=gettext_lazy("Optional: your own key for this audience."),
    )


class CouponForm(ApplicationChoice):
    coupon_code = forms.CharField(label=gettext_lazy("Coupon code"), max_length=100)


def _page(
    model_admin: AnyModelAdmin, request: HttpRequest, title: str, **context: Any
) -> TemplateResponse:
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(
        request,
        TEMPLATE,
        {
            **model_admin.admin_site.each_context(request),
            "title": title,
            "subtitle": None,
            "opts": model_admin.opts,
            "query": request.GET.get("q", ""),
            **context,
        },
    )


def _customers_form(request: HttpRequest) -> CustomersForm:
    found = search_customers(request.GET.get("q", ""))
    if request.method == "POST":
        return CustomersForm(request.POST, request.FILES, found=found)
    return CustomersForm(found=found)


def _change_url(model_admin: AnyModelAdmin, obj: Any) -> str:
    options = obj._meta
    return reverse(
        f"admin:{options.app_label}_{options.model_name}_change",
        args=[quote(obj.pk)],
        current_app=model_admin.admin_site.name,
    )


def _changelist_url(model_admin: AnyModelAdmin) -> str:
    options = model_admin.opts
    return reverse(
        f"admin:{options.app_label}_{options.model_name}_changelist",
        current_app=model_admin.admin_site.name,
    )


def create_audience_view(model_admin: AnyModelAdmin, request: HttpRequest) -> HttpResponse:
    """Name the audience; it is created in Talon.One right after (``sync_audiences``)."""
    if not model_admin.has_add_permission(request):
        return refusal(
            model_admin, request, refused=_("create audiences"), permissions=("sync_audience",)
        )
    form = AudienceForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            audience = create_audience(
                form.cleaned_data["name"],
                integration_id=form.cleaned_data["integration_id"],
                application=form.chosen_application(),
            )
        except REFUSED as error:
            form.add_error(None, str(error))
        else:
            model_admin.log_addition(request, audience, [{"added": {}}])
            model_admin.message_user(
                request,
                _("The audience “%(name)s” is being created in Talon.One. Add its members next.")
                % {"name": audience.name},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(_members_url(model_admin, audience))
    return _page(model_admin, request, _("Create an audience"), form=form, button=_("Create"))


def _members_url(model_admin: AnyModelAdmin, audience: Audience) -> str:
    return reverse(
        "admin:django_talonone_audience_members",
        args=[quote(audience.pk)],
        current_app=model_admin.admin_site.name,
    )


def add_members_view(
    model_admin: AnyModelAdmin, request: HttpRequest, object_id: str
) -> HttpResponse:
    """Choose customers (search, paste, CSV) and add them to the audience."""
    audience = get_object_or_404(Audience, pk=unquote(object_id))
    if not model_admin.has_add_permission(request):
        return refusal(
            model_admin, request, refused=_("add audience members"), permissions=("sync_audience",)
        )
    form = _customers_form(request)
    if request.method == "POST" and form.is_valid():
        profile_ids = form.profile_ids()
        try:
            with transaction.atomic(using=router.db_for_write(Audience)):
                added = add_members(audience, profile_ids)
        except REFUSED as error:
            form.add_error(None, str(error))
        else:
            message = ngettext(
                "%(added)d of %(count)d customer is a new member of “%(name)s”; on its way "
                "to Talon.One (the members line below shows how far the audience got).",
                "%(added)d of %(count)d customers are new members of “%(name)s”; on their "
                "way to Talon.One (the members line below shows how far the audience got).",
                len(profile_ids),
            ) % {"added": added, "count": len(profile_ids), "name": audience.name}
            model_admin.message_user(request, message, messages.SUCCESS)
            model_admin.log_change(request, audience, f"Added {added} member(s) in the admin")
            return HttpResponseRedirect(_change_url(model_admin, audience))
    title = _("Add members to “%(name)s”") % {"name": audience.name}
    return _page(
        model_admin,
        request,
        title,
        form=form,
        searchable=True,
        original=audience,
        original_url=_change_url(model_admin, audience),
        button=_("Add them"),
    )


class ReserveForm(CustomersForm, CouponForm):
    field_order = ["coupon_code", "customers", "pasted", "csv_file"]


def reserve_coupon_view(model_admin: AnyModelAdmin, request: HttpRequest) -> HttpResponse:
    """A coupon code and the customers it is reserved for (sent through the outbox)."""
    if not model_admin.has_add_permission(request):
        return refusal(
            model_admin, request, refused=_("reserve coupons"), permissions=("sync_reservation",)
        )
    found = search_customers(request.GET.get("q", ""))
    if request.method == "POST":
        form = ReserveForm(request.POST, request.FILES, found=found)
    else:
        form = ReserveForm(found=found, initial={"coupon_code": request.GET.get("coupon_code", "")})
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["coupon_code"].strip()
        profile_ids = form.profile_ids()
        try:
            with transaction.atomic(using=router.db_for_write(CouponReservation)):
                added = reserve_coupon(code, profile_ids, application=form.chosen_application())
        except REFUSED as error:
            form.add_error(None, str(error))
        else:
            model_admin.message_user(
                request,
                ngettext(
                    "%(code)s is reserved for %(added)d more customer (of %(count)d chosen); "
                    "the reservation is on its way to Talon.One.",
                    "%(code)s is reserved for %(added)d more customers (of %(count)d chosen); "
                    "the reservations are on their way to Talon.One.",
                    added,
                )
                % {"code": code, "added": added, "count": len(profile_ids)},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(f"{_changelist_url(model_admin)}?coupon_code={code}")
    return _page(
        model_admin,
        request,
        _("Reserve a coupon"),
        form=form,
        searchable=True,
        button=_("Reserve it"),
    )
