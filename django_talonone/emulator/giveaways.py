"""Giveaway pools: codes handed out by ``awardGiveaway`` when a session closes.

Each configured code is a giveaway with a fixed id (its place among all pools' codes, in
file order, from 1). An open session only announces a giveaway (``willAwardGiveaway``,
which carries no code, so none leaks before it is certain); closing takes the pool's
next free code and turns the effect into ``awardGiveaway``. Awarded codes stay awarded:
a cancel, like Talon.One's, keeps them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .state import EmulatorState


def pool(state: EmulatorState, pool_id: int) -> dict[str, Any]:
    """The configured pool (references were checked when the config loaded)."""
    found: dict[str, Any] = next(p for p in state.config["giveawayPools"] if p["id"] == pool_id)
    return found


def _awarded(state: EmulatorState) -> dict[str, dict[str, Any]]:
    """Code -> the giveaway record of every code handed out so far."""
    awarded: dict[str, dict[str, Any]] = state.data["giveaways"]
    return awarded


def _first_id(state: EmulatorState, pool_id: int) -> int:
    first = 1
    for spec in state.config["giveawayPools"]:
        if spec["id"] == pool_id:
            return first
        first += len(spec["codes"])
    raise KeyError(pool_id)


def codes_left(state: EmulatorState, pool_id: int) -> int:
    """How many codes of the pool nobody was given yet."""
    awarded = _awarded(state)
    return sum(1 for code in pool(state, pool_id)["codes"] if code not in awarded)


def award(
    state: EmulatorState, effect: Mapping[str, Any], session: Mapping[str, Any]
) -> dict[str, Any]:
    """Close: give the announced giveaway's next free code; the ``awardGiveaway`` effect."""
    props = effect["props"]
    spec = pool(state, int(props["poolId"]))
    awarded = _awarded(state)
    first = _first_id(state, spec["id"])
    position, code = next((i, c) for i, c in enumerate(spec["codes"]) if c not in awarded)
    profile = state.data["profiles"][props["recipientIntegrationId"]]
    record = {
        "id": first + position,
        "created": state.now_text(),
        "code": code,
        "poolId": spec["id"],
        "profileId": profile["id"],
        "profileIntegrationId": profile["integrationId"],
        "sessionId": session["integrationId"],
    }
    awarded[code] = record
    award_props = {**props, "giveawayId": record["id"], "code": code}
    return {**effect, "effectType": "awardGiveaway", "props": award_props}


def giveaway_view(record: Mapping[str, Any]) -> dict[str, Any]:
    """The Giveaway object (the stored record minus the emulator's session link)."""
    return {key: value for key, value in record.items() if key != "sessionId"}


def profile_giveaways(state: EmulatorState, profile_id: str) -> list[dict[str, Any]]:
    """Inventory ``giveaways``: every giveaway the profile was awarded, oldest first."""
    return [
        giveaway_view(record)
        for record in _awarded(state).values()
        if record["profileIntegrationId"] == profile_id
    ]


def awarded_in(state: EmulatorState, effects: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """``awardedGiveaways``: the giveaways the ``awardGiveaway`` effects handed out."""
    awarded = _awarded(state)
    return [
        giveaway_view(awarded[effect["props"]["code"]])
        for effect in effects
        if effect["effectType"] == "awardGiveaway" and effect["props"]["code"] in awarded
    ]
