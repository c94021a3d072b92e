"""Achievements: a profile's progress towards a campaign's targets.

Progress moves when a session carrying ``increaseAchievementProgress`` closes; the effect
is evaluated on every update, so a shop sees the progress a checkout would make. An
achievement is one-time (``no_recurrence``) and starts with the customer's first
progress (``user_action``): progress stops at the target, and a completed achievement
makes no more. A cancel takes the session's progress back
(``rollbackIncreasedAchievementProgress``) unless it completed the achievement, which
Talon.One only allows when the campaign says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .effects import derived_effect
from .money import ZERO, to_decimal
from .state import EmulatorState


def find_definition(
    state: EmulatorState, achievement_id: int
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """``(campaign, achievement)`` for an id, ``None`` once a new config dropped it."""
    for campaign in state.campaigns:
        for achievement in campaign["achievements"]:
            if achievement["id"] == achievement_id:
                return campaign, achievement
    return None


def definition(state: EmulatorState, achievement_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(campaign, achievement)`` for an id the rules name (checked when the config loaded)."""
    found = find_definition(state, achievement_id)
    if found is None:
        raise KeyError(achievement_id)
    return found


def progress(state: EmulatorState, profile_id: str, achievement_id: int) -> Decimal:
    """The profile's recorded progress (0 before the first)."""
    record = state.data["achievements"].get(profile_id, {}).get(str(achievement_id))
    return ZERO if record is None else to_decimal(record["progress"])


def record_progress(state: EmulatorState, profile_id: str, effect: dict[str, Any]) -> None:
    """Close: add the effect's delta and give the effect its progress tracker id."""
    props = effect["props"]
    mine: dict[str, dict[str, Any]] = state.data["achievements"].setdefault(profile_id, {})
    record = mine.get(str(props["achievementId"]))
    if record is None:
        record = {
            "progress": ZERO,
            "startDate": state.now_text(),
            "trackerId": state.next_id("achievementProgress"),
        }
        mine[str(props["achievementId"])] = record
    record["progress"] = to_decimal(record["progress"]) + to_decimal(props["delta"])
    if record["progress"] >= to_decimal(props["target"]):
        record["completionDate"] = state.now_text()
    props["progressTrackerId"] = record["trackerId"]
    props["value"] = record["progress"]


def roll_back(
    state: EmulatorState, profile_id: str, effect: Mapping[str, Any]
) -> dict[str, Any] | None:
    """Cancel: take the effect's progress back (not from a completed achievement)."""
    props = effect["props"]
    record = state.data["achievements"].get(profile_id, {}).get(str(props["achievementId"]))
    if record is None or record.get("completionDate"):
        return None
    delta = to_decimal(props["delta"])
    record["progress"] = to_decimal(record["progress"]) - delta
    return derived_effect(
        effect,
        "rollbackIncreasedAchievementProgress",
        {
            "achievementId": props["achievementId"],
            "achievementName": props["achievementName"],
            "progressTrackerId": record["trackerId"],
            "decreaseProgressBy": delta,
            "currentProgress": record["progress"],
            "target": props["target"],
        },
    )


def profile_achievements(state: EmulatorState, profile_id: str) -> list[dict[str, Any]]:
    """Inventory ``achievements``: progress plus definition for each one started.

    Progress on an achievement the campaigns file no longer has is kept but not shown.
    """
    views = []
    for key, record in state.data["achievements"].get(profile_id, {}).items():
        found = find_definition(state, int(key))
        if found is None:
            continue
        campaign, spec = found
        view: dict[str, Any] = {
            "achievementId": spec["id"],
            "name": spec["name"],
            "title": spec["title"],
            "description": spec["description"],
            "campaignId": campaign["id"],
            "target": spec["target"],
            "achievementRecurrencePolicy": "no_recurrence",
            "achievementActivationPolicy": "user_action",
            "status": "completed" if record.get("completionDate") else "inprogress",
            "progress": record["progress"],
            "startDate": record["startDate"],
        }
        if record.get("completionDate"):
            view["completionDate"] = record["completionDate"]
        views.append(view)
    return views
