"""Events, profile erasures: bad ids and attribute values are refused before a row is written."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from django_talonone.adapters import InvalidPayload
from django_talonone.models import Delivery
from django_talonone.services import forget_customer, track_event

from .conftest import FUZZ
from .test_adapters import bad_attribute_value, good_text, lone_surrogate, unsendable_text

pytestmark = pytest.mark.django_db

bad_ids = st.one_of(
    st.just(""), st.just("."), st.just(".."), st.text(min_size=1001, max_size=1010),
    unsendable_text, st.integers(), st.none(),
)  # fmt: skip


@FUZZ
@given(profile_id=bad_ids)
def test_bad_profile_ids_are_refused_before_anything_is_queued(profile_id: Any) -> None:
    with pytest.raises(InvalidPayload) as erase:
        forget_customer(profile_id)
    with pytest.raises(InvalidPayload) as track:
        track_event(profile_id, "newsletter_signup")
    assert erase.value.field == track.value.field == "profile_id"
    assert not Delivery.objects.exists()


@FUZZ
@given(
    attributes=st.one_of(
        st.dictionaries(good_text, bad_attribute_value, min_size=1, max_size=2),
        st.dictionaries(good_text, st.lists(bad_attribute_value, min_size=1), min_size=1),
        st.dictionaries(st.one_of(st.just(""), lone_surrogate, st.integers()), st.integers(),
                        min_size=1),
        st.lists(st.integers(), min_size=1),
    )
)  # fmt: skip
def test_bad_event_attributes_are_refused_naming_them(attributes: Any) -> None:
    with pytest.raises(InvalidPayload) as caught:
        track_event("ann", "review_written", attributes)
    assert caught.value.field.startswith("attributes")
    assert not Delivery.objects.exists()


@FUZZ
@given(event_type=st.one_of(st.just(""), unsendable_text, st.just("talon_session_created")))
def test_bad_event_types_are_refused(event_type: str) -> None:
    with pytest.raises(InvalidPayload) as caught:
        track_event("ann", event_type)
    assert caught.value.field == "event_type"
    assert not Delivery.objects.exists()
