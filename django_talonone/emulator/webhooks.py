"""Webhooks a rule triggers (Talon.One's ``triggerWebhook`` effect).

The campaigns file lists the Application's webhooks (``webhooks: [{id, name, payload}]``)
and a rule's ``{"type": "triggerWebhook", "webhookId": ...}`` effect names one. When the
rule fires the reply carries ``triggerWebhook`` (``{webhookId, webhookName}``, today's
props) and the webhook's payload, filled in, is queued for the notification targets
(with no ``NotificationType``: the shop files it as a triggered webhook). By default only
a closing session triggers it (``onClose``); with ``"onClose": false`` every evaluation
the rule passes does, as in Talon.One when the rule has no condition on the session's
state. Dry runs show the effect and send nothing.

A payload is a JSON object whose strings may hold placeholders, ``${name}`` with a name
of :data:`PLACEHOLDERS`: a string that is only a placeholder becomes the value itself
(``"${total}"`` stays a number), elsewhere the value's text is put in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .confread import no_unknown, read_bool, read_int, read_mapping, read_required, read_str
from .money import ZERO, line_total

if TYPE_CHECKING:  # the campaigns file (which the state loads) reads webhooks here too
    from .state import EmulatorState

PLACEHOLDERS = (
    "webhookId",
    "webhookName",
    "campaignId",
    "ruleName",
    "profileId",
    "sessionId",
    "sessionState",
    "total",
    "now",
)
_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")
#: The payload of a webhook the file gives none.
DEFAULT_PAYLOAD = {
    "webhook": "${webhookName}",
    "profileId": "${profileId}",
    "sessionId": "${sessionId}",
}


def _check_template(value: Any, where: str) -> None:
    if isinstance(value, str):
        for name in _PLACEHOLDER.findall(value):
            if name not in PLACEHOLDERS:
                raise ValueError(
                    f"{where}: unknown placeholder ${{{name}}} (one of {', '.join(PLACEHOLDERS)})"
                )
    elif isinstance(value, Mapping):
        for key, item in value.items():
            _check_template(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_template(item, f"{where}[{index}]")


def webhooks(raw: Any) -> list[dict[str, Any]]:
    """``webhooks``: the Application's webhooks, each with its payload template."""
    if not isinstance(raw, list):
        raise ValueError("webhooks: must be a list")
    found: list[dict[str, Any]] = []
    for index, entry in enumerate(raw):
        where = f"webhooks[{index}]"
        data = read_mapping(entry, where)
        no_unknown(data, where, {"id", "name", "payload"})
        payload = dict(read_mapping(data.get("payload", DEFAULT_PAYLOAD), f"{where}.payload"))
        _check_template(payload, f"{where}.payload")
        for key in ("NotificationType", "notificationType"):
            if key in payload:
                # The shop (and the targets' kinds) would take it for a notification.
                raise ValueError(f"{where}.payload.{key}: a webhook's payload names no kind")
        found.append(
            {
                "id": read_int(read_required(data, "id", where), f"{where}.id", minimum=1),
                "name": read_str(read_required(data, "name", where), f"{where}.name"),
                "payload": payload,
            }
        )
    ids = [hook["id"] for hook in found]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"webhooks: duplicate id {duplicates[0]!r}")
    return found


def effect(data: Mapping[str, Any], where: str) -> dict[str, Any]:
    """A rule's ``triggerWebhook`` effect."""
    no_unknown(data, where, {"type", "webhookId", "onClose"})
    return {
        "type": "triggerWebhook",
        "webhookId": read_int(read_required(data, "webhookId", where), f"{where}.webhookId"),
        "onClose": read_bool(data.get("onClose", True), f"{where}.onClose"),
    }


def check_references(config: Mapping[str, Any]) -> None:
    """Every ``triggerWebhook`` names a webhook of the file."""
    known = {hook["id"] for hook in config["webhooks"]}
    for c_index, campaign in enumerate(config["campaigns"]):
        for r_index, rule in enumerate(campaign["rules"]):
            for e_index, spec in enumerate(rule["effects"]):
                if spec["type"] == "triggerWebhook" and spec["webhookId"] not in known:
                    where = f"campaigns[{c_index}].rules[{r_index}].effects[{e_index}]"
                    raise ValueError(f"{where}.webhookId: no webhook {spec['webhookId']}")


def _webhook(state: EmulatorState, webhook_id: int) -> dict[str, Any]:
    found: dict[str, Any] = next(h for h in state.config["webhooks"] if h["id"] == webhook_id)
    return found


def props(state: EmulatorState, spec: Mapping[str, Any], closing: bool) -> list[dict[str, Any]]:
    """The ``triggerWebhook`` props a firing rule gives (none before the close when the
    webhook waits for it)."""
    if spec["onClose"] and not closing:
        return []
    hook = _webhook(state, spec["webhookId"])
    return [{"webhookId": hook["id"], "webhookName": hook["name"]}]


def _fill(template: Any, values: Mapping[str, Any]) -> Any:
    if isinstance(template, str):
        whole = _PLACEHOLDER.fullmatch(template)
        if whole is not None:
            return values[whole.group(1)]
        return _PLACEHOLDER.sub(lambda found: str(values[found.group(1)]), template)
    if isinstance(template, Mapping):
        return {key: _fill(item, values) for key, item in template.items()}
    if isinstance(template, list):
        return [_fill(item, values) for item in template]
    return template


def announce(
    state: EmulatorState, session: Mapping[str, Any], effects: list[dict[str, Any]]
) -> None:
    """Queue the payload of each ``triggerWebhook`` among ``effects``, filled in."""
    total: Decimal = sum((line_total(item) for item in session["cartItems"]), ZERO)
    for fired in effects:
        if fired["effectType"] != "triggerWebhook":
            continue
        hook = _webhook(state, fired["props"]["webhookId"])
        values = {
            "webhookId": hook["id"],
            "webhookName": hook["name"],
            "campaignId": fired["campaignId"],
            "ruleName": fired["ruleName"],
            "profileId": session["profileId"],
            "sessionId": session["integrationId"],
            "sessionState": session["state"],
            "total": total,
            "now": state.now_text(),
        }
        state.announce(_fill(hook["payload"], values))
