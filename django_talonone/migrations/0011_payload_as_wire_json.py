"""Queued calls are stored as the wire JSON: Decimals become JSON numbers in the row.

Rows written before this kept each Decimal as a string and listed its JSON pointer under
``"decimals"``; they are rewritten here, in batches, so every row reads back the same way.
Referral-code attributes stored before were plain JSON (amounts as strings) and were sent
that way; they are left as they are.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import migrations, models

import django_talonone.json_values

BATCH = 500


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _to_numbers(payload: dict[str, Any]) -> dict[str, Any]:
    for pointer in payload.pop("decimals", None) or ():
        tokens = [_unescape(token) for token in pointer.split("/")[1:]]
        parent: Any = payload
        for token in tokens[:-1]:
            parent = parent[int(token)] if isinstance(parent, list) else parent[token]
        last: Any = int(tokens[-1]) if isinstance(parent, list) else tokens[-1]
        parent[last] = Decimal(parent[last])
    return payload


def _to_strings(value: Any, pointer: str, found: list[str]) -> Any:
    if isinstance(value, Decimal):
        found.append(pointer)
        return str(value)
    if isinstance(value, dict):
        return {k: _to_strings(v, f"{pointer}/{_escape(k)}", found) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_strings(v, f"{pointer}/{i}", found) for i, v in enumerate(value)]
    return value


def forwards(apps: Any, schema_editor: Any) -> None:
    Delivery = apps.get_model("django_talonone", "Delivery")
    rows = Delivery.objects.using(schema_editor.connection.alias).filter(
        payload__has_key="decimals"
    )
    for row in rows.only("id", "payload").iterator(chunk_size=BATCH):
        row.payload = _to_numbers(row.payload)
        row.save(update_fields=["payload"])


def backwards(apps: Any, schema_editor: Any) -> None:
    Delivery = apps.get_model("django_talonone", "Delivery")
    rows = Delivery.objects.using(schema_editor.connection.alias).only("id", "payload")
    for row in rows.iterator(chunk_size=BATCH):
        found: list[str] = []
        payload = {
            key: _to_strings(value, f"/{key}", found) if key in ("body", "query") else value
            for key, value in row.payload.items()
        }
        if found:
            payload["decimals"] = found
            row.payload = payload
            row.save(update_fields=["payload"])


class Migration(migrations.Migration):
    dependencies = [
        ("django_talonone", "0010_notification"),
    ]

    operations = [
        migrations.AlterField(
            model_name="delivery",
            name="payload",
            field=models.JSONField(
                decoder=django_talonone.json_values.WireJSONDecoder,
                encoder=django_talonone.json_values.WireJSONEncoder,
            ),
        ),
        migrations.AlterField(
            model_name="referralcode",
            name="attributes",
            field=models.JSONField(
                blank=True,
                decoder=django_talonone.json_values.WireJSONDecoder,
                default=dict,
                encoder=django_talonone.json_values.WireJSONEncoder,
            ),
        ),
        migrations.RunPython(forwards, backwards, elidable=True),
    ]
