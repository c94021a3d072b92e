"""The outbox admin: read-only rows, retry of dead ones, deliver now, finished-only delete."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from django_talonone.models import Delivery, DeliveryStatus, Operation
from django_talonone.outbox import deliver_lane, enqueue, profile_lane
from django_talonone.testing import TalonOneHarness
from tests.admin.conftest import (
    action_names,
    checked,
    logged_in,
    messages_of,
    page,
    run_action,
    staff,
    url,
)

pytestmark = pytest.mark.django_db(transaction=True)

PROFILE = "updateCustomerProfileV2"
CHANGELIST = "delivery_changelist"


def profile_update(profile_id: str, **attributes: str) -> Delivery:
    """One UpdateCustomerProfileV2 through the outbox, committed (so it is delivered)."""
    with transaction.atomic():
        return enqueue(
            Operation.UPDATE_PROFILE,
            lane=profile_lane(profile_id),
            args=[profile_id],
            body={"attributes": attributes},
        )


def frozen(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


def dead_update(talonone: TalonOneHarness, profile_id: str) -> Delivery:
    """A profile update that met a 503 on every attempt, so the outbox parked it as dead.

    The clock jumps a day per attempt instead of waiting out the backoff.
    """
    talonone.fail(503, operations=[PROFILE])
    row = profile_update(profile_id, Name="Ann")
    later = timezone.now()
    while row.status != DeliveryStatus.DEAD:
        later += timedelta(days=1)
        deliver_lane(row.lane, clock=frozen(later))
        row.refresh_from_db()
    talonone.heal()
    return row


def test_changelist_filters_search_and_change_page_render(
    superuser_client: Client, talonone: TalonOneHarness
) -> None:
    done = profile_update("ann", Name="Ann")
    dead = dead_update(talonone, "bob")
    changelist = url(CHANGELIST)
    text = page(superuser_client, changelist, talonone)
    assert dead.lane in text
    assert done.lane in text
    filtered = page(superuser_client, f"{changelist}?status__exact=dead", talonone)
    assert dead.lane in filtered
    assert done.lane not in filtered
    by_operation = page(
        superuser_client, f"{changelist}?operation__exact=update_customer_profile_v2", talonone
    )
    assert dead.lane in by_operation
    searched = page(superuser_client, f"{changelist}?q={dead.idempotency_key}", talonone)
    assert dead.lane in searched
    assert done.lane not in searched
    year = timezone.now().year
    page(superuser_client, f"{changelist}?created_at__year={year}", talonone)

    change = page(superuser_client, url("delivery_change", dead.pk), talonone)
    assert '<pre class="talonone-json">' in change
    assert "&quot;Name&quot;: &quot;Ann&quot;" in change  # payload, indented JSON
    assert "503" in change
    assert dead.last_error.split(":")[0] in change
    assert 'name="_save"' not in change  # read-only: nothing to save

    reply = page(superuser_client, url("delivery_change", done.pk), talonone)
    assert "talonone-json" in reply


def test_no_add_and_delete_only_finished_rows(
    superuser_client: Client, talonone: TalonOneHarness
) -> None:
    done = profile_update("ann")
    dead = dead_update(talonone, "bob")
    page(superuser_client, url("delivery_add"), talonone, status=403)
    page(superuser_client, url("delivery_delete", dead.pk), talonone, status=403)
    page(superuser_client, url("delivery_delete", done.pk), talonone)
    response = superuser_client.post(url("delivery_delete", done.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not Delivery.objects.filter(pk=done.pk).exists()
    assert "delete_selected" not in action_names(superuser_client, url(CHANGELIST))


def test_delete_finished_action_confirms_and_keeps_rows_with_work(
    superuser_client: Client, talonone: TalonOneHarness
) -> None:
    done = profile_update("ann")
    dead = dead_update(talonone, "bob")
    changelist = url(CHANGELIST)
    pks = [done.pk, dead.pk]
    response = run_action(superuser_client, changelist, "delete_finished_deliveries", pks)
    text = checked(response, talonone)
    assert response.status_code == 200
    assert "Delete 1 done or superseded delivery?" in text
    assert "Not finished (pending, in flight or dead), so kept: 1 selected delivery." in text
    assert Delivery.objects.filter(pk=done.pk).exists()  # nothing deleted before confirming

    response = run_action(
        superuser_client, changelist, "delete_finished_deliveries", pks, confirm=True
    )
    assert response.status_code == 302
    assert not Delivery.objects.filter(pk=done.pk).exists()
    assert Delivery.objects.filter(pk=dead.pk).exists()
    assert messages_of(response) == ["Deleted 1 finished delivery."]


def test_retry_shows_confirmation_then_delivers(
    superuser_client: Client, talonone: TalonOneHarness
) -> None:
    dead = dead_update(talonone, "bob")
    done = profile_update("ann")
    changelist = url(CHANGELIST)
    response = run_action(superuser_client, changelist, "retry_dead_deliveries", [dead.pk, done.pk])
    text = checked(response, talonone)
    assert response.status_code == 200
    assert "Send 1 delivery to Talon.One again?" in text
    assert f"#{dead.pk} update customer profile [profile:bob] dead: 503" in text
    assert url("delivery_change", dead.pk) in text
    assert "Not dead, so left alone: 1 selected delivery." in text
    assert f'name="_selected_action" value="{dead.pk}"' in text
    assert f'name="_selected_action" value="{done.pk}"' not in text
    dead.refresh_from_db()
    assert dead.status == DeliveryStatus.DEAD  # nothing happens before confirming
    before = len(talonone.requests(PROFILE))

    response = run_action(
        superuser_client, changelist, "retry_dead_deliveries", [dead.pk], confirm=True
    )
    assert response.status_code == 302
    dead.refresh_from_db()
    assert dead.status == DeliveryStatus.DONE
    assert len(talonone.requests(PROFILE)) == before + 1
    assert talonone.inventory("bob", profile=True)["profile"]["attributes"]["Name"] == "Ann"
    assert messages_of(response) == [
        "1 dead delivery is queued again; its lane is being delivered."
    ]


def test_retry_across_every_filtered_row(
    superuser_client: Client, talonone: TalonOneHarness
) -> None:
    first = dead_update(talonone, "bob")
    dead_update(talonone, "cy")
    changelist = f"{url(CHANGELIST)}?status__exact=dead"
    before = len(talonone.requests(PROFILE))
    response = run_action(
        superuser_client, changelist, "retry_dead_deliveries", [first.pk], select_across=True
    )
    text = checked(response, talonone)
    assert "Send 2 deliveries to Talon.One again?" in text
    assert 'name="select_across" value="1"' in text

    response = run_action(
        superuser_client,
        changelist,
        "retry_dead_deliveries",
        [first.pk],
        select_across=True,
        confirm=True,
    )
    assert response.status_code == 302
    assert not Delivery.objects.filter(status=DeliveryStatus.DEAD).exists()
    assert len(talonone.requests(PROFILE)) == before + 2


def test_retry_with_nothing_dead_says_so(
    superuser_client: Client, talonone: TalonOneHarness
) -> None:
    done = profile_update("ann")
    response = run_action(superuser_client, url(CHANGELIST), "retry_dead_deliveries", [done.pk])
    assert response.status_code == 302
    assert messages_of(response) == [
        "None of the selected deliveries is dead: there is nothing to retry."
    ]


def test_deliver_now_skips_the_backoff(superuser_client: Client, talonone: TalonOneHarness) -> None:
    talonone.fail(503, operations=[PROFILE])
    waiting = profile_update("ann", Name="Ann")
    talonone.heal()
    waiting.refresh_from_db()
    assert waiting.status == DeliveryStatus.PENDING
    assert waiting.next_attempt_at > timezone.now() + timedelta(seconds=1)

    response = run_action(superuser_client, url(CHANGELIST), "deliver_now", [waiting.pk])
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == DeliveryStatus.DONE
    assert messages_of(response) == ["1 pending delivery is on its way now."]
    assert talonone.inventory("ann", profile=True)["profile"]["attributes"]["Name"] == "Ann"


def test_deliver_now_names_lanes_blocked_by_a_dead_row(
    superuser_client: Client, talonone: TalonOneHarness
) -> None:
    dead = dead_update(talonone, "bob")
    behind = profile_update("bob", Name="Bob")
    response = run_action(superuser_client, url(CHANGELIST), "deliver_now", [behind.pk, dead.pk])
    behind.refresh_from_db()
    assert behind.status == DeliveryStatus.PENDING
    assert messages_of(response) == [
        "1 pending delivery is on its way now.",
        "1 lane waits behind a dead delivery: retry or discard it first.",
    ]


def test_viewer_sees_rows_but_no_actions_and_cannot_retry(
    viewer_client: Client, talonone: TalonOneHarness
) -> None:
    dead = dead_update(talonone, "bob")
    page(viewer_client, url(CHANGELIST), talonone)
    page(viewer_client, url("delivery_change", dead.pk), talonone)
    assert action_names(viewer_client, url(CHANGELIST)) == []
    for confirm in (False, True):
        response = run_action(
            viewer_client, url(CHANGELIST), "retry_dead_deliveries", [dead.pk], confirm=confirm
        )
        assert response.status_code in (200, 302)
        assert "to Talon.One again?" not in response.content.decode()
    dead.refresh_from_db()
    assert dead.status == DeliveryStatus.DEAD
    page(viewer_client, url("delivery_delete", dead.pk), talonone, status=403)


def test_operator_with_retry_permission_gets_the_actions(
    talonone: TalonOneHarness,
) -> None:
    operator = logged_in(staff("operator", "view_delivery", "retry_delivery"))
    dead = dead_update(talonone, "bob")
    assert action_names(operator, url(CHANGELIST)) == ["retry_dead_deliveries", "deliver_now"]
    run_action(operator, url(CHANGELIST), "retry_dead_deliveries", [dead.pk], confirm=True)
    dead.refresh_from_db()
    assert dead.status == DeliveryStatus.DONE


def test_staff_without_view_permission_is_refused(talonone: TalonOneHarness) -> None:
    nobody = logged_in(staff("nobody"))
    page(nobody, url(CHANGELIST), talonone, status=403)


def test_admin_index_lists_the_app(superuser_client: Client, talonone: TalonOneHarness) -> None:
    index = page(superuser_client, "/admin/", talonone)
    app_index = page(superuser_client, "/admin/django_talonone/", talonone)
    for text in (index, app_index):
        for name in ("Deliveries", "Customer sessions", "Audiences", "Referral codes"):
            assert name in text


def test_retry_leaves_a_return_a_later_refund_overtook_and_says_why(
    superuser_client: Client, talonone: TalonOneHarness, settings: object
) -> None:
    from django.test import override_settings

    from django_talonone.services import refund_order_lines
    from tests.shop.models import Cart, CartLine, Order, OrderLine

    with transaction.atomic():
        cart = Cart.objects.create()
        CartLine.objects.create(cart=cart, sku="TEA", name="Tea", price=5)
        order = Order.objects.create(cart=cart, status=Order.Status.PAID)
        line = OrderLine.objects.create(order=order, sku="TEA", name="Tea", price=5)
    talonone.fail(503, operations=["returnCartItems"])
    one_attempt = {**settings.TALONONE, "OUTBOX_MAX_ATTEMPTS": 1}  # type: ignore[attr-defined]
    with override_settings(TALONONE=one_attempt), transaction.atomic():
        failed = refund_order_lines(order, [line])
    talonone.heal()
    with transaction.atomic():
        refund_order_lines(order, [line])
    dead = Delivery.objects.get(session_return=failed)
    response = run_action(
        superuser_client, url(CHANGELIST), "retry_dead_deliveries", [dead.pk], confirm=True
    )
    [message] = messages_of(response)
    assert message.startswith("0 dead deliveries are queued again")
    assert f"Not retried: #{dead.pk}, a later refund (return " in message
    assert "discard this delivery instead." in message
    dead.refresh_from_db()
    assert dead.status == DeliveryStatus.DEAD
