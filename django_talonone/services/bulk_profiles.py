"""Customer profiles in bulk: sync many (UpdateCustomerProfilesV2), erase many (GDPR).

A bulk sync builds each profile with the shop's registered ``CustomerAdapter`` and
queues one outbox row per 1000 profiles on the customer model's bulk lane, so batches
go out one at a time and in order. An erasure queues DeleteCustomerData on each profile's
own lane, behind that profile's earlier updates, and first takes the profile out of
bulk batches still waiting, so no queued batch writes its data back after the erasure.

Per Application: a sync sends each profile to the Application named, or (by default) to
the Applications the customer exists in (routed, or holding one of their sessions), one
batch row per Application on that Application's bulk lane; an erasure goes through every
configured Application (see ``profiles.forget_customer``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models, router, transaction
from django.utils import timezone

from django_talonone.adapters import CustomerAdapter, InvalidPayload
from django_talonone.applications import DEFAULT_APPLICATION, application_for
from django_talonone.conf import get_settings
from django_talonone.models import CustomerSession, Delivery, DeliveryStatus, Operation
from django_talonone.outbox.lanes import MAX_LANE_LENGTH, profile_lane
from django_talonone.outbox.payload import decode_payload, encode_payload
from django_talonone.outbox.store import enqueue, supersede
from django_talonone.registry import customer_adapter_for

from .bulk import BATCH_LIMIT, UNDELIVERED, BulkResult, check_text_ids, chunks, start, unique
from .profiles import forget_customer

__all__ = [
    "BULK_LANE_PREFIX",
    "bulk_profile_lane",
    "customer_model",
    "erase_customers",
    "start_customer_erasure",
    "start_profile_sync",
    "sync_profiles",
]

BULK_LANE_PREFIX = "profiles:"


def bulk_profile_lane(model_label: str, application: str | None = None) -> str:
    """Lane of one customer model's bulk profile batches in one Application
    (``profiles:auth.user``, ``profiles@gbp:auth.user``)."""
    named = application not in (None, DEFAULT_APPLICATION)
    lane = f"profiles@{application}:{model_label}" if named else f"{BULK_LANE_PREFIX}{model_label}"
    if len(lane) > MAX_LANE_LENGTH:
        raise ValueError(f"model label {model_label!r} is too long for a lane")
    return lane


def customer_model(model_label: str) -> tuple[type[models.Model], CustomerAdapter]:
    """The registered customer model named ``app_label.ModelName``, and its adapter."""
    try:
        model = apps.get_model(model_label)
    except (LookupError, ValueError):
        raise ImproperlyConfigured(
            f"{model_label!r} is not an installed model: give 'app_label.ModelName', "
            "e.g. 'auth.User'"
        ) from None
    return model, customer_adapter_for(model())


def _pks(model: type[models.Model], pks: Iterable[Any]) -> list[Any]:
    if isinstance(pks, (str, bytes)):
        raise InvalidPayload("pks", "must be a list of primary keys, not a string")
    field = model._meta.pk
    assert field is not None
    try:
        return unique(field.to_python(pk) for pk in pks)
    except ValidationError as error:
        problem = f"holds a value that is not a {model.__name__} key: {error}"
        raise InvalidPayload("pks", problem) from None


def _task_safe(pk: Any) -> Any:
    """Celery messages are JSON: ints stay ints, other keys (UUIDs...) travel as text."""
    return pk if isinstance(pk, int) and not isinstance(pk, bool) else str(pk)


def start_profile_sync(model_label: str, pks: Sequence[Any], application: str | None = None) -> int:
    """Send the profiles of these customers (task ``talonone.sync_profiles``) to
    ``application``, or (``None``) to each customer's Applications.

    ``model_label`` names the shop's customer model registered with
    ``register_customer`` (``"auth.User"``). Returns how many customers were queued.
    """
    if application is not None:
        application = get_settings().for_application(application).application
    model, _ = customer_model(model_label)
    wanted = _pks(model, pks)
    found: list[Any] = []
    for chunk in chunks(wanted, BATCH_LIMIT):
        found += model._default_manager.filter(pk__in=chunk).values_list("pk", flat=True)
    ids = [_task_safe(pk) for pk in found]
    # The message names an Application only when one was asked for: older workers still
    # read a message without it during a rolling deploy.
    after = [application] if application is not None else []
    start("sync_profiles_task", sync_profiles, ids, model_label, after=after)
    return len(found)


def _shopped_in(profile_ids: Iterable[str]) -> dict[str, set[str]]:
    """The Applications holding sessions of these profiles (one query)."""
    found: dict[str, set[str]] = {}
    rows = CustomerSession.objects.filter(profile_id__in=list(profile_ids))
    for profile_id, application in rows.values_list("profile_id", "application").distinct():
        found.setdefault(profile_id, set()).add(application)
    return found


def sync_profiles(
    model_label: str, pks: Sequence[Any], application: str | None = None
) -> BulkResult:
    """Build and queue the customers' profiles, at most 1000 per UpdateCustomerProfilesV2,
    one batch per Application: ``application``, or (``None``) each customer's.

    A customer whose data the adapter rejects is reported in the result (and the log),
    the others still go; deleted customers are skipped.
    """
    config = get_settings()
    if application is not None:
        application = config.for_application(application).application
    model, adapter = customer_model(model_label)
    result = BulkResult()
    for chunk in chunks(_pks(model, pks), BATCH_LIMIT):
        built: dict[str, tuple[Any, dict[str, Any]]] = {}
        customers = list(model._default_manager.filter(pk__in=chunk).order_by("pk"))
        result.skipped += len(chunk) - len(customers)  # deleted since they were queued
        for customer in customers:
            try:
                profile_id, body = adapter.build_profile(customer)
            except InvalidPayload as error:
                result.fail(customer.pk, str(error))
                continue
            built[profile_id] = (customer, {"integrationId": profile_id, **body})
        shopped = _shopped_in(built) if application is None and len(config.applications) > 1 else {}
        batches: dict[str, list[dict[str, Any]]] = {name: [] for name in config.applications}
        for profile_id, (customer, profile) in built.items():
            if application is not None:
                targets = {application}
            else:
                routed = application_for(customer, "customer", adapter)
                targets = shopped.get(profile_id, set()) | {routed}
            for name in targets:
                batches[name].append(profile)
        for name, profiles in batches.items():
            if profiles:
                enqueue(
                    Operation.UPDATE_PROFILES,
                    lane=bulk_profile_lane(model._meta.label_lower, name),
                    body={"customerProfiles": profiles},
                    application=name,
                )
        result.queued += len(built)
        result.done += len(built)
    return result


def start_customer_erasure(profile_ids: Sequence[str]) -> int:
    """Erase these profiles' data in Talon.One (task ``talonone.erase_customers``).

    Cannot be undone. Each erasure waits on its profile's lane behind queued updates.
    Returns how many profiles were queued.
    """
    wanted = check_text_ids(profile_ids, "profile_ids")
    start("erase_customers_task", erase_customers, wanted)
    return len(wanted)


def _withdraw_from_bulk(profile_ids: set[str]) -> int:
    """Take the profiles out of bulk batches not yet sent; returns how many rows changed."""
    changed = 0
    waiting = Delivery.objects.filter(
        operation=Operation.UPDATE_PROFILES,
        status=DeliveryStatus.PENDING,
        lane__startswith="profiles",  # every Application's bulk lanes
    )
    for row in waiting:
        args, body, query = decode_payload(row.payload)
        profiles = body.get("customerProfiles") if isinstance(body, Mapping) else None
        if not isinstance(profiles, list):
            continue
        kept = [p for p in profiles if str(p.get("integrationId")) not in profile_ids]
        if len(kept) == len(profiles):
            continue
        claimable = Delivery.objects.filter(
            pk=row.pk, status=DeliveryStatus.PENDING, attempts=row.attempts
        )
        if kept:
            payload = encode_payload(args, {**body, "customerProfiles": kept}, query)
            changed += claimable.update(payload=payload, updated_at=timezone.now())
        else:
            changed += supersede(claimable)
    return changed


def erase_customers(profile_ids: Sequence[str]) -> BulkResult:
    """Queue DeleteCustomerData for each profile (what the task runs); idempotent.

    A profile whose erasure is already queued is skipped. Dead rows of the profile's lane
    are superseded: they would block the erasure, and an erased profile needs none of them.
    """
    wanted = check_text_ids(profile_ids, "profile_ids")
    result = BulkResult()
    applications = list(get_settings().applications)
    with transaction.atomic(using=router.db_for_write(Delivery)):
        _withdraw_from_bulk(set(wanted))
        for profile_id in wanted:
            queued = 0
            for application in applications:
                rows = Delivery.objects.filter(lane=profile_lane(profile_id, application))
                undelivered = rows.filter(
                    operation=Operation.DELETE_CUSTOMER, status__in=UNDELIVERED
                )
                if undelivered.exists():
                    continue
                supersede(rows.filter(status=DeliveryStatus.DEAD))
                forget_customer(profile_id, application=application)
                queued += 1
            if not queued:
                result.skipped += 1
                continue
            result.done += 1
            result.queued += 1
    return result
