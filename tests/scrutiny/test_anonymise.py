"""Officer identifiers and force references become keyed pseudonyms: stable, unguessable without the key."""

from __future__ import annotations

from scrutiny.records.anonymise import force_reference_hash, normalise_identifier, officer_pseudonym

KEY = "a-test-key-that-is-long-enough-to-be-a-real-secret-0123456789"


def test_the_same_officer_gets_the_same_pseudonym_however_written() -> None:
    first = officer_pseudonym("PC 4471", force="cheshire", key=KEY)
    assert first == officer_pseudonym(" pc4471 ", force="cheshire", key=KEY)
    assert len(first) == 64
    assert int(first, 16) >= 0


def test_pseudonyms_depend_on_the_key_and_the_force() -> None:
    base = officer_pseudonym("4471", force="cheshire", key=KEY)
    assert base != officer_pseudonym("4471", force="merseyside", key=KEY)
    assert base != officer_pseudonym("4471", force="cheshire", key=KEY + "x")


def test_an_officer_pseudonym_never_equals_a_reference_hash_of_the_same_text() -> None:
    assert officer_pseudonym("CHE-1", force="cheshire", key=KEY) != force_reference_hash(
        "CHE-1", force="cheshire", key=KEY
    )


def test_nothing_in_gives_nothing_out() -> None:
    assert officer_pseudonym("  ", force="cheshire", key=KEY) == ""
    assert force_reference_hash("", force="cheshire", key=KEY) == ""
    assert normalise_identifier(" ab 12 ") == "AB12"
