"""Celery tasks of the bulk operations (started by ``services.*.start_*``).

Arguments are row ids, a shop model's primary keys, profile ids or a model label, never
payloads or keys. Each task re-reads its rows and does only what is still to do, so a
duplicate or redelivered message changes nothing more (``acks_late`` is safe). Each
returns the :class:`~django_talonone.services.bulk.BulkResult` as a dict.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task  # type: ignore[import-untyped]

from django_talonone.services import audiences, bulk_profiles, referrals, reservations


@shared_task(name="talonone.sync_audiences", acks_late=True)  # type: ignore[untyped-decorator]
def sync_audiences_task(audience_ids: list[int]) -> dict[str, Any]:
    """Create or rename the audiences in Talon.One, then queue their pending members."""
    return audiences.sync_audiences(audience_ids).to_dict()


@shared_task(name="talonone.delete_audiences", acks_late=True)  # type: ignore[untyped-decorator]
def delete_audiences_task(audience_ids: list[int]) -> dict[str, Any]:
    """Delete the audiences in Talon.One, then here."""
    return audiences.delete_audiences(audience_ids).to_dict()


@shared_task(name="talonone.sync_reservations", acks_late=True)  # type: ignore[untyped-decorator]
def sync_reservations_task(reservation_ids: list[int]) -> dict[str, Any]:
    """Queue the pending reservations and releases of these rows."""
    return reservations.sync_reservations(reservation_ids).to_dict()


@shared_task(name="talonone.sync_profiles", acks_late=True)  # type: ignore[untyped-decorator]
def sync_profiles_task(model_label: str, pks: list[Any]) -> dict[str, Any]:
    """Queue the profiles of these customers, 1000 per UpdateCustomerProfilesV2."""
    return bulk_profiles.sync_profiles(model_label, pks).to_dict()


@shared_task(name="talonone.erase_customers", acks_late=True)  # type: ignore[untyped-decorator]
def erase_customers_task(profile_ids: list[str]) -> dict[str, Any]:
    """Queue DeleteCustomerData (GDPR) for each profile, on its own lane."""
    return bulk_profiles.erase_customers(profile_ids).to_dict()


@shared_task(  # type: ignore[untyped-decorator]
    name="talonone.create_referral_codes", acks_late=True
)
def create_referral_codes_task(referral_code_ids: list[int]) -> dict[str, Any]:
    """Create the referral codes of these rows still without one."""
    return referrals.create_referral_codes(referral_code_ids).to_dict()
