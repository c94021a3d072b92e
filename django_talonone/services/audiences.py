"""Audiences and their members, kept in sync with Talon.One.

Creating, renaming and deleting an audience are direct calls (CreateAudienceV2 returns
the id every later call needs); membership changes go through the outbox on the
audience's lane, in batches of at most 1000, so none is lost and they arrive in order.
Each row mirrors its state: ``pending`` (to send), ``synced``, ``failed`` (with
``last_error``) or ``deleting``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from django.db import router, transaction
from django.db.models import Q
from django.utils import timezone

from django_talonone.adapters import InvalidPayload
from django_talonone.client import TalonOneError
from django_talonone.conf import get_settings
from django_talonone.models import (
    Audience,
    AudienceMembership,
    Delivery,
    DeliveryStatus,
    Operation,
    SyncState,
)
from django_talonone.outbox.lanes import audience_lane
from django_talonone.outbox.store import enqueue, supersede

from .bulk import (
    BATCH_LIMIT,
    UNDELIVERED,
    BulkResult,
    check_ids,
    check_text,
    check_text_ids,
    describe,
    each_chunk,
    existing,
    is_not_found,
    retire_dead,
    start,
    start_deleting,
    want_profiles,
)
from .clients import get_client

__all__ = [
    "add_members",
    "clear_members",
    "create_audience",
    "delete_audiences",
    "push_memberships",
    "remove_members",
    "set_member_attributes",
    "start_audience_deletion",
    "start_audience_sync",
    "sync_audience",
    "sync_audiences",
]

logger = logging.getLogger("django_talonone.services")

#: Membership states and the change each one asks Talon.One for.
_ACTIONS = {SyncState.PENDING: "add", SyncState.FAILED: "add", SyncState.DELETING: "delete"}


def _using() -> str:
    return router.db_for_write(Audience)


def start_audience_sync(audience_ids: Sequence[int]) -> int:
    """Create (or rename) the audiences in Talon.One, then push their pending members.

    Queued as the Celery task ``talonone.sync_audiences`` after the caller commits (inline
    without Celery). Returns how many audiences were queued.
    """
    found = existing(Audience.objects.all(), check_ids(audience_ids, "audience_ids"))
    start("sync_audiences_task", sync_audiences, found)
    return len(found)


def create_audience(
    name: str, *, integration_id: str = "", application: str | None = None
) -> Audience:
    """A new audience, created in Talon.One once the caller commits (``start_audience_sync``),
    in ``application`` (default: the default Application), which it keeps.

    ``integration_id`` (optional) is the shop's own key for it; an audience already using
    it is refused with :class:`InvalidPayload`, before anything is written.
    """
    name = check_text(name.strip() if isinstance(name, str) else name, "name", limit=255)
    application = get_settings().for_application(application).application
    if integration_id:
        integration_id = check_text(integration_id, "integration_id")
        taken = Audience.objects.filter(
            application=application, integration="", integration_id=integration_id
        )
        if taken.exists():
            raise InvalidPayload(
                "integration_id", f"{integration_id!r} is the integration id of another audience"
            )
    with transaction.atomic(using=_using()):
        audience = Audience.objects.create(
            name=name, integration_id=integration_id, application=application
        )
        start("sync_audiences_task", sync_audiences, [audience.pk])
    return audience


def start_audience_deletion(audience_ids: Sequence[int]) -> int:
    """Delete the audiences in Talon.One and here (task ``talonone.delete_audiences``).

    The rows turn ``deleting`` at once, so the admin shows what is on its way out.
    """
    ids = check_ids(audience_ids, "audience_ids")
    return start_deleting(Audience.objects.all(), ids, "delete_audiences_task", delete_audiences)


def _mark(audience: Audience, state: str, error: str = "") -> None:
    audience.sync_state = state
    audience.last_error = error
    fields = ["sync_state", "last_error", "updated_at"]
    if state == SyncState.SYNCED:
        audience.synced_at = timezone.now()
        fields.append("synced_at")
    audience.save(update_fields=fields)


def _failure(audience: Audience, error: TalonOneError) -> str:
    message = describe(error)
    if getattr(error, "status_code", None) == 409:
        message += (
            f" (Talon.One already has an audience with integration id "
            f"{audience.integration_id!r}: set this audience's Talon.One id to it, or change "
            "the integration id)"
        )
    elif is_not_found(error) and audience.talonone_id is not None:
        message += (
            f" (Talon.One has no audience {audience.talonone_id}; was it deleted there? "
            "Clear its Talon.One id to create it again)"
        )
    return message


def _store_created(audience: Audience, remote_id: int) -> None:
    """Keep the new Talon.One id, unless a concurrent sync stored one first: then the
    twin just created is deleted again, so Talon.One is not left with two."""
    stored = Audience.objects.filter(pk=audience.pk, talonone_id__isnull=True).update(
        talonone_id=remote_id, updated_at=timezone.now()
    )
    if not stored:
        try:
            get_client("delivery", audience.application).delete_audience_v2(remote_id)
        except TalonOneError as error:
            logger.warning("Could not delete duplicate audience %s: %s", remote_id, error)
    audience.refresh_from_db(fields=["talonone_id"])


def sync_audience(audience: Audience) -> int:
    """Create or rename ``audience`` now, then queue its pending members; returns how
    many membership changes were queued. Raises ``TalonOneError`` after mirroring it."""
    if not audience.name:
        raise InvalidPayload("name", f"audience {audience.pk} needs a name for Talon.One")
    client = get_client("delivery", audience.application)
    try:
        if audience.talonone_id is None:
            body: dict[str, Any] = {"name": audience.name}
            if audience.integration:
                body["integration"] = audience.integration
            if audience.integration_id:
                body["integrationId"] = audience.integration_id
            _store_created(audience, int(client.create_audience_v2(body)["id"]))
        else:
            client.update_audience_v2(audience.talonone_id, {"name": audience.name})
    except TalonOneError as error:
        _mark(audience, SyncState.FAILED, _failure(audience, error))
        raise
    with transaction.atomic(using=_using()):
        _mark(audience, SyncState.SYNCED)
        return push_memberships(audience)


def _audiences(audience_ids: Iterable[int]) -> Iterator[Audience]:
    for rows in each_chunk(Audience.objects.order_by("pk"), "pk", list(audience_ids)):
        yield from rows


def sync_audiences(audience_ids: Iterable[int]) -> BulkResult:
    """Sync each audience (what the task runs); one's failure does not stop the rest."""
    result = BulkResult()
    for audience in _audiences(audience_ids):
        if audience.sync_state == SyncState.DELETING:
            result.skipped += 1  # on its way out: syncing would undo the deletion
            continue
        try:
            result.queued += sync_audience(audience)
        except TalonOneError as error:
            # A 409 on creation means "exists already": retrying cannot change that.
            conflict = getattr(error, "status_code", None) == 409
            result.fail(audience.pk, audience.last_error, None if conflict else error)
        else:
            result.done += 1
    return result


def delete_audiences(audience_ids: Iterable[int]) -> BulkResult:
    """Delete each audience in Talon.One (a 404 means already gone), then here."""
    result = BulkResult()
    for audience in _audiences(audience_ids):
        if audience.talonone_id is not None:
            try:
                client = get_client("delivery", audience.application)
                client.delete_audience_v2(audience.talonone_id)
            except TalonOneError as error:
                if not is_not_found(error):
                    _mark(audience, SyncState.DELETING, describe(error))
                    result.fail(audience.pk, audience.last_error, error)
                    continue
            # Membership changes still queued would only fail against a deleted audience.
            supersede(
                Delivery.objects.filter(
                    lane=audience_lane(audience.talonone_id, audience.application),
                    status=DeliveryStatus.PENDING,
                )
            )
        audience.delete()
        result.done += 1
    return result


def push_memberships(audience: Audience, profile_ids: Iterable[str] | None = None) -> int:
    """Queue the membership changes of ``audience`` the outbox does not hold yet.

    Pending and failed members are added, ``deleting`` ones removed, in batches of at
    most 1000 (Talon.One's limit). Dead batches of this audience are superseded first:
    their members are exactly the failed/deleting ones queued again here. Needs the
    audience to exist in Talon.One; returns how many changes were queued.
    """
    if audience.talonone_id is None:
        return 0
    lane = audience_lane(audience.talonone_id, audience.application)
    rows = AudienceMembership.objects.filter(audience=audience, sync_state__in=list(_ACTIONS))
    on_its_way = Q()
    for wanted_state, wanted_action in _ACTIONS.items():
        on_its_way |= Q(sync_state=wanted_state, queued_action=wanted_action)
    rows = rows.exclude(on_its_way & Q(queued_in__status__in=UNDELIVERED))
    parts = [rows] if profile_ids is None else each_chunk(rows, "profile_id", list(profile_ids))
    with transaction.atomic(using=_using()):
        retire_dead(lane, Operation.UPDATE_AUDIENCES)
        batch: list[tuple[int, str, str]] = []
        count = 0
        for part in parts:  # streamed: memory stays one batch, whatever the audience's size
            members = part.order_by("pk").values_list("pk", "profile_id", "sync_state")
            for pk, profile_id, state in members.iterator(chunk_size=BATCH_LIMIT):
                batch.append((pk, profile_id, _ACTIONS[SyncState(state)]))
                if len(batch) == BATCH_LIMIT:
                    count += _queue_batch(audience, lane, batch)
                    batch = []
        if batch:
            count += _queue_batch(audience, lane, batch)
    return count


def _queue_batch(audience: Audience, lane: str, batch: list[tuple[int, str, str]]) -> int:
    """Queue one UpdateAudiencesV2 call and mark its members as carried by it."""
    data = [
        {"action": action, "profileIntegrationId": profile_id, "audienceId": audience.talonone_id}
        for _, profile_id, action in batch
    ]
    row = enqueue(
        Operation.UPDATE_AUDIENCES,
        lane=lane,
        body={"data": data},
        application=audience.application,
    )
    by_action: dict[str, list[int]] = {}
    for pk, _, action in batch:
        by_action.setdefault(action, []).append(pk)
    for action, pks in by_action.items():
        AudienceMembership.objects.filter(pk__in=pks).update(queued_in=row, queued_action=action)
    return len(batch)


def add_members(audience: Audience, profile_ids: Iterable[str]) -> int:
    """Make the profiles members of ``audience``; returns how many were not members yet.

    Written in the caller's transaction and sent through the outbox. An audience not yet
    created in Talon.One is synced (created, then its members sent) after the commit.
    """
    wanted = check_text_ids(profile_ids, "profile_ids")
    members = AudienceMembership.objects.filter(audience=audience)
    with transaction.atomic(using=_using()):
        added = want_profiles(
            members,
            wanted,
            lambda profile_id: AudienceMembership(audience=audience, profile_id=profile_id),
        )
        if audience.talonone_id is None:
            start("sync_audiences_task", sync_audiences, [audience.pk])
        else:
            push_memberships(audience, wanted)
    return added


def remove_members(audience: Audience, profile_ids: Iterable[str]) -> int:
    """Take the profiles out of ``audience``; returns how many were members.

    Rows turn ``deleting`` until Talon.One confirmed; members never sent (the audience
    is not in Talon.One yet) are simply forgotten.
    """
    unwanted = check_text_ids(profile_ids, "profile_ids")
    members = AudienceMembership.objects.filter(audience=audience)
    changed = 0
    with transaction.atomic(using=_using()):
        for rows in each_chunk(members, "profile_id", unwanted):
            if audience.talonone_id is None:
                changed += rows.delete()[0]
            else:
                changed += rows.exclude(sync_state=SyncState.DELETING).update(
                    sync_state=SyncState.DELETING, updated_at=timezone.now()
                )
        push_memberships(audience, unwanted)
    return changed


def _require_remote(audience: Audience) -> int:
    if audience.talonone_id is None:
        raise InvalidPayload(
            "audience", f"{audience} is not in Talon.One yet: sync it first (start_audience_sync)"
        )
    return audience.talonone_id


def clear_members(audience: Audience) -> int:
    """Remove every member now (DeleteAudienceMembershipsV2); the audience stays.

    Returns how many local memberships were dropped. Raises ``TalonOneError``, with the
    audience marked failed, when Talon.One refuses.
    """
    remote = _require_remote(audience)
    try:
        get_client("delivery", audience.application).delete_audience_memberships_v2(remote)
    except TalonOneError as error:
        _mark(audience, SyncState.FAILED, _failure(audience, error))
        raise
    with transaction.atomic(using=_using()):
        supersede(
            Delivery.objects.filter(
                lane=audience_lane(remote, audience.application),
                operation=Operation.UPDATE_AUDIENCES,
                status=DeliveryStatus.PENDING,
            )
        )
        removed, _ = AudienceMembership.objects.filter(audience=audience).delete()
    return int(removed)


def set_member_attributes(audience: Audience, attributes: Mapping[str, Any]) -> None:
    """Set profile attributes on every member now (UpdateAudienceCustomersAttributes)."""
    if not isinstance(attributes, Mapping) or not attributes:
        raise InvalidPayload("attributes", "must be a non-empty mapping of attribute names")
    for key in attributes:
        if not isinstance(key, str) or not key:
            raise InvalidPayload("attributes", f"keys must be non-empty strings, got {key!r}")
    get_client("delivery", audience.application).update_audience_customers_attributes(
        _require_remote(audience), dict(attributes)
    )
