"""Audience memberships and coupon reservations name the outbox row carrying their change.

Rows still waiting in the outbox when this runs are linked to the mirrors they carry, so
a change queued before the upgrade is neither sent twice nor left unrecorded.
"""

from __future__ import annotations

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

WAITING = ("pending", "in_flight")


def link_waiting_rows(apps: Any, schema_editor: Any) -> None:
    using = schema_editor.connection.alias
    Delivery = apps.get_model("django_talonone", "Delivery")
    Membership = apps.get_model("django_talonone", "AudienceMembership")
    Reservation = apps.get_model("django_talonone", "CouponReservation")
    waiting = Delivery.objects.using(using).filter(status__in=WAITING).order_by("id")
    for row in waiting.filter(operation="update_customer_profile_audiences").iterator(
        chunk_size=100
    ):
        for change in (row.payload.get("body") or {}).get("data") or []:
            Membership.objects.using(using).filter(
                audience__talonone_id=change.get("audienceId"),
                profile_id=change.get("profileIntegrationId"),
            ).update(queued_in=row.pk, queued_action=change.get("action") or "")
    operations = ("create_coupon_reservation", "delete_coupon_reservation")
    for row in waiting.filter(operation__in=operations).iterator(chunk_size=100):
        args = row.payload.get("args") or []
        profiles = (row.payload.get("body") or {}).get("integrationIDs") or []
        if args:
            Reservation.objects.using(using).filter(
                coupon_code=str(args[0]), profile_id__in=profiles
            ).update(queued_in=row.pk, queued_action=row.operation)


class Migration(migrations.Migration):
    dependencies = [
        ("django_talonone", "0011_payload_as_wire_json"),
    ]

    operations = [
        migrations.AddField(
            model_name="audiencemembership",
            name="queued_action",
            field=models.CharField(blank=True, max_length=64, verbose_name="queued change"),
        ),
        migrations.AddField(
            model_name="audiencemembership",
            name="queued_in",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="django_talonone.delivery",
                verbose_name="queued in",
            ),
        ),
        migrations.AddField(
            model_name="couponreservation",
            name="queued_action",
            field=models.CharField(blank=True, max_length=64, verbose_name="queued change"),
        ),
        migrations.AddField(
            model_name="couponreservation",
            name="queued_in",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="django_talonone.delivery",
                verbose_name="queued in",
            ),
        ),
        migrations.RunPython(link_waiting_rows, migrations.RunPython.noop, elidable=True),
    ]
