"""Mobile numbers: what is accepted, how they are masked, hashed and sealed."""

from __future__ import annotations

import pytest

from queue_app.domain.mobile import mask_mobile, normalise_mobile, require_mobile
from queue_app.domain.refusals import BadMobile
from queue_app.store.contacts import ContactKeys


@pytest.mark.parametrize(
    ("given", "number"),
    [
        ("13812341234", "13812341234"),
        (" 138 1234 1234 ", "13812341234"),
        ("138-1234-1234", "13812341234"),
        ("+86 139 0000 1111", "13900001111"),
        ("008619912345678", "19912345678"),
        ("8615012345678", "15012345678"),
        ("12812341234", None),  # no mobile range starts 12
        ("1381234123", None),  # ten digits
        ("138123412345", None),  # twelve
        ("010-12345678", None),  # a fixed line
        ("abc", None),
        ("", None),
    ],
)
def test_what_is_a_mobile_number(given: str, number: str | None) -> None:
    assert normalise_mobile(given) == number


def test_a_bad_number_is_refused_with_what_was_said() -> None:
    with pytest.raises(BadMobile) as refused:
        require_mobile("010-12345678")
    assert refused.value.params == {"said": "010-12345678"}
    assert refused.value.field == "mobile"


def test_masked_sealed_and_hashed_under_the_halls_key() -> None:
    keys, other = ContactKeys(b"k" * 32), ContactKeys(b"o" * 32)
    c = keys.contact("13812341234")
    assert mask_mobile("13812341234") == c.masked == "138****1234"
    assert "13812341234" not in c.sealed and "13812341234" not in c.digest
    assert keys.open(c.sealed) == "13812341234"
    assert other.open(c.sealed) is None  # another hall's key opens nothing
    assert keys.digest("13812341234") == c.digest != keys.digest("13812341235")
    assert other.digest("13812341234") != c.digest
    assert keys.contact("13812341234").sealed != c.sealed  # sealing is randomised
