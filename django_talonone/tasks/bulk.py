"""Celery tasks of the bulk operations (started by ``services.*.start_*``).

Arguments are row ids, a shop model's primary keys, profile ids or a model label, never
payloads or keys. Each task re-reads its rows and does only what is still to do, so a
duplicate or redelivered message changes nothing more (``acks_late`` is safe). Each
returns the :class:`~django_talonone.services.bulk.BulkResult` as a dict. The audience
tasks make direct calls, so they retry the ids that failed transiently themselves; the
other tasks' calls go through the outbox, which retries them.
"""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task  # type: ignore[import-untyped]

from django_talonone.conf import get_settings
from django_talonone.outbox.runner import backoff_delay
from django_talonone.services import audiences, bulk_profiles, referrals, reservations
from django_talonone.services.bulk import BulkResult


def _retry_transient(task: Task, result: BulkResult) -> dict[str, Any]:
    """Retry the ids whose direct call failed transiently, with the outbox's backoff.

    Only those ids travel in the retry; eager runs never retry (they would not wait).
    """
    config = get_settings()
    retries = int(task.request.retries or 0)
    if result.retryable and not task.request.is_eager and retries < config.outbox_max_attempts:
        raise task.retry(
            args=(list(result.retryable),),
            countdown=backoff_delay(retries + 1, config),
            max_retries=config.outbox_max_attempts,
        )
    return result.to_dict()


@shared_task(  # type: ignore[untyped-decorator]
    name="talonone.sync_audiences", bind=True, acks_late=True
)
def sync_audiences_task(self: Task, audience_ids: list[int]) -> dict[str, Any]:
    """Create or rename the audiences in Talon.One, then queue their pending members."""
    return _retry_transient(self, audiences.sync_audiences(audience_ids))


@shared_task(  # type: ignore[untyped-decorator]
    name="talonone.delete_audiences", bind=True, acks_late=True
)
def delete_audiences_task(self: Task, audience_ids: list[int]) -> dict[str, Any]:
    """Delete the audiences in Talon.One, then here."""
    return _retry_transient(self, audiences.delete_audiences(audience_ids))


@shared_task(name="talonone.sync_reservations", acks_late=True)  # type: ignore[untyped-decorator]
def sync_reservations_task(reservation_ids: list[int]) -> dict[str, Any]:
    """Queue the pending reservations and releases of these rows."""
    return reservations.sync_reservations(reservation_ids).to_dict()


@shared_task(name="talonone.sync_profiles", acks_late=True)  # type: ignore[untyped-decorator]
def sync_profiles_task(
    model_label: str, pks: list[Any], application: str | None = None
) -> dict[str, Any]:
    """Queue the profiles of these customers, 1000 per UpdateCustomerProfilesV2, to
    ``application`` (``None``: each customer's Applications)."""
    return bulk_profiles.sync_profiles(model_label, pks, application).to_dict()


@shared_task(name="talonone.erase_customers", acks_late=True)  # type: ignore[untyped-decorator]
def erase_customers_task(profile_ids: list[str]) -> dict[str, Any]:
    """Queue DeleteCustomerData (GDPR) for each profile, on its own lane, through every
    Application."""
    return bulk_profiles.erase_customers(profile_ids).to_dict()


@shared_task(  # type: ignore[untyped-decorator]
    name="talonone.create_referral_codes", acks_late=True
)
def create_referral_codes_task(referral_code_ids: list[int]) -> dict[str, Any]:
    """Create the referral codes of these rows still without one."""
    return referrals.create_referral_codes(referral_code_ids).to_dict()
