"""Customer sessions and returns in the admin: read-only, evaluations summarised readably."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client

from django_talonone.models import CustomerSession, Operation, SessionReturn
from django_talonone.outbox import enqueue, session_lane
from django_talonone.services import evaluate_cart, order_session
from django_talonone.testing import TalonOneHarness
from tests.admin.conftest import action_names, page, url
from tests.shop.models import Cart, CartLine

pytestmark = pytest.mark.django_db(transaction=True)


def evaluated_cart(coupon: str) -> CustomerSession:
    """A cart of 200.00 with ``coupon``, evaluated by Talon.One (the emulator) right now."""
    cart = Cart.objects.create(coupon_code=coupon)
    CartLine.objects.create(cart=cart, sku="TEA", name="Tea", price=Decimal("100.00"), quantity=2)
    evaluate_cart(cart)
    session = order_session(cart)
    assert session is not None
    return session


def test_session_pages_summarise_the_evaluation(
    superuser_client: Client, talonone: TalonOneHarness
) -> None:
    session = evaluated_cart("WELCOME10")
    changelist = page(superuser_client, url("customersession_changelist"), talonone)
    assert session.session_id in changelist
    assert '<td class="field-discount_total">25.00</td>' in changelist
    page(superuser_client, url("customersession_changelist") + "?state__exact=open", talonone)
    page(superuser_client, url("customersession_changelist") + f"?q={session.session_id}", talonone)

    change = page(superuser_client, url("customersession_change", session.pk), talonone)
    # 10 % off with the coupon, and 5 off from a subtotal of 100 (the default campaigns)
    assert '<span class="talonone-discount-total">25.00</span>' in change
    assert "<li>Welcome 10%: 20.00 &middot; campaign 1</li>" in change
    assert "<code>WELCOME10</code>\n      accepted" in change
    assert "cart " in change  # the shop object it mirrors
    assert 'name="_save"' not in change


def test_rejected_coupon_shows_its_reason(
    superuser_client: Client, talonone: TalonOneHarness
) -> None:
    session = evaluated_cart("NOPE")
    change = page(superuser_client, url("customersession_change", session.pk), talonone)
    assert "<code>NOPE</code>" in change
    assert "rejected (CouponNotFound): This coupon code does not exist." in change
    assert '<span class="talonone-discount-total">5.00</span>' in change  # 5 off only
    assert "Welcome 10%" not in change


def test_session_links_to_its_deliveries_and_returns(
    superuser_client: Client, talonone: TalonOneHarness
) -> None:
    session = CustomerSession.objects.create(session_id="s-42", profile_id="ann")
    returned = SessionReturn.objects.create(session=session, items=[{"position": 0}])
    with transaction.atomic():
        enqueue(
            Operation.UPDATE_SESSION,
            lane=session_lane("s-42"),
            args=["s-42"],
            body={"customerSession": {"profileId": "ann", "state": "open"}},
            session=session,
        )
    change = page(superuser_client, url("customersession_change", session.pk), talonone)
    deliveries = f"{url('delivery_changelist')}?session__id__exact={session.pk}"
    returns = f"{url('sessionreturn_changelist')}?session__id__exact={session.pk}"
    assert f'<a href="{deliveries}">1 delivery</a>' in change
    assert f'<a href="{returns}">1 return</a>' in change
    assert "s-42" in page(superuser_client, deliveries, talonone)
    assert returned.idempotency_key in page(superuser_client, returns, talonone)


def test_return_pages_render_read_only(superuser_client: Client, talonone: TalonOneHarness) -> None:
    session = CustomerSession.objects.create(session_id="s-7", profile_id="ann")
    returned = SessionReturn.objects.create(
        session=session, items=[{"position": 1, "quantity": 2}], reply={"effects": []}
    )
    changelist = page(superuser_client, url("sessionreturn_changelist"), talonone)
    assert returned.idempotency_key in changelist
    page(superuser_client, url("sessionreturn_changelist") + "?state__exact=pending", talonone)
    change = page(superuser_client, url("sessionreturn_change", returned.pk), talonone)
    assert "&quot;quantity&quot;: 2" in change
    assert url("customersession_change", session.pk) in change
    assert "0 deliveries" in change


@pytest.mark.parametrize("model", ["customersession", "sessionreturn"])
def test_nobody_adds_changes_or_deletes(
    superuser_client: Client, talonone: TalonOneHarness, model: str
) -> None:
    session = CustomerSession.objects.create(session_id="s-1")
    obj = (
        session
        if model == "customersession"
        else SessionReturn.objects.create(session=session, items=[])
    )
    page(superuser_client, url(f"{model}_add"), talonone, status=403)
    page(superuser_client, url(f"{model}_delete", obj.pk), talonone, status=403)
    change = page(superuser_client, url(f"{model}_change", obj.pk), talonone)
    assert 'name="_save"' not in change
    if model == "customersession":
        assert "Not evaluated yet." in change
    assert action_names(superuser_client, url(f"{model}_changelist")) == []


def test_viewer_sees_sessions(viewer_client: Client, talonone: TalonOneHarness) -> None:
    session = evaluated_cart("WELCOME10")
    page(viewer_client, url("customersession_changelist"), talonone)
    change = page(viewer_client, url("customersession_change", session.pk), talonone)
    assert "WELCOME10" in change


def test_deleted_cart_and_unreadable_evaluation_are_said_plainly(
    superuser_client: Client, talonone: TalonOneHarness
) -> None:
    session = evaluated_cart("WELCOME10")
    cart_pk = session.object_id
    Cart.objects.filter(pk=cart_pk).delete()
    CustomerSession.objects.filter(pk=session.pk).update(
        last_evaluation={"discountTotal": "not money"}
    )
    change = page(superuser_client, url("customersession_change", session.pk), talonone)
    assert f"cart #{cart_pk} (deleted)" in change
    assert "The stored evaluation could not be read" in change
    assert "&quot;not money&quot;" in change  # the raw data is still there
    changelist = page(superuser_client, url("customersession_changelist"), talonone)
    assert '<td class="field-discount_total">-</td>' in changelist


def test_sessions_say_whether_talon_one_has_every_change(
    superuser_client: Client, talonone: TalonOneHarness
) -> None:
    from django_talonone.models import Delivery, DeliveryStatus

    sessions = {
        name: CustomerSession.objects.create(session_id=name, profile_id="ann")
        for name in ("s-sent", "s-waiting", "s-failed")
    }

    def row(session: str, status: str) -> None:
        Delivery.objects.create(
            operation=Operation.UPDATE_SESSION,
            lane=session_lane(session),
            payload={"args": [session]},
            status=status,
            session=sessions[session],
        )

    row("s-sent", DeliveryStatus.DONE)
    row("s-waiting", DeliveryStatus.DONE)
    row("s-waiting", DeliveryStatus.PENDING)  # the close the shop just made
    row("s-waiting", DeliveryStatus.IN_FLIGHT)
    row("s-failed", DeliveryStatus.DEAD)
    changelist = page(superuser_client, url("customersession_changelist"), talonone)
    cells = {
        name: changelist.split(f">{name}</a>", 1)[1].split('<td class="field-sent">', 1)[1]
        for name in sessions
    }
    assert cells["s-sent"].startswith("up to date</td>")
    assert cells["s-waiting"].startswith("2 calls waiting</td>")
    assert cells["s-failed"].startswith("1 call failed (see deliveries)</td>")
    change = page(
        superuser_client, url("customersession_change", sessions["s-waiting"].pk), talonone
    )
    assert "2 calls waiting" in change


def test_charged_vs_recorded_has_a_column_a_filter_and_a_section(
    superuser_client: Client, talonone: TalonOneHarness
) -> None:
    from tests.shop.models import Order, OrderLine

    def placed(charged: Decimal | None) -> CustomerSession:
        with transaction.atomic():
            cart = Cart.objects.create()
            CartLine.objects.create(cart=cart, sku="TEA", name="Tea", price=Decimal(120))
            order = Order.objects.create(
                cart=cart, status=Order.Status.PAID, discount_total=charged
            )
            OrderLine.objects.create(order=order, sku="TEA", name="Tea", price=Decimal(120))
        session = order_session(order)
        assert session is not None
        return session

    full_price, fair, untold = placed(Decimal(0)), placed(Decimal(5)), placed(None)
    listing = url("customersession_changelist")
    changelist = page(superuser_client, listing, talonone)
    assert "Talon.One recorded 5.00 more discount than charged" in changelist
    assert "not told what was charged" in changelist
    differs = page(superuser_client, listing + "?charge=differs", talonone)
    assert full_price.session_id in differs
    assert fair.session_id not in differs
    matches = page(superuser_client, listing + "?charge=matches", talonone)
    assert fair.session_id in matches
    assert full_price.session_id not in matches
    unknown = page(superuser_client, listing + "?charge=unknown", talonone)
    assert untold.session_id in unknown
    assert fair.session_id not in unknown
    change = page(superuser_client, url("customersession_change", full_price.pk), talonone)
    assert "Charged vs recorded" in change
    assert "Talon.One recorded 5.00 more discount than charged" in change


def test_the_answer_icon_reads_as_what_it_says(
    superuser_client: Client, talonone: TalonOneHarness
) -> None:
    """A tick for a session Talon.One answered, a cross for the one it failed."""
    healthy = evaluated_cart("WELCOME10")
    talonone.fail(503)
    failed = evaluated_cart("WELCOME10")
    talonone.heal()
    assert (healthy.evaluation_failed, failed.evaluation_failed) == (False, True)
    changelist = page(superuser_client, url("customersession_changelist"), talonone)
    cells = changelist.split('<td class="field-talon_one_answered">')[1:]
    icons = [cell.split('alt="')[1].split('"')[0] for cell in cells]
    assert sorted(icons) == ["False", "True"]
    change = page(superuser_client, url("customersession_change", failed.pk), talonone)
    assert "Talon.One answered" in change
    assert 'alt="False"' in change
