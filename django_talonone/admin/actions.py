"""Actions for the shop's own customer admin: send profiles, erase customers (GDPR).

The shop's customers live in the shop's model (usually ``auth.User``), so these actions
go into the shop's ModelAdmin, not one of ours. The mixin adds both, each shown only to
staff holding its permission::

    from django.contrib.auth.admin import UserAdmin
    from django_talonone.admin import TalonOneCustomerAdminMixin

    admin.site.unregister(User)

    @admin.register(User)
    class ShopUserAdmin(TalonOneCustomerAdminMixin, UserAdmin):
        pass

Both actions confirm first. Profiles are built by the customer adapter registered with
``register_customer`` and sent in batches by a Celery task
(``services.bulk_profiles.start_profile_sync``); erasure queues DeleteCustomerData for
each profile (``start_customer_erasure``) and cannot be undone.
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin.options import IS_POPUP_VAR
from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from django_talonone.client import TalonOneError
from django_talonone.registry import customer_adapter_for
from django_talonone.services.bulk import BulkQueueError
from django_talonone.services.bulk_profiles import start_customer_erasure, start_profile_sync

from .applications import chosen_application
from .base import AnyModelAdmin
from .confirm import Confirmation, confirmed_action

__all__ = ["TalonOneCustomerAdminMixin", "erase_in_talonone", "send_profiles_to_talonone"]

#: Permission names as the mixin's ``has_<name>_permission`` methods spell them.
SYNC_PERMISSION = "talonone_sync_profiles"
ERASE_PERMISSION = "talonone_erase_customer_data"
ACTION_ERRORS = (BulkQueueError, ImproperlyConfigured, TalonOneError, ValueError)


def profile_id_of(customer: Any) -> str:
    """The Talon.One profile id the registered customer adapter gives ``customer``."""
    return str(customer_adapter_for(customer).get_profile_id(customer))


def describe_customer(customer: Any) -> str:
    """``alice (profile 7)``, or just ``alice`` when the model is not registered."""
    try:
        return f"{customer} (profile {profile_id_of(customer)})"
    except ImproperlyConfigured:
        return str(customer)


def _send(request: HttpRequest, customers: QuerySet[Any]) -> str:
    label = customers.model._meta.label
    pks = list(customers.values_list("pk", flat=True))
    count = start_profile_sync(label, pks, chosen_application(request))
    return ngettext(
        "%(count)d customer profile is on its way to Talon.One.",
        "%(count)d customer profiles are on their way to Talon.One.",
        count,
    ) % {"count": count}


def _erase(request: HttpRequest, customers: QuerySet[Any]) -> str:
    profile_ids = sorted({profile_id_of(customer) for customer in customers.iterator()})
    count = start_customer_erasure(profile_ids)
    return ngettext(
        "Talon.One is erasing %(count)d customer's data.",
        "Talon.One is erasing %(count)d customers' data.",
        count,
    ) % {"count": count}


send_profiles_to_talonone = confirmed_action(
    name="send_profiles_to_talonone",
    description=_("Send profiles to Talon.One"),
    permissions=[SYNC_PERMISSION],
    describe=describe_customer,
    perform=_send,
    errors=ACTION_ERRORS,
    choose_application=True,
    confirmation=Confirmation(
        title=_("Send profiles to Talon.One"),
        question=_("Send the profiles of {count} {name} to Talon.One?"),
        warning=_(
            "Each profile gets the attributes your customer adapter builds, replacing the "
            "values Talon.One holds for those attributes."
        ),
        button=_("Yes, send them"),
    ),
)

erase_in_talonone = confirmed_action(
    name="erase_in_talonone",
    description=_("Erase in Talon.One (GDPR)"),
    permissions=[ERASE_PERMISSION],
    describe=describe_customer,
    perform=_erase,
    errors=ACTION_ERRORS,
    confirmation=Confirmation(
        title=_("Erase customers in Talon.One"),
        question=_("Erase everything Talon.One holds about {count} {name}?"),
        warning=_(
            "Talon.One deletes the attributes of these profiles and "
            "of everything that references them (sessions, events, coupons, referrals), in "
            "every Application of the environment, through each Application configured "
            "here. The accounts in this shop stay as they are."
        ),
        severity="irreversible",
        button=_("Yes, erase them in Talon.One"),
    ),
)


class TalonOneCustomerAdminMixin(AnyModelAdmin):
    """Adds "Send profiles to Talon.One" and "Erase in Talon.One (GDPR)" to a customer admin.

    Each needs its permission: ``django_talonone.sync_profiles`` and
    ``django_talonone.erase_customer_data``. Listing the actions in ``actions`` yourself
    works too (the mixin then adds nothing twice).
    """

    talonone_actions = (send_profiles_to_talonone, erase_in_talonone)

    def has_talonone_sync_profiles_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("django_talonone.sync_profiles")

    def has_talonone_erase_customer_data_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("django_talonone.erase_customer_data")

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions: dict[str, Any] = super().get_actions(request)
        if self.actions is None or IS_POPUP_VAR in request.GET:
            return actions
        for func in self.talonone_actions:
            name = func.__name__
            required = getattr(func, "allowed_permissions", ())
            allowed = all(getattr(self, f"has_{p}_permission")(request) for p in required)
            if name not in actions and allowed:
                actions[name] = (func, name, getattr(func, "short_description", name))
        return actions
