"""The vocabulary maps: every spelling in the shared files maps, old and current spellings agree, unknowns say why."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from scrutiny import choices, vocab
from scrutiny.vocab import UnknownValue, normalise_key

COLUMNS: dict[str, vocab.Vocabulary[Any]] = {
    "Type": vocab.SEARCH_TYPE,
    "Part of a policing operation": vocab.YES_NO,
    "Gender": vocab.GENDER,
    "Age range": vocab.AGE_RANGE,
    "Self-defined ethnicity": vocab.SELF_DEFINED_ETHNICITY,
    "Officer-defined ethnicity": vocab.OFFICER_DEFINED_ETHNICITY,
    "Legislation": vocab.LEGISLATION,
    "Object of search": vocab.OBJECT_OF_SEARCH,
    "Outcome": vocab.OUTCOME,
    "Outcome linked to object of search": vocab.YES_NO,
    "Removal of more than just outer clothing": vocab.YES_NO,
}
API_FIELDS: dict[str, vocab.Vocabulary[Any]] = {
    "type": vocab.SEARCH_TYPE,
    "gender": vocab.GENDER,
    "age_range": vocab.AGE_RANGE,
    "self_defined_ethnicity": vocab.SELF_DEFINED_ETHNICITY,
    "officer_defined_ethnicity": vocab.OFFICER_DEFINED_ETHNICITY,
    "legislation": vocab.LEGISLATION,
    "object_of_search": vocab.OBJECT_OF_SEARCH,
    "outcome": vocab.OUTCOME,
}


def _distinct_csv_values(shared: Path) -> dict[str, set[str]]:
    seen: dict[str, set[str]] = {column: set() for column in COLUMNS}
    for path in sorted((shared / "police-uk").glob("*.csv")):
        with open(path, newline="", encoding="utf-8-sig") as fh:
            for row in csv.DictReader(fh):
                for column in COLUMNS:
                    seen[column].add(row[column])
    return seen


def test_every_spelling_in_the_shared_csv_files_maps(shared_data: Path) -> None:
    unknown = []
    for column, values in _distinct_csv_values(shared_data).items():
        for value in values:
            try:
                COLUMNS[column].lookup(value, column)
            except UnknownValue as error:
                unknown.append(str(error))
    assert unknown == []


def test_every_spelling_in_the_api_sample_maps(shared_data: Path) -> None:
    records = json.loads((shared_data / "police-uk-api" / "2023-01-avon-and-somerset-stops-force.json").read_text())
    for record in records:
        for field, vocabulary in API_FIELDS.items():
            value = record[field]
            vocabulary.lookup("" if value in (None, False) else str(value), field)
        outcome_id = (record.get("outcome_object") or {}).get("id") or ""
        assert vocab.OUTCOME.lookup(outcome_id) == vocab.OUTCOME.lookup(record["outcome"] or "")


@pytest.mark.parametrize(
    ("old", "current"),
    [
        ("Black or Black British - African (B2)", "Black/African/Caribbean/Black British - African"),
        ("Black or Black British - Caribbean (B1)", "Black/African/Caribbean/Black British - Caribbean"),
        ("White - White British (W1)", "White - English/Welsh/Scottish/Northern Irish/British"),
        ("White - Any other White ethnic background (W9)", "White - Any other White background"),
        ("Asian or Asian British - Pakistani (A2)", "Asian/Asian British - Pakistani"),
        ("Mixed - White and Black Caribbean (M1)", "Mixed/Multiple ethnic groups - White and Black Caribbean"),
        ("Chinese or other ethnic group - Chinese (O1)", "Asian/Asian British - Chinese"),
        ("Chinese or other ethnic group - Any other ethnic group (O9)", "Other ethnic group - Any other ethnic group"),
        ("Not Stated (NS)", "Other ethnic group - Not stated"),
        ("NS", "Other ethnic group - Not stated"),
        # West Midlands 2017 wrote a stray space after the first slash.
        ("Black/ African/Caribbean/Black British - Caribbean", "Black/African/Caribbean/Black British - Caribbean"),
        (
            "Black/ African/Caribbean/Black British - Any other Black/African/Caribbean background",
            "Black/African/Caribbean/Black British - Any other Black/African/Caribbean background",
        ),
    ],
)
def test_old_and_current_ethnicity_spellings_land_on_the_same_value(old: str, current: str) -> None:
    assert vocab.SELF_DEFINED_ETHNICITY.lookup(old) == vocab.SELF_DEFINED_ETHNICITY.lookup(current)


@pytest.mark.parametrize(
    ("old", "outcome", "found"),
    [
        ("Nothing found - no further action", choices.Outcome.NO_FURTHER_ACTION, False),
        ("Suspect arrested", choices.Outcome.ARREST, None),
        ("Suspect summonsed to court", choices.Outcome.SUMMONS, None),
        ("Offender cautioned", choices.Outcome.CAUTION, None),
        ("Offender given drugs possession warning", choices.Outcome.KHAT_OR_CANNABIS_WARNING, True),
        ("Offender given penalty notice", choices.Outcome.PENALTY_NOTICE, None),
        ("Local resolution", choices.Outcome.COMMUNITY_RESOLUTION, None),
        ("Article found - Detailed outcome unavailable", choices.Outcome.NOT_RECORDED, True),
        ("A no further action disposal", choices.Outcome.NO_FURTHER_ACTION, None),
        ("bu-arrest", choices.Outcome.ARREST, None),
        ("", choices.Outcome.NOT_RECORDED, None),
    ],
)
def test_outcomes_map_onto_the_current_scheme_keeping_what_was_found(
    old: str, outcome: str, found: bool | None
) -> None:
    assert vocab.OUTCOME.lookup(old) == (outcome, found)


def test_layout_does_not_matter_but_words_do() -> None:
    assert normalise_key("  Black / African/Caribbean/Black British – African ") == normalise_key(
        "black/african/caribbean/black british - african"
    )
    assert vocab.LEGISLATION.lookup("Environmental Protection Act 1990 (section 34B )") == (
        choices.Legislation.ENVIRONMENTAL_PROTECTION_S34B
    )
    assert vocab.AGE_RANGE.lookup("Over 34") == choices.AgeRange.OVER_34
    with pytest.raises(UnknownValue):
        vocab.AGE_RANGE.lookup("over 35")


def test_an_unknown_value_names_its_column_and_value() -> None:
    with pytest.raises(UnknownValue) as caught:
        vocab.GENDER.lookup("Purple", "Gender")
    assert str(caught.value) == 'Gender: unknown value "Purple"'
    assert caught.value.column == "Gender"
    assert caught.value.value == "Purple"


def test_a_blank_is_not_recorded_except_where_a_value_is_required() -> None:
    assert vocab.GENDER.lookup("") == choices.Gender.NOT_RECORDED
    assert vocab.YES_NO.lookup("  ") is None
    with pytest.raises(UnknownValue, match="Type: a value is required"):
        vocab.SEARCH_TYPE.lookup("", "Type")


def test_yes_no_columns_accept_the_usual_spellings() -> None:
    assert [vocab.YES_NO.lookup(v) for v in ("True", "false", "Yes", "N", "1", "")] == [
        True,
        False,
        True,
        False,
        True,
        None,
    ]
    with pytest.raises(UnknownValue):
        vocab.YES_NO.lookup("maybe")


def test_every_detailed_group_has_a_five_group() -> None:
    assert set(vocab.FIVE_GROUP) == set(choices.SelfDefinedEthnicity.values)
    assert set(vocab.FIVE_GROUP.values()) <= set(choices.EthnicGroup.values)


def test_each_vocabulary_only_produces_its_own_codes() -> None:
    pairs = [
        (vocab.SEARCH_TYPE, choices.SearchType),
        (vocab.GENDER, choices.Gender),
        (vocab.AGE_RANGE, choices.AgeRange),
        (vocab.SELF_DEFINED_ETHNICITY, choices.SelfDefinedEthnicity),
        (vocab.OFFICER_DEFINED_ETHNICITY, choices.OfficerDefinedEthnicity),
        (vocab.LEGISLATION, choices.Legislation),
        (vocab.OBJECT_OF_SEARCH, choices.ObjectOfSearch),
        (vocab.INITIATION, choices.Initiation),
        (vocab.TACTIC, choices.UseOfForceTactic),
        (vocab.IMPACT_FACTOR, choices.UseOfForceImpactFactor),
        (vocab.REASON, choices.UseOfForceReason),
        (vocab.INJURY, choices.InjurySeverity),
        (vocab.USE_OF_FORCE_OUTCOME, choices.UseOfForceOutcome),
        (vocab.SUBJECT_AGE_BAND, choices.SubjectAgeBand),
    ]
    for vocabulary, enum in pairs:
        assert {value for _, value in vocabulary.entries} <= set(enum.values), vocabulary.name
    assert {value[0] for _, value in vocab.OUTCOME.entries} <= set(choices.Outcome.values)


def test_multi_valued_cells_split_on_semicolons() -> None:
    assert vocab.lookup_many(vocab.TACTIC, "Handcuffing - compliant; Ground restraint;;", "Tactics") == [
        choices.UseOfForceTactic.HANDCUFFING_COMPLIANT,
        choices.UseOfForceTactic.GROUND_RESTRAINT,
    ]
    with pytest.raises(UnknownValue, match='Tactics: unknown value "Lasso"'):
        vocab.lookup_many(vocab.TACTIC, "Ground restraint; Lasso", "Tactics")


def test_the_vocabularies_page_lists_every_spelling() -> None:
    page = (Path(settings.BASE_DIR) / "docs" / "vocabularies.md").read_text(encoding="utf-8")
    for vocabulary in vocab.VOCABULARIES:
        for spelling, _value in vocabulary.entries:
            assert f"`{spelling}`" in page, f"{vocabulary.name}: {spelling!r} is missing from docs/vocabularies.md"
