"""Personal data in grounds text is found, masked by kind, and the masking can only remove, never restore."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scrutiny.records import pii


@pytest.mark.parametrize(
    ("text", "masked", "kind"),
    [
        ("Seen near M1 1AE acting oddly", "Seen near [postcode] acting oddly", "postcode"),
        ("lives at sw1a 2aa", "lives at [postcode]", "postcode"),
        ("called 07700 900123", "called [phone number]", "phone number"),
        ("called +44 161 496 0000", "called [phone number]", "phone number"),
        ("called (0161) 496 0000", "called [phone number]", "phone number"),
        ("email j.smith@example.com", "email [email]", "email"),
        ("car AB12 CDE seen", "car [vehicle registration] seen", "vehicle registration"),
        ("car ab12cde seen", "car [vehicle registration] seen", "vehicle registration"),
        ("old car A123 BCD", "old car [vehicle registration]", "vehicle registration"),
        ("older car ABC 123D", "older car [vehicle registration]", "vehicle registration"),
        ("DOB 12/03/1998", "DOB [date]", "date"),
        ("born 3 March 1998", "born [date]", "date"),
        ("Mr John Smith was stopped", "Mr [name] was stopped", "name"),
        ("Mrs. O'Neil", "Mrs. [name]", "name"),
        ("Dr Patel", "Dr [name]", "name"),
        ("Miss Jones and Ms Brown", "Miss [name] and Ms [name]", "name"),
        ("PC 1234 attended", "[collar number] attended", "collar number"),
        ("DC1234 and PS 56", "[collar number] and [collar number]", "collar number"),
        ("NI number AB123456C", "NI number [national insurance number]", "national insurance number"),
    ],
)
def test_it_masks_personal_data(text: str, masked: str, kind: str) -> None:
    scan = pii.mask(text)
    assert scan.text == masked
    assert kind in scan.kinds
    assert scan.flagged


@pytest.mark.parametrize(
    "text",
    [
        "Strong smell of cannabis coming from the male, who was seen passing a small package.",
        "Seen on the M6 near junction 19 at 2am, three males, aged 17 to 19.",
        "Intelligence report of a knife; the subject matched the description given by control.",
        "Behaviour: nervous, evasive answers, tried to conceal items in waistband at 23:45.",
    ],
)
def test_it_leaves_ordinary_grounds_alone(text: str) -> None:
    scan = pii.mask(text)
    assert scan.text == text
    assert not scan.flagged


def test_find_lists_what_was_masked() -> None:
    assert pii.find("Mr Smith, 07700 900123, M1 1AE") == [
        ("phone number", "07700 900123"),
        ("postcode", "M1 1AE"),
        ("name", "Smith"),
    ]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=200))
def test_masked_text_holds_no_pattern_and_masking_again_changes_nothing(text: str) -> None:
    once = pii.mask(text).text
    assert pii.find(once) == []
    assert pii.mask(once).text == once


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "M1 1AE",
                "07700 900123",
                "a.b@example.org",
                "AB12 CDE",
                "12/03/1998",
                "Mr Jones",
                "PC 4471",
                "seen",
                "near",
            ]
        ),
        max_size=12,
    )
)
def test_every_planted_pattern_is_masked(words: list[str]) -> None:
    text = " and ".join(words)
    masked = pii.mask(text).text
    for word in words:
        if word not in ("seen", "near"):
            assert word.split()[-1] not in masked
