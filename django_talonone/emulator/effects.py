"""Effects built from other effects, and the ids of the ledger transactions they carry.

Rollbacks (of a discount, a code, points, progress) copy the campaign, rule and coupon of
the effect they undo; transaction ids are derived, never random, so the same sequence of
calls on a fresh state gives the same ids (tests and demos can rely on them).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

_NAMESPACE = uuid.UUID("6f1c3d52-52f5-4c1e-9a57-2a4b0f3d7e11")


def derived_effect(
    effect: Mapping[str, Any], effect_type: str, props: dict[str, Any]
) -> dict[str, Any]:
    """An effect of ``effect_type`` from the same campaign, rule and coupon as ``effect``."""
    derived = {key: value for key, value in effect.items() if key not in ("effectType", "props")}
    derived["effectType"] = effect_type
    derived["props"] = props
    return derived


def transaction_uuid(*parts: object) -> str:
    """A stable UUID for a loyalty transaction named by ``parts``."""
    return str(uuid.uuid5(_NAMESPACE, "/".join(str(part) for part in parts)))
