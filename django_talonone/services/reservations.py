"""Coupon reservations, kept in sync with Talon.One through the outbox.

A reservation puts a coupon in a profile's wallet (and, for coupons that require one,
lets that profile redeem it). Creations and releases go through the outbox on the
coupon's lane, at most 1000 profiles per call, so none is lost and a release never
overtakes the reservation before it. :func:`reconcile_reservations` brings the mirror
back in line with what Talon.One holds (GetReservedCustomers).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.db import router, transaction
from django.db.models import Q
from django.utils import timezone

from django_talonone.adapters import MAX_CODE_LENGTH
from django_talonone.conf import get_settings
from django_talonone.models import CouponReservation, Operation, SyncState
from django_talonone.outbox.lanes import coupon_lane
from django_talonone.outbox.store import enqueue

from .bulk import (
    BATCH_LIMIT,
    UNDELIVERED,
    BulkResult,
    check_ids,
    check_text,
    check_text_ids,
    chunks,
    each_chunk,
    existing,
    retire_dead,
    start,
    start_deleting,
    want_profiles,
)
from .clients import get_client

__all__ = [
    "ReconcileResult",
    "push_reservations",
    "reconcile_reservations",
    "release_coupon",
    "reserve_coupon",
    "start_reservation_release",
    "start_reservation_sync",
    "sync_reservations",
]

_CREATE = (SyncState.PENDING, SyncState.FAILED)


def _using() -> str:
    return router.db_for_write(CouponReservation)


def _code(coupon_code: str) -> str:
    return check_text(coupon_code, "coupon_code", MAX_CODE_LENGTH)


def start_reservation_sync(reservation_ids: Sequence[int]) -> int:
    """Send the reservations' pending changes: create pending (and failed) ones, release
    those ``deleting`` (task ``talonone.sync_reservations``). Returns how many were queued.
    """
    ids = check_ids(reservation_ids, "reservation_ids")
    found = existing(CouponReservation.objects.all(), ids)
    start("sync_reservations_task", sync_reservations, found)
    return len(found)


def start_reservation_release(reservation_ids: Sequence[int]) -> int:
    """Release the reservations in Talon.One: the rows turn ``deleting`` now and are
    dropped once Talon.One confirmed. Returns how many were queued."""
    ids = check_ids(reservation_ids, "reservation_ids")
    rows = CouponReservation.objects.all()
    return start_deleting(rows, ids, "sync_reservations_task", sync_reservations)


def sync_reservations(reservation_ids: Iterable[int]) -> BulkResult:
    """Queue what the given rows still need, coupon by coupon and Application by
    Application (what the task runs)."""
    by_code: dict[tuple[str, str], list[str]] = defaultdict(list)
    result = BulkResult()
    ordered = CouponReservation.objects.order_by("pk")
    for rows in each_chunk(ordered, "pk", list(reservation_ids)):
        fields = ("application", "coupon_code", "profile_id", "sync_state")
        for application, code, profile_id, state in rows.values_list(*fields):
            if state == SyncState.SYNCED:
                result.skipped += 1
            else:
                by_code[application, code].append(profile_id)
    for (application, code), profile_ids in by_code.items():
        result.queued += push_reservations(code, profile_ids, application=application)
        result.done += len(profile_ids)
    return result


def _application(application: str | None) -> str:
    """A configured Application's name (``None``: the default); unknown ones are refused."""
    return get_settings().for_application(application).application


def push_reservations(
    coupon_code: str, profile_ids: Iterable[str] | None = None, *, application: str | None = None
) -> int:
    """Queue the reservation changes of ``coupon_code`` (a code of ``application``'s
    campaigns: default, the default Application) the outbox does not hold yet.

    Pending and failed rows are reserved, ``deleting`` ones released, in batches of at
    most 1000. Dead rows of this coupon are superseded first (their profiles are exactly
    the failed/deleting ones queued again). Returns how many profiles were queued.
    """
    code = _code(coupon_code)
    application = _application(application)
    lane = coupon_lane(code, application)
    rows = CouponReservation.objects.filter(application=application, coupon_code=code).exclude(
        sync_state=SyncState.SYNCED
    )
    on_its_way = Q(sync_state__in=_CREATE, queued_action=Operation.CREATE_RESERVATION) | Q(
        sync_state=SyncState.DELETING, queued_action=Operation.DELETE_RESERVATION
    )
    rows = rows.exclude(on_its_way & Q(queued_in__status__in=UNDELIVERED))
    parts = [rows] if profile_ids is None else each_chunk(rows, "profile_id", list(profile_ids))
    with transaction.atomic(using=_using()):
        for operation in (Operation.CREATE_RESERVATION, Operation.DELETE_RESERVATION):
            retire_dead(lane, operation)
        wanted: dict[Operation, list[tuple[int, str]]] = {
            Operation.CREATE_RESERVATION: [],
            Operation.DELETE_RESERVATION: [],
        }
        for part in parts:
            for pk, profile_id, state in part.order_by("pk").values_list(
                "pk", "profile_id", "sync_state"
            ):
                operation = (
                    Operation.CREATE_RESERVATION
                    if state in _CREATE
                    else Operation.DELETE_RESERVATION
                )
                wanted[operation].append((pk, profile_id))
        for operation, profiles in wanted.items():
            for batch in chunks(profiles, BATCH_LIMIT):
                body = {"integrationIDs": [profile_id for _, profile_id in batch]}
                row = enqueue(operation, lane=lane, args=[code], body=body, application=application)
                CouponReservation.objects.filter(pk__in=[pk for pk, _ in batch]).update(
                    queued_in=row, queued_action=operation
                )
    return sum(len(profiles) for profiles in wanted.values())


def reserve_coupon(
    coupon_code: str, profile_ids: Iterable[str], *, application: str | None = None
) -> int:
    """Reserve ``coupon_code`` of ``application`` (default: the default Application) for
    the profiles (in the caller's transaction, through the outbox); returns how many did
    not hold a reservation yet."""
    code = _code(coupon_code)
    application = _application(application)
    wanted = check_text_ids(profile_ids, "profile_ids")
    held = CouponReservation.objects.filter(application=application, coupon_code=code)
    with transaction.atomic(using=_using()):
        added = want_profiles(
            held,
            wanted,
            lambda profile_id: CouponReservation(
                application=application, coupon_code=code, profile_id=profile_id
            ),
        )
        push_reservations(code, wanted, application=application)
    return added


def release_coupon(
    coupon_code: str, profile_ids: Iterable[str], *, application: str | None = None
) -> int:
    """Release the profiles' reservations of ``coupon_code`` (of ``application``); returns
    how many held one."""
    code = _code(coupon_code)
    application = _application(application)
    unwanted = check_text_ids(profile_ids, "profile_ids")
    held = CouponReservation.objects.filter(application=application, coupon_code=code).exclude(
        sync_state=SyncState.DELETING
    )
    with transaction.atomic(using=_using()):
        changed = sum(
            rows.update(sync_state=SyncState.DELETING, updated_at=timezone.now())
            for rows in each_chunk(held, "profile_id", unwanted)
        )
        push_reservations(code, unwanted, application=application)
    return changed


@dataclass
class ReconcileResult:
    """How :func:`reconcile_reservations` changed the mirror (or would, in a dry run)."""

    coupon_code: str
    added: list[str] = field(default_factory=list)  # held in Talon.One, unknown here
    confirmed: list[str] = field(default_factory=list)  # failed here, held in Talon.One
    removed: list[str] = field(default_factory=list)  # synced here, gone from Talon.One

    def __str__(self) -> str:
        return (
            f"{self.coupon_code}: {len(self.added)} added, {len(self.confirmed)} confirmed, "
            f"{len(self.removed)} removed"
        )


def reconcile_reservations(
    coupon_code: str, *, dry_run: bool = False, application: str | None = None
) -> ReconcileResult:
    """Make the mirror of ``coupon_code`` match Talon.One's GetReservedCustomers.

    Talon.One wins for settled rows: reservations made elsewhere (the Campaign Manager,
    another system) are added as synced, synced rows it no longer holds are dropped, and
    failed rows it does hold turn synced. Rows still on their way (pending, deleting) are
    left to the outbox. Raises ``TalonOneError`` if the call fails.
    """
    code = _code(coupon_code)
    application = _application(application)
    reply = get_client("delivery", application).get_reserved_customers(code)
    remote = {
        str(profile["integrationId"])
        for profile in reply.get("data") or []
        if isinstance(profile, Mapping) and profile.get("integrationId")
    }
    mirror = CouponReservation.objects.filter(application=application, coupon_code=code)
    local = dict(mirror.values_list("profile_id", "sync_state"))
    result = ReconcileResult(code)
    result.added = sorted(remote - set(local))
    result.confirmed = sorted(p for p in remote & set(local) if local[p] == SyncState.FAILED)
    synced = {p for p, state in local.items() if state == SyncState.SYNCED}
    result.removed = sorted(synced - remote)
    if dry_run:
        return result
    now = timezone.now()
    with transaction.atomic(using=_using()):
        CouponReservation.objects.bulk_create(
            [
                CouponReservation(
                    application=application,
                    coupon_code=code,
                    profile_id=p,
                    sync_state=SyncState.SYNCED,
                    synced_at=now,
                )
                for p in result.added
            ],
            ignore_conflicts=True,
            batch_size=BATCH_LIMIT,
        )
        rows = mirror
        failed = rows.filter(sync_state=SyncState.FAILED)
        for part in each_chunk(failed, "profile_id", result.confirmed):
            part.update(sync_state=SyncState.SYNCED, synced_at=now, last_error="", updated_at=now)
        settled = rows.filter(sync_state=SyncState.SYNCED)
        for part in each_chunk(settled, "profile_id", result.removed):
            part.delete()
    return result
