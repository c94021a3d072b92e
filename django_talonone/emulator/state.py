"""All the emulator's data in one object: the campaigns config plus what the API created.

Everything lives in plain JSON-able dicts (``Decimal`` for money) so the whole state can
be dumped, shipped over the control endpoint and restored with ``from_dict`` - and so a
dry run can work on a deep copy and simply throw it away.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from .campaigns import default_config, validate_config
from .clock import Clock, format_timestamp, parse_timestamp, system_clock

ENTITY_KINDS = ("session", "profile", "audience", "referral", "event", "return", "coupon")


def _empty_data() -> dict[str, Any]:
    return {
        "counters": dict.fromkeys(ENTITY_KINDS, 0),
        "sessions": {},
        "profiles": {},
        "audiences": {},
        "couponUsage": {},
        "campaignUsage": {},
        "referrals": {},
        "returns": {},
        "idempotency": {},
        "loyalty": {},
        "giveaways": {},
        "achievements": {},
        "createdCoupons": {},
    }


class EmulatorState:
    """The emulator's whole world; handlers read and change it under the shell's lock."""

    def __init__(
        self,
        config: Mapping[str, Any] | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.clock: Clock = clock or system_clock
        self.config: dict[str, Any] = default_config()
        self.configured_at = self.now_text()
        self._coupon_index: dict[str, tuple[dict[str, Any], dict[str, Any], int]] = {}
        self.configure(config if config is not None else self.config)
        self.data: dict[str, Any] = _empty_data()
        #: Notification bodies the last changes call for, sent by the shell once the
        #: handler returns (never part of ``data``: a dry run's twin drops its own).
        self.announced: list[dict[str, Any]] = []

    # -- lifecycle ------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget every profile, session, usage counter and key; keep the campaigns."""
        self.data = _empty_data()

    def configure(self, config: Mapping[str, Any]) -> None:
        """Replace campaigns and application settings (``ValueError`` names a bad field)."""
        validated = validate_config(config)
        index: dict[str, tuple[dict[str, Any], dict[str, Any], int]] = {}
        coupon_id = 0
        for campaign in validated["campaigns"]:
            for coupon in campaign["coupons"]:
                coupon_id += 1
                index[coupon["code"]] = (campaign, coupon, coupon_id)
        self.config = validated
        self._coupon_index = index
        self.configured_at = self.now_text()

    def to_dict(self) -> dict[str, Any]:
        """The whole state, config included, as JSON-able data."""
        return {
            "config": copy.deepcopy(self.config),
            "configuredAt": self.configured_at,
            "data": copy.deepcopy(self.data),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], clock: Clock | None = None) -> EmulatorState:
        """Rebuild a state saved by :meth:`to_dict`."""
        state = cls(data["config"], clock=clock)
        state.configured_at = str(data.get("configuredAt", state.configured_at))
        restored = _empty_data()
        restored.update(copy.deepcopy(dict(data.get("data", {}))))
        state.data = restored
        return state

    def scratch_copy(self) -> EmulatorState:
        """A throw-away twin for dry runs: same config and clock, deep-copied data."""
        twin = EmulatorState.__new__(EmulatorState)
        twin.clock = self.clock
        twin.config = self.config
        twin.configured_at = self.configured_at
        twin._coupon_index = self._coupon_index
        twin.data = copy.deepcopy(self.data)
        twin.announced = []
        return twin

    # -- helpers shared by the handlers ---------------------------------------------------

    def announce(self, body: dict[str, Any]) -> None:
        """Queue a notification for the shell to send after the change is done."""
        self.announced.append(body)

    def take_announced(self) -> list[dict[str, Any]]:
        """The queued notifications, oldest first; the queue is emptied."""
        taken, self.announced = self.announced, []
        return taken

    def now(self) -> datetime:
        return self.clock()

    def now_text(self) -> str:
        return format_timestamp(self.clock())

    def next_id(self, kind: str) -> int:
        """The next integer id for ``kind``; ids increase per entity type."""
        counters: dict[str, int] = self.data["counters"]
        counters[kind] = counters.get(kind, 0) + 1
        return counters[kind]

    @property
    def application(self) -> dict[str, Any]:
        app: dict[str, Any] = self.config["application"]
        return app

    @property
    def campaigns(self) -> list[dict[str, Any]]:
        campaigns: list[dict[str, Any]] = self.config["campaigns"]
        return campaigns

    def campaign(self, campaign_id: int) -> dict[str, Any] | None:
        return next((c for c in self.campaigns if c["id"] == campaign_id), None)

    def coupon(self, code: str) -> tuple[dict[str, Any], dict[str, Any], int] | None:
        """``(campaign, coupon, coupon_id)`` for a configured code or one a rule created
        (while its campaign is in the file), else ``None``."""
        found = self._coupon_index.get(code)
        if found is not None:
            return found
        created = self.data["createdCoupons"].get(code)
        campaign = self.campaign(created["campaignId"]) if created is not None else None
        if created is None or campaign is None:
            return None
        return campaign, created["coupon"], created["id"]

    def campaign_running(self, campaign: Mapping[str, Any]) -> bool:
        """Enabled and inside its start/end window by the state clock."""
        if campaign["state"] != "enabled":
            return False
        now = self.now()
        start, end = campaign.get("startTime"), campaign.get("endTime")
        if start is not None and now < parse_timestamp(start):
            return False
        return not (end is not None and now >= parse_timestamp(end))
