"""The contrib's system check: its voucher middleware present, after oscar's basket one."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from django_talonone.contrib.oscar.checks import MISSING, OSCARS, OURS, TOO_EARLY, middleware_check


def ids() -> list[str]:
    return [message.id for message in middleware_check() if message.id]


def test_the_test_shops_middleware_passes() -> None:
    assert ids() == []


def test_a_missing_voucher_middleware_is_named_with_its_fix() -> None:
    with override_settings(MIDDLEWARE=[m for m in settings.MIDDLEWARE if m != OURS]):
        (message,) = middleware_check()
    assert message.id == MISSING
    assert "MIDDLEWARE" in message.msg
    assert OURS in message.msg
    assert message.hint is not None
    assert OURS in message.hint
    assert OSCARS in message.hint


def test_a_voucher_middleware_before_oscars_basket_middleware_is_named_with_its_fix() -> None:
    others = [m for m in settings.MIDDLEWARE if m not in (OURS, OSCARS)]
    with override_settings(MIDDLEWARE=[*others, OURS, OSCARS]):
        assert ids() == [TOO_EARLY]
        (message,) = middleware_check()
    assert message.hint is not None
    assert "after" in message.hint


def test_a_subclass_of_the_voucher_middleware_counts() -> None:
    subclass = "tests.oscar.test_checks.ShopVoucherMiddleware"
    replaced = [subclass if m == OURS else m for m in settings.MIDDLEWARE]
    with override_settings(MIDDLEWARE=replaced):
        assert ids() == []


def test_manage_py_check_reports_it() -> None:
    without = [m for m in settings.MIDDLEWARE if m != OURS]
    with override_settings(MIDDLEWARE=without), pytest.raises(SystemCheckError, match=MISSING):
        call_command("check", fail_level="WARNING", tags=["talonone"])


from django_talonone.contrib.oscar.vouchers import TalonOneVoucherMiddleware  # noqa: E402


class ShopVoucherMiddleware(TalonOneVoucherMiddleware):
    """A shop's own subclass, as a shop may write one."""
