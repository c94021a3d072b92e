"""Referral codes: one per advocate and campaign, created once and reused after.

CreateReferral makes a new code on every call, so the app asks once and keeps the code in
a :class:`~django_talonone.models.ReferralCode` row; later calls read the row. Many
advocates at once go through CreateReferralsForMultipleAdvocates (at most 1000 per call)
from a Celery task that only needs row ids: the request's options live on the rows.

Neither call can be safely repeated once maybe applied (a lost reply means the codes may
exist in Talon.One unseen), so they are direct calls that are never retried blindly: the
rows turn ``failed`` with the reason, and a re-run asks again for those rows only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from django.db import router, transaction
from django.utils import timezone

from django_talonone.adapters import MAX_CODE_LENGTH, InvalidPayload
from django_talonone.client import TalonOneError
from django_talonone.conf import get_settings
from django_talonone.json_values import wire_copy
from django_talonone.models import ReferralCode, SyncState
from django_talonone.outbox.payload import check_wire_json

from .bulk import (
    BATCH_LIMIT,
    BulkResult,
    check_ids,
    check_text,
    check_text_ids,
    chunks,
    describe,
    each_chunk,
    existing,
    start,
)
from .clients import get_client

__all__ = [
    "MAX_USAGE_LIMIT",
    "create_referral_codes",
    "referral_code_for",
    "request_referral_codes",
    "start_referral_code_creation",
    "start_referral_codes",
]

MAX_USAGE_LIMIT = 999_999
_LOST_REPLY = (
    " (the reply was lost, so Talon.One may have created codes this app never saw; "
    "a re-run asks for new ones)"
)


def _using() -> str:
    return router.db_for_write(ReferralCode)


def _options(
    campaign_id: int,
    usage_limit: int,
    start_date: datetime | None,
    expiry_date: datetime | None,
    attributes: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """The row fields every request shares, validated before anything is written."""
    if isinstance(campaign_id, bool) or not isinstance(campaign_id, int) or campaign_id < 1:
        raise InvalidPayload("campaign_id", f"must be a positive integer, got {campaign_id!r}")
    if isinstance(usage_limit, bool) or not isinstance(usage_limit, int):
        raise InvalidPayload("usage_limit", f"must be an integer, got {usage_limit!r}")
    if not 0 <= usage_limit <= MAX_USAGE_LIMIT:
        raise InvalidPayload("usage_limit", f"must be 0 (unlimited) to {MAX_USAGE_LIMIT}")
    for name, value in (("start_date", start_date), ("expiry_date", expiry_date)):
        if value is not None and (not isinstance(value, datetime) or value.tzinfo is None):
            raise InvalidPayload(name, f"must be a timezone-aware datetime, got {value!r}")
    if start_date and expiry_date and expiry_date <= start_date:
        raise InvalidPayload("expiry_date", "must be after start_date")
    if attributes is not None and not isinstance(attributes, Mapping):
        raise InvalidPayload("attributes", f"must be a mapping, got {type(attributes).__name__}")
    return {
        "campaign_id": campaign_id,
        "usage_limit": usage_limit,
        "start_date": start_date,
        "expiry_date": expiry_date,
        "attributes": _wire_attributes(attributes),
    }


def _wire_attributes(attributes: Mapping[str, Any] | None) -> dict[str, Any]:
    """The attributes as they will be stored and sent (numbers stay numbers)."""
    value = dict(attributes or {})
    try:
        check_wire_json(value, "attributes")
    except (TypeError, ValueError) as error:
        raise InvalidPayload("attributes", str(error)) from None
    stored: dict[str, Any] = wire_copy(value)
    return stored


def _body(row: ReferralCode) -> dict[str, Any]:
    body: dict[str, Any] = {"campaignId": row.campaign_id, "usageLimit": row.usage_limit}
    if row.start_date:
        body["startDate"] = row.start_date
    if row.expiry_date:
        body["expiryDate"] = row.expiry_date
    if row.attributes:
        body["attributes"] = dict(row.attributes)
    return body


def _store(row: ReferralCode, referral: Mapping[str, Any]) -> bool:
    """Keep ``referral`` on ``row`` unless a concurrent request stored one first.

    The advocate's cached wallet is dropped either way: Talon.One now lists the code.
    """
    from django_talonone.wallet import invalidate_wallet

    invalidate_wallet(row.advocate_profile_id)
    now = timezone.now()
    stored = ReferralCode.objects.filter(pk=row.pk, code="").update(
        code=str(referral["code"]),
        talonone_id=referral.get("id"),
        sync_state=SyncState.SYNCED,
        synced_at=now,
        last_error="",
        updated_at=now,
    )
    row.refresh_from_db()
    return bool(stored)


def _fail(rows: Iterable[ReferralCode], error: TalonOneError) -> str:
    message = describe(error)
    if not getattr(error, "status_code", None):
        message += _LOST_REPLY
    ReferralCode.objects.filter(pk__in=[row.pk for row in rows], code="").update(
        sync_state=SyncState.FAILED, last_error=message, updated_at=timezone.now()
    )
    return message


def referral_code_for(
    advocate_profile_id: str,
    campaign_id: int,
    *,
    friend_profile_id: str = "",
    usage_limit: int = 0,
    start_date: datetime | None = None,
    expiry_date: datetime | None = None,
    attributes: Mapping[str, Any] | None = None,
    strict: bool | None = None,
    application: str | None = None,
) -> ReferralCode:
    """The advocate's referral code in ``campaign_id`` of ``application`` (default: the
    default Application), created in Talon.One on first use.

    The options only apply when the code is created. When Talon.One cannot be reached the
    row comes back ``failed`` with an empty ``code`` (show the page without it; the next
    call tries again), unless ``strict`` (default: ``FAIL_MODE == "strict"``), which
    raises the ``TalonOneError`` instead. Two first calls racing may each create a code;
    the first stored wins and both callers get it.
    """
    advocate = check_text(advocate_profile_id, "advocate_profile_id")
    friend = check_text(friend_profile_id, "friend_profile_id") if friend_profile_id else ""
    options = _options(campaign_id, usage_limit, start_date, expiry_date, attributes)
    application = get_settings().for_application(application).application
    row, _ = ReferralCode.objects.get_or_create(
        application=application,
        campaign_id=campaign_id,
        advocate_profile_id=advocate,
        friend_profile_id=friend,
        defaults=options,
    )
    if row.code:
        return row
    body = {**_body(row), "advocateProfileIntegrationId": advocate}
    if friend:
        body["friendProfileIntegrationId"] = friend
    try:
        referral = get_client("delivery", application).create_referral(body)
    except TalonOneError as error:
        _fail([row], error)
        row.refresh_from_db()
        if strict if strict is not None else get_settings().fail_mode == "strict":
            raise
        return row
    _store(row, referral)
    return row


def request_referral_codes(
    campaign_id: int,
    advocate_profile_ids: Iterable[str],
    *,
    usage_limit: int = 0,
    start_date: datetime | None = None,
    expiry_date: datetime | None = None,
    attributes: Mapping[str, Any] | None = None,
    pattern: str = "",
    application: str | None = None,
) -> list[ReferralCode]:
    """Rows for the advocates' codes in ``campaign_id`` of ``application`` (existing ones
    reused, new ones ``pending``), for :func:`create_referral_codes` to fill in."""
    application = get_settings().for_application(application).application
    advocates = check_text_ids(advocate_profile_ids, "advocate_profile_ids")
    options = _options(campaign_id, usage_limit, start_date, expiry_date, attributes)
    if pattern and (not 3 <= len(pattern) <= MAX_CODE_LENGTH or "#" not in pattern):
        raise InvalidPayload(
            "pattern", f"must be 3-{MAX_CODE_LENGTH} characters with at least one #"
        )
    rows = ReferralCode.objects.filter(
        application=application, campaign_id=campaign_id, friend_profile_id=""
    )
    with transaction.atomic(using=_using()):
        known = set(existing(rows, advocates, "advocate_profile_id"))
        ReferralCode.objects.bulk_create(
            [
                ReferralCode(
                    application=application,
                    advocate_profile_id=advocate,
                    pattern=pattern,
                    **options,
                )
                for advocate in advocates
                if advocate not in known
            ],
            ignore_conflicts=True,
            batch_size=BATCH_LIMIT,
        )
        found = {
            row.advocate_profile_id: row
            for part in each_chunk(rows, "advocate_profile_id", advocates)
            for row in part
        }
    return [found[advocate] for advocate in advocates if advocate in found]


def start_referral_codes(
    campaign_id: int, advocate_profile_ids: Iterable[str], **options: Any
) -> int:
    """Request codes for many advocates and create the missing ones in the background
    (task ``talonone.create_referral_codes``); returns how many codes were queued."""
    rows = request_referral_codes(campaign_id, advocate_profile_ids, **options)
    missing = [row.pk for row in rows if not row.code]
    start("create_referral_codes_task", create_referral_codes, missing)
    return len(missing)


def start_referral_code_creation(referral_code_ids: Sequence[int]) -> int:
    """Create the codes of these rows still without one (task
    ``talonone.create_referral_codes``), e.g. to retry failed rows from the admin.
    Returns how many rows were queued."""
    ids = check_ids(referral_code_ids, "referral_code_ids")
    queued = existing(ReferralCode.objects.filter(code=""), ids)
    start("create_referral_codes_task", create_referral_codes, queued)
    return len(queued)


def _batch_key(row: ReferralCode) -> tuple[Any, ...]:
    return (
        row.application,
        row.campaign_id,
        row.usage_limit,
        row.start_date,
        row.expiry_date,
        row.pattern,
        sorted((row.attributes or {}).items(), key=lambda item: item[0]),
    )


def create_referral_codes(referral_code_ids: Sequence[int]) -> BulkResult:
    """Create the codes of the given rows still without one (what the task runs).

    Rows sharing their options go together, at most 1000 advocates per call; a batch
    Talon.One refuses leaves its rows ``failed`` with the reason.
    """
    ids = check_ids(referral_code_ids, "referral_code_ids")
    result = BulkResult()
    groups: dict[str, tuple[list[ReferralCode], dict[str, Any]]] = defaultdict(lambda: ([], {}))
    parts = each_chunk(ReferralCode.objects.order_by("pk"), "pk", ids)
    for row in (row for part in parts for row in part):
        if row.code:
            result.skipped += 1
        elif row.friend_profile_id:  # the bulk call has no friend: one call each
            referral_code_for(
                row.advocate_profile_id,
                row.campaign_id,
                friend_profile_id=row.friend_profile_id,
                strict=False,
                application=row.application,
            )
            row.refresh_from_db()
            if row.code:
                result.done += 1
            else:
                result.fail(row.pk, row.last_error)
        else:
            key = repr(_batch_key(row))
            groups[key][0].append(row)
            groups[key][1].update(_body(row))
    for grouped, shared in groups.values():
        client = get_client("delivery", grouped[0].application)
        for batch in chunks(grouped, BATCH_LIMIT):
            advocates = [row.advocate_profile_id for row in batch]
            body = {**shared, "advocateProfileIntegrationIds": advocates}
            if batch[0].pattern:
                body["referralPattern"] = batch[0].pattern
            try:
                reply = client.create_referrals_for_multiple_advocates(body, silent=False)
            except TalonOneError as error:
                message = _fail(batch, error)
                for row in batch:
                    result.fail(row.pk, message)
                continue
            data = reply.get("data") if reply else None
            created: list[Mapping[str, Any]] = list(data or [])
            by_advocate = {
                str(referral.get("advocateProfileIntegrationId")): referral for referral in created
            }
            for row in batch:
                referral = by_advocate.get(row.advocate_profile_id)
                if referral is not None and _store(row, referral):
                    result.done += 1
                elif row.code:
                    result.skipped += 1
                else:
                    message = "Talon.One's reply held no code for this advocate; re-run it"
                    ReferralCode.objects.filter(pk=row.pk, code="").update(
                        sync_state=SyncState.FAILED, last_error=message, updated_at=timezone.now()
                    )
                    result.fail(row.pk, message)
    return result
