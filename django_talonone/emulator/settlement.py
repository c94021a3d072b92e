"""What a session's reward effects do to the state when it closes, is cancelled or returns.

- **Close**: spendings are taken from the ledger first (so a session never spends the
  points it earns), then earnings recorded; announced giveaways get their code
  (``willAwardGiveaway`` becomes ``awardGiveaway``), achievement progress is kept and
  the coupons of ``couponCreated`` are created (:mod:`.coupon_effects`).
- **Cancel** (a closed or partially returned session): every earning still in force is
  taken back (``rollbackAddedLoyaltyPoints``), every spending given back
  (``rollbackDeductedLoyaltyPoints``), progress undone; giveaways stay awarded.
- **Return**: the points the returned items earned are taken back, by the same rule as
  the discounts (see :mod:`.returns`); spent points stay spent, as a return is not a
  cancel.

Each ledger transaction, and each tier it moves, queues its loyalty notification
(:mod:`.notices`). Each rollback is recorded in ``session["rolledBack"]`` (effect index
-> amount) in the same step that changes the ledger, and a cancel or return retried with
the same request is answered without running again, so no rollback is ever applied (or
announced) twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from . import achievements, coupon_effects, giveaways, loyalty, notices
from .effects import derived_effect, transaction_uuid
from .money import to_decimal
from .shapes import coupon_view
from .state import EmulatorState

#: The ``Reason`` of the points notifications a cancel and a return send.
CANCEL_REASON = "Session cancelled"
RETURN_REASON = "Items returned"
#: Effects that stop being in force when their session is cancelled.
CANCELLED_REWARDS = (
    "addLoyaltyPoints",
    "deductLoyaltyPoints",
    "changeLoyaltyTierLevel",
    "increaseAchievementProgress",
)


def settle_close(state: EmulatorState, session: dict[str, Any]) -> list[str]:
    """Apply a closing session's reward effects (in place in ``session["effects"]``);
    returns the codes of the coupons it created."""
    profile_id: str = session["profileId"]
    effects: list[dict[str, Any]] = session["effects"]
    session_id: str = session["integrationId"]
    tiers = notices.tiers(state, profile_id)
    for effect in effects:
        if effect["effectType"] == "deductLoyaltyPoints":
            loyalty.spend(state, profile_id, effect["props"], session_id)
            _announce(state, session, effect["props"], added=False)
    for index, effect in enumerate(effects):
        kind = effect["effectType"]
        if kind == "addLoyaltyPoints":
            loyalty.earn(state, profile_id, effect["props"], session_id)
            _announce(state, session, effect["props"], added=True)
        elif kind == "willAwardGiveaway":
            effects[index] = giveaways.award(state, effect, session)
        elif kind == "increaseAchievementProgress":
            achievements.record_progress(state, profile_id, effect)
    notices.tier_changes(state, profile_id, tiers)
    return _create_coupons(state, effects)


def _announce(
    state: EmulatorState, session: Mapping[str, Any], props: Mapping[str, Any], *, added: bool
) -> None:
    """Queue the points notification of one earning or spending of a closing session."""
    notices.points_changed(
        state,
        added=added,
        profile_id=session["profileId"],
        props=props,
        amount=to_decimal(props["value"]),
        reason=props["name"],
        session_id=session["integrationId"],
    )


def _create_coupons(state: EmulatorState, effects: list[dict[str, Any]]) -> list[str]:
    """Create each ``couponCreated`` coupon from its rule's ``createCoupon`` (the n-th
    effect of a rule from its n-th spec); queue ``CouponCreated`` for each."""
    codes: list[str] = []
    taken: dict[tuple[int, int], int] = {}
    for effect in effects:
        if effect["effectType"] != "couponCreated":
            continue
        rule = (effect["campaignId"], effect["ruleIndex"])
        specs = coupon_effects.specs_for(state, effect)
        position = taken.get(rule, 0)
        taken[rule] = position + 1
        if position < len(specs):
            coupon_effects.create(state, effect, specs[position])
            codes.append(effect["props"]["value"])
            state.announce(coupon_effects.coupon_created_body(state, coupon_view(state, codes[-1])))
    return codes


def _rollback_uuid(session: Mapping[str, Any], effect: Mapping[str, Any]) -> str:
    return transaction_uuid(effect["props"]["transactionUUID"], "rollback", session["updateCount"])


def take_back_points(
    state: EmulatorState, session: dict[str, Any], index: int, points: Decimal, reason: str
) -> dict[str, Any]:
    """Roll back ``points`` of the earning effect at ``index``; the rollback effect.

    The tier this may lower is the caller's to announce (one notification per request).
    """
    effect = session["effects"][index]
    props = effect["props"]
    loyalty.take_back_earned(
        state, session["profileId"], int(props["programId"]), props["transactionUUID"], points
    )
    session["rolledBack"][str(index)] = to_decimal(session["rolledBack"].get(str(index))) + points
    rollback: dict[str, Any] = {
        "programId": props["programId"],
        "subLedgerId": props["subLedgerId"],
        "value": points,
        "recipientIntegrationId": props["recipientIntegrationId"],
        "transactionUUID": _rollback_uuid(session, effect),
    }
    for key in ("cartItemPosition", "cartItemSubPosition"):
        if key in props:
            rollback[key] = props[key]
    notices.points_changed(
        state,
        added=False,
        profile_id=session["profileId"],
        props=rollback,
        amount=points,
        reason=reason,
        session_id=session["integrationId"],
    )
    return derived_effect(effect, "rollbackAddedLoyaltyPoints", rollback)


def rollback_cancel(state: EmulatorState, session: dict[str, Any]) -> list[dict[str, Any]]:
    """Cancel a closed session's rewards; the rollback effects, each applied once."""
    rollbacks = []
    profile_id: str = session["profileId"]
    rolled: dict[str, Any] = session["rolledBack"]
    tiers = notices.tiers(state, profile_id)
    for index, effect in enumerate(session["effects"]):
        kind, props, key = effect["effectType"], effect["props"], str(index)
        if kind == "addLoyaltyPoints":
            left = to_decimal(props["value"]) - to_decimal(rolled.get(key))
            if left > 0:
                rollbacks.append(take_back_points(state, session, index, left, CANCEL_REASON))
        elif kind == "deductLoyaltyPoints" and key not in rolled:
            program_id = int(props["programId"])
            loyalty.give_back_spent(state, profile_id, program_id, props["transactionUUID"])
            rolled[key] = to_decimal(props["value"])
            rollback = {
                "programId": program_id,
                "subLedgerId": props["subLedgerId"],
                "value": props["value"],
                "recipientIntegrationId": profile_id,
                "transactionUUID": _rollback_uuid(session, effect),
            }
            rollbacks.append(derived_effect(effect, "rollbackDeductedLoyaltyPoints", rollback))
            notices.points_changed(
                state,
                added=True,
                profile_id=profile_id,
                props=rollback,
                amount=to_decimal(props["value"]),
                reason=CANCEL_REASON,
                session_id=session["integrationId"],
            )
        elif kind == "increaseAchievementProgress" and key not in rolled:
            rolled[key] = to_decimal(props["delta"])
            undone = achievements.roll_back(state, profile_id, effect)
            if undone is not None:
                rollbacks.append(undone)
    notices.tier_changes(state, profile_id, tiers)
    return rollbacks
