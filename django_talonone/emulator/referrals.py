"""Referral codes: CreateReferral and CreateReferralsForMultipleAdvocates.

Codes are random-looking but deterministic: the generator is seeded from the referral
counter, so the same sequence of calls on a fresh state yields the same codes (tests
and demos can rely on them) while codes stay unique within the state.
"""

from __future__ import annotations

import random
import string
from collections.abc import Mapping, Sequence
from typing import Any

from .errors import field_error
from .profiles import ensure_profile
from .routing import Request, Response
from .shapes import referral_view
from .state import EmulatorState

DEFAULT_PATTERN = "####-####"
DEFAULT_CHARACTERS = tuple(string.ascii_uppercase + string.digits)
MAX_ATTEMPTS = 1000


def _referral_campaign(state: EmulatorState, campaign_id: int) -> None:
    campaign = state.campaign(campaign_id)
    if campaign is None:
        raise field_error(400, f"campaign {campaign_id} does not exist", pointer="/campaignId")
    if campaign["kind"] != "referral":
        raise field_error(
            400, f"campaign {campaign_id} is not a referral campaign", pointer="/campaignId"
        )


#: The shortest coupon or referral code today's response schemas allow.
MIN_CODE_LENGTH = 4


def _generate_code(state: EmulatorState, pattern: str, characters: Sequence[str], seed: int) -> str:
    """A code matching ``pattern`` (``#`` = random character) not used yet."""
    rng = random.Random(seed)
    existing = state.data["referrals"]
    for _ in range(MAX_ATTEMPTS):
        code = "".join(rng.choice(characters) if ch == "#" else ch for ch in pattern)
        if code not in existing:
            return code
    raise field_error(
        400, f"no unused code left for pattern {pattern!r}", pointer="/referralPattern"
    )


def _create(
    state: EmulatorState,
    body: Mapping[str, Any],
    advocate: str,
    pattern: str,
    characters: Sequence[str],
) -> dict[str, Any]:
    ensure_profile(state, advocate)
    referral_id = state.next_id("referral")
    referral: dict[str, Any] = {
        "id": referral_id,
        "created": state.now_text(),
        "campaignId": body["campaignId"],
        "advocateProfileIntegrationId": advocate,
        "code": _generate_code(state, pattern, characters, referral_id),
        "usageCounter": 0,
        "usageLimit": body.get("usageLimit", 0),
    }
    for key in ("friendProfileIntegrationId", "startDate", "expiryDate", "attributes"):
        if body.get(key) is not None:
            referral[key] = body[key]
    state.data["referrals"][referral["code"]] = dict(referral, referredCustomers=[])
    return referral


def create_referral(state: EmulatorState, request: Request) -> Response:
    """201 with one new referral code for the advocate."""
    body = request.body
    _referral_campaign(state, body["campaignId"])
    advocate = body["advocateProfileIntegrationId"]
    referral = _create(state, body, advocate, DEFAULT_PATTERN, DEFAULT_CHARACTERS)
    return Response(201, referral_view(referral))


def create_referrals_for_multiple_advocates(state: EmulatorState, request: Request) -> Response:
    """One code per advocate, all or none; ``silent`` (default yes) answers 204.

    The batch is built on a scratch copy and kept only once every advocate has a code, so
    a pattern that runs out midway is a 400 that leaves no codes or profiles behind (a
    caller fixing the pattern and re-sending would otherwise get duplicates).
    """
    body = request.body
    _referral_campaign(state, body["campaignId"])
    pattern = body.get("referralPattern") or DEFAULT_PATTERN
    characters = body.get("validCharacters") or DEFAULT_CHARACTERS
    if "#" not in pattern:
        raise field_error(
            400, "referralPattern needs at least one # placeholder", pointer="/referralPattern"
        )
    if len(pattern) < MIN_CODE_LENGTH:
        # Accepted by the request schema, but its codes would be shorter than any code
        # Talon.One's replies may hold.
        raise field_error(
            400,
            f"referralPattern makes codes of {len(pattern)} characters; at least "
            f"{MIN_CODE_LENGTH} are needed",
            pointer="/referralPattern",
        )
    work = state.scratch_copy()
    created = [
        referral_view(_create(work, body, advocate, pattern, characters))
        for advocate in dict.fromkeys(body["advocateProfileIntegrationIds"])
    ]
    state.data = work.data
    if request.query.get("silent", "yes") != "no":
        return Response(204)
    return Response(201, {"totalResultSize": len(created), "data": created})
