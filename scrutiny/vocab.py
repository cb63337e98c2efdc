"""Every spelling seen in data.police.uk downloads, the data.police.uk API and the force-extract templates,
mapped onto the controlled vocabularies in `choices.py`.

Pure: no database access, so the maps can be tested and documented on their own (docs/vocabularies.md).

Matching is forgiving about layout but never guesses: case, runs of whitespace, spaces around "/", "-", "(" and ")",
and en/em dashes do not matter ("Black/ African/Caribbean/Black British - Caribbean", the 2017 West Midlands
spelling, matches the current one). A value that is not in the map raises `UnknownValue`, whose message names the
column and the value; the importer turns it into a rejection. A blank value means "not recorded", except in the
columns that may not be blank (Type, Date), where it is a rejection too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from scrutiny.choices import (
    AgeRange,
    EthnicGroup,
    Gender,
    Initiation,
    InjurySeverity,
    Legislation,
    ObjectOfSearch,
    OfficerDefinedEthnicity,
    Outcome,
    SearchType,
    SelfDefinedEthnicity,
    SubjectAgeBand,
    UseOfForceImpactFactor,
    UseOfForceOutcome,
    UseOfForceReason,
    UseOfForceTactic,
)


class UnknownValue(ValueError):
    """A value that is not in a vocabulary (or a blank where one is required)."""

    def __init__(self, column: str, value: str, *, blank: bool = False, hint: str = "") -> None:
        self.column = column
        self.value = value
        if blank:
            message = f"{column}: a value is required but the cell is blank"
        else:
            shown = value if len(value) <= 80 else value[:77] + "..."
            message = f'{column}: unknown value "{shown}"'
            if hint:
                message += f": {hint}"
        super().__init__(message)


_SPACES_AROUND = re.compile(r"\s*([/()\-:,])\s*")
_DASHES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2212": "-", "\u00a0": " "})


def normalise_key(value: str) -> str:
    """The form two spellings are compared in: casefolded, whitespace collapsed, no spaces around / - ( ) : ,."""
    text = " ".join(value.translate(_DASHES).split()).casefold()
    return _SPACES_AROUND.sub(r"\1", text)


class Vocabulary[T]:
    """A map from every accepted spelling to a normalised value.

    `entries` maps spellings (in any layout) to values; each value's own code is accepted too when
    `accept_codes` is set. `blank` is what a blank cell means; `required` makes a blank a rejection. `hint`, if
    given, ends the message of an unknown value, saying what to write instead.
    """

    _CACHE_LIMIT = 20_000

    def __init__(
        self,
        name: str,
        entries: Iterable[tuple[str, T]],
        *,
        blank: T,
        required: bool = False,
        hint: str = "",
    ) -> None:
        self.name = name
        self.blank = blank
        self.required = required
        self.hint = hint
        self.entries: list[tuple[str, T]] = list(entries)
        self._by_key: dict[str, T] = {}
        for spelling, value in self.entries:
            key = normalise_key(spelling)
            if key in self._by_key and self._by_key[key] != value:
                raise ValueError(f"{name}: {spelling!r} maps to two values")
            self._by_key[key] = value
        # Raw spellings already seen, so the common case is one dict lookup with no string work.
        self._seen: dict[str, T] = {}

    def lookup(self, raw: str, column: str | None = None) -> T:
        try:
            return self._seen[raw]
        except KeyError:
            pass
        key = normalise_key(raw)
        if not key:
            if self.required:
                raise UnknownValue(column or self.name, raw, blank=True)
            value = self.blank
        else:
            try:
                value = self._by_key[key]
            except KeyError:
                raise UnknownValue(column or self.name, raw, hint=self.hint) from None
        if len(self._seen) < self._CACHE_LIMIT:
            self._seen[raw] = value
        return value

    def spellings(self) -> dict[T, list[str]]:
        """Every listed spelling by value, for the documentation."""
        out: dict[T, list[str]] = {}
        for spelling, value in self.entries:
            listed = out.setdefault(value, [])
            if spelling not in listed:
                listed.append(spelling)
        return out


def _with_codes(choices: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """A vocabulary's own codes and labels, each accepted as a spelling of itself."""
    out: list[tuple[str, str]] = []
    for code, label in choices:
        if code:
            out.append((code, code))
            out.append((str(label), code))
    return out


# --- Stop and search -----------------------------------------------------------------------------------------

SEARCH_TYPE = Vocabulary[str](
    "Type",
    [
        ("Person search", SearchType.PERSON),
        ("Person and Vehicle search", SearchType.PERSON_AND_VEHICLE),
        ("Vehicle search", SearchType.VEHICLE),
        ("person", SearchType.PERSON),
        ("person_and_vehicle", SearchType.PERSON_AND_VEHICLE),
        ("vehicle", SearchType.VEHICLE),
    ],
    blank=SearchType.NOT_APPLICABLE,
    required=True,
)

GENDER = Vocabulary[str](
    "Gender",
    [
        ("Male", Gender.MALE),
        ("Female", Gender.FEMALE),
        ("Other", Gender.OTHER),
        ("M", Gender.MALE),
        ("F", Gender.FEMALE),
        ("Not stated", Gender.NOT_RECORDED),
        ("Unknown", Gender.NOT_RECORDED),
    ],
    blank=Gender.NOT_RECORDED,
)

# Excel reads "10-17" in a CSV as a date and writes it back as "Oct-17" (UK settings: October 2017) or "17-Oct"
# (US: 17 October). No other age range can become a date, so these can only be 10-17 (normalise.Seen notes them).
AGE_RANGE_AS_DATES = ("Oct-17", "17-Oct")
AGE_RANGE = Vocabulary[str](
    "Age range",
    [
        ("under 10", AgeRange.UNDER_10),
        ("10-17", AgeRange.A10_17),
        ("18-24", AgeRange.A18_24),
        ("25-34", AgeRange.A25_34),
        ("over 34", AgeRange.OVER_34),
        *_with_codes(AgeRange.choices),
        *[(spelling, AgeRange.A10_17) for spelling in AGE_RANGE_AS_DATES],
    ],
    blank=AgeRange.NOT_RECORDED,
)

E = SelfDefinedEthnicity

FIVE_GROUP: dict[str, str] = {
    E.NOT_RECORDED: EthnicGroup.NOT_STATED,
    E.NOT_STATED: EthnicGroup.NOT_STATED,
    E.WHITE_BRITISH: EthnicGroup.WHITE,
    E.WHITE_IRISH: EthnicGroup.WHITE,
    E.WHITE_GYPSY_TRAVELLER: EthnicGroup.WHITE,
    E.WHITE_ROMA: EthnicGroup.WHITE,
    E.WHITE_OTHER: EthnicGroup.WHITE,
    E.MIXED_WHITE_BLACK_CARIBBEAN: EthnicGroup.MIXED,
    E.MIXED_WHITE_BLACK_AFRICAN: EthnicGroup.MIXED,
    E.MIXED_WHITE_ASIAN: EthnicGroup.MIXED,
    E.MIXED_OTHER: EthnicGroup.MIXED,
    E.ASIAN_INDIAN: EthnicGroup.ASIAN,
    E.ASIAN_PAKISTANI: EthnicGroup.ASIAN,
    E.ASIAN_BANGLADESHI: EthnicGroup.ASIAN,
    E.ASIAN_CHINESE: EthnicGroup.ASIAN,
    E.ASIAN_OTHER: EthnicGroup.ASIAN,
    E.BLACK_AFRICAN: EthnicGroup.BLACK,
    E.BLACK_CARIBBEAN: EthnicGroup.BLACK,
    E.BLACK_OTHER: EthnicGroup.BLACK,
    E.OTHER_ARAB: EthnicGroup.OTHER,
    E.OTHER_ANY: EthnicGroup.OTHER,
}

# The 2011 Census "18+1" labels data.police.uk uses today.
SELF_DEFINED_CURRENT: list[tuple[str, str]] = [
    ("White - English/Welsh/Scottish/Northern Irish/British", E.WHITE_BRITISH),
    ("White - Irish", E.WHITE_IRISH),
    ("White - Gypsy or Irish Traveller", E.WHITE_GYPSY_TRAVELLER),
    ("White - Any other White background", E.WHITE_OTHER),
    ("Mixed/Multiple ethnic groups - White and Black Caribbean", E.MIXED_WHITE_BLACK_CARIBBEAN),
    ("Mixed/Multiple ethnic groups - White and Black African", E.MIXED_WHITE_BLACK_AFRICAN),
    ("Mixed/Multiple ethnic groups - White and Asian", E.MIXED_WHITE_ASIAN),
    ("Mixed/Multiple ethnic groups - Any other Mixed/Multiple ethnic background", E.MIXED_OTHER),
    ("Asian/Asian British - Indian", E.ASIAN_INDIAN),
    ("Asian/Asian British - Pakistani", E.ASIAN_PAKISTANI),
    ("Asian/Asian British - Bangladeshi", E.ASIAN_BANGLADESHI),
    ("Asian/Asian British - Chinese", E.ASIAN_CHINESE),
    ("Asian/Asian British - Any other Asian background", E.ASIAN_OTHER),
    ("Black/African/Caribbean/Black British - African", E.BLACK_AFRICAN),
    ("Black/African/Caribbean/Black British - Caribbean", E.BLACK_CARIBBEAN),
    ("Black/African/Caribbean/Black British - Any other Black/African/Caribbean background", E.BLACK_OTHER),
    ("Other ethnic group - Arab", E.OTHER_ARAB),
    ("Other ethnic group - Any other ethnic group", E.OTHER_ANY),
    ("Other ethnic group - Not stated", E.NOT_STATED),
]

# The 2001 Census 16 groups with their codes, mixed into data.police.uk until mid-2017 (e.g. Metropolitan 2016).
# Chinese (O1) sat with "Chinese or other ethnic group" in 2001; since 2011 it is an Asian group.
SELF_DEFINED_2001: list[tuple[str, str, str]] = [
    ("W1", "White - White British (W1)", E.WHITE_BRITISH),
    ("W2", "White - White Irish (W2)", E.WHITE_IRISH),
    ("W9", "White - Any other White ethnic background (W9)", E.WHITE_OTHER),
    ("M1", "Mixed - White and Black Caribbean (M1)", E.MIXED_WHITE_BLACK_CARIBBEAN),
    ("M2", "Mixed - White and Black African (M2)", E.MIXED_WHITE_BLACK_AFRICAN),
    ("M3", "Mixed - White and Asian (M3)", E.MIXED_WHITE_ASIAN),
    ("M9", "Mixed - Any other Mixed ethnic background (M9)", E.MIXED_OTHER),
    ("A1", "Asian or Asian British - Indian (A1)", E.ASIAN_INDIAN),
    ("A2", "Asian or Asian British - Pakistani (A2)", E.ASIAN_PAKISTANI),
    ("A3", "Asian or Asian British - Bangladeshi (A3)", E.ASIAN_BANGLADESHI),
    ("A9", "Asian or Asian British - Any other Asian ethnic background (A9)", E.ASIAN_OTHER),
    ("B1", "Black or Black British - Caribbean (B1)", E.BLACK_CARIBBEAN),
    ("B2", "Black or Black British - African (B2)", E.BLACK_AFRICAN),
    ("B9", "Black or Black British - Any other Black ethnic background (B9)", E.BLACK_OTHER),
    ("O1", "Chinese or other ethnic group - Chinese (O1)", E.ASIAN_CHINESE),
    ("O9", "Chinese or other ethnic group - Any other ethnic group (O9)", E.OTHER_ANY),
    ("NS", "Not Stated (NS)", E.NOT_STATED),
]

# Census 2021 labels, for force extracts recorded on the newer standard.
SELF_DEFINED_2021: list[tuple[str, str]] = [
    ("White: English, Welsh, Scottish, Northern Irish or British", E.WHITE_BRITISH),
    ("White: Irish", E.WHITE_IRISH),
    ("White: Gypsy or Irish Traveller", E.WHITE_GYPSY_TRAVELLER),
    ("White: Roma", E.WHITE_ROMA),
    ("White: Other White", E.WHITE_OTHER),
    ("Mixed or Multiple ethnic groups: White and Black Caribbean", E.MIXED_WHITE_BLACK_CARIBBEAN),
    ("Mixed or Multiple ethnic groups: White and Black African", E.MIXED_WHITE_BLACK_AFRICAN),
    ("Mixed or Multiple ethnic groups: White and Asian", E.MIXED_WHITE_ASIAN),
    ("Mixed or Multiple ethnic groups: Other Mixed or Multiple ethnic groups", E.MIXED_OTHER),
    ("Asian, Asian British or Asian Welsh: Indian", E.ASIAN_INDIAN),
    ("Asian, Asian British or Asian Welsh: Pakistani", E.ASIAN_PAKISTANI),
    ("Asian, Asian British or Asian Welsh: Bangladeshi", E.ASIAN_BANGLADESHI),
    ("Asian, Asian British or Asian Welsh: Chinese", E.ASIAN_CHINESE),
    ("Asian, Asian British or Asian Welsh: Other Asian", E.ASIAN_OTHER),
    ("Black, Black British, Black Welsh, Caribbean or African: African", E.BLACK_AFRICAN),
    ("Black, Black British, Black Welsh, Caribbean or African: Caribbean", E.BLACK_CARIBBEAN),
    ("Black, Black British, Black Welsh, Caribbean or African: Other Black", E.BLACK_OTHER),
    ("Other ethnic group: Arab", E.OTHER_ARAB),
    ("Other ethnic group: Any other ethnic group", E.OTHER_ANY),
]

SELF_DEFINED_ETHNICITY = Vocabulary[str](
    "Self-defined ethnicity",
    [
        *SELF_DEFINED_CURRENT,
        *[(label, value) for _code, label, value in SELF_DEFINED_2001],
        *[(code, value) for code, _label, value in SELF_DEFINED_2001],
        *SELF_DEFINED_2021,
        *_with_codes(SelfDefinedEthnicity.choices),
    ],
    blank=E.NOT_RECORDED,
)

OFFICER_DEFINED_ETHNICITY = Vocabulary[str](
    "Officer-defined ethnicity",
    [
        ("White", OfficerDefinedEthnicity.WHITE),
        ("Black", OfficerDefinedEthnicity.BLACK),
        ("Asian", OfficerDefinedEthnicity.ASIAN),
        ("Mixed", OfficerDefinedEthnicity.MIXED),
        ("Other", OfficerDefinedEthnicity.OTHER),
        # The wording of the Home Office use-of-force form's perceived-ethnicity question.
        ("Black (or Black British)", OfficerDefinedEthnicity.BLACK),
        ("Asian (or Asian British)", OfficerDefinedEthnicity.ASIAN),
        ("Chinese (or other ethnic group)", OfficerDefinedEthnicity.OTHER),
        ("Chinese or other ethnic group", OfficerDefinedEthnicity.OTHER),
    ],
    blank=OfficerDefinedEthnicity.NOT_RECORDED,
)

L = Legislation
LEGISLATION = Vocabulary[str](
    "Legislation",
    [
        *_with_codes(Legislation.choices),
        # Shorthand seen in force systems.
        ("PACE s1", L.PACE_S1),
        ("s1 PACE", L.PACE_S1),
        ("PACE section 1", L.PACE_S1),
        ("MDA s23", L.MISUSE_OF_DRUGS_S23),
        ("s23 MDA", L.MISUSE_OF_DRUGS_S23),
        ("Misuse of Drugs Act s23", L.MISUSE_OF_DRUGS_S23),
        ("s60", L.CJPOA_S60),
        ("s60 CJPOA", L.CJPOA_S60),
        ("Section 60", L.CJPOA_S60),
        ("s139B CJA", L.CJA_S139B),
        ("s47 Firearms Act", L.FIREARMS_S47),
    ],
    blank=L.NOT_RECORDED,
)

OBJ = ObjectOfSearch
OBJECT_OF_SEARCH = Vocabulary[str](
    "Object of search",
    [
        *_with_codes(ObjectOfSearch.choices),
        ("Articles for use in theft", OBJ.ARTICLE_FOR_THEFT),
        ("Article for use in criminal damage", OBJ.ARTICLES_FOR_CRIMINAL_DAMAGE),
        ("Offensive weapon", OBJ.OFFENSIVE_WEAPONS),
        ("Firearm", OBJ.FIREARMS),
        ("Evidence of hunting any wild mammal with a dog", OBJ.EVIDENCE_OF_WILDLIFE_OFFENCES),
    ],
    blank=OBJ.NOT_RECORDED,
)

# Outcome → (current outcome, was anything found). "Found" is known only where the wording says so:
# the old "Nothing found - no further action" (no) and "Article found - ..." (yes), and warnings for possession
# (a drugs possession / khat or cannabis warning needs the drug to have been found).
OUTCOME_CURRENT: list[tuple[str, tuple[str, bool | None]]] = [
    ("Arrest", (Outcome.ARREST, None)),
    ("Summons / charged by post", (Outcome.SUMMONS, None)),
    ("Caution (simple or conditional)", (Outcome.CAUTION, None)),
    ("Khat or Cannabis warning", (Outcome.KHAT_OR_CANNABIS_WARNING, True)),
    ("Penalty Notice for Disorder", (Outcome.PENALTY_NOTICE, None)),
    ("Community resolution", (Outcome.COMMUNITY_RESOLUTION, None)),
    ("A no further action disposal", (Outcome.NO_FURTHER_ACTION, None)),
]
# The data.police.uk API's outcome_object ids.
OUTCOME_API_IDS: list[tuple[str, tuple[str, bool | None]]] = [
    ("bu-arrest", (Outcome.ARREST, None)),
    ("bu-summons", (Outcome.SUMMONS, None)),
    ("bu-caution", (Outcome.CAUTION, None)),
    ("bu-khat-or-cannabis-warning", (Outcome.KHAT_OR_CANNABIS_WARNING, True)),
    ("bu-penalty-notice", (Outcome.PENALTY_NOTICE, None)),
    ("bu-community-resolution", (Outcome.COMMUNITY_RESOLUTION, None)),
    ("bu-no-further-action", (Outcome.NO_FURTHER_ACTION, None)),
]
# The scheme data.police.uk used until 2017.
OUTCOME_OLD: list[tuple[str, tuple[str, bool | None]]] = [
    ("Suspect arrested", (Outcome.ARREST, None)),
    ("Suspect summonsed to court", (Outcome.SUMMONS, None)),
    ("Offender cautioned", (Outcome.CAUTION, None)),
    ("Offender given drugs possession warning", (Outcome.KHAT_OR_CANNABIS_WARNING, True)),
    ("Offender given penalty notice", (Outcome.PENALTY_NOTICE, None)),
    ("Local resolution", (Outcome.COMMUNITY_RESOLUTION, None)),
    ("Nothing found - no further action", (Outcome.NO_FURTHER_ACTION, False)),
    ("Article found - Detailed outcome unavailable", (Outcome.NOT_RECORDED, True)),
]
OUTCOME = Vocabulary[tuple[str, bool | None]](
    "Outcome",
    [
        *OUTCOME_CURRENT,
        *OUTCOME_API_IDS,
        *OUTCOME_OLD,
        *[(code, (code, dict(OUTCOME_CURRENT)[str(label)][1])) for code, label in Outcome.choices if code],
    ],
    blank=(Outcome.NOT_RECORDED, None),
)

# data.police.uk writes True/False and the force-extract templates Yes/No; spreadsheets write them back as
# TRUE/FALSE, pandas as True/False or (for a column it read as numbers) 1.0/0.0; force systems write Y/N or 1/0.
# Case does not matter. An import notes the spellings it saw other than these (normalise.Seen).
YES_NO_PUBLISHED = frozenset({"True", "False", "Yes", "No", ""})
YES_NO = Vocabulary[bool | None](
    "yes/no",
    [
        ("True", True),
        ("False", False),
        ("Yes", True),
        ("No", False),
        ("Y", True),
        ("N", False),
        ("1", True),
        ("0", False),
        ("1.0", True),
        ("0.0", False),
        ("T", True),
        ("F", False),
    ],
    blank=None,
    hint="write True or False (Yes/No and 1/0 are read too), or leave the cell blank if it was not recorded",
)

INITIATION = Vocabulary[str](
    "Initiation",
    [
        *_with_codes(Initiation.choices),
        ("Self generated", Initiation.SELF_GENERATED),
        ("Proactive", Initiation.SELF_GENERATED),
        ("Dispatched", Initiation.DISPATCHED),
        ("Deployed", Initiation.DISPATCHED),
        ("Reactive", Initiation.DISPATCHED),
    ],
    blank=Initiation.NOT_RECORDED,
)

# --- Use of force ------------------------------------------------------------------------------------------

TACTIC = Vocabulary[str](
    "Tactics",
    [
        *_with_codes(UseOfForceTactic.choices),
        ("Handcuffing - compliant", UseOfForceTactic.HANDCUFFING_COMPLIANT),
        ("Handcuffing - non-compliant", UseOfForceTactic.HANDCUFFING_NON_COMPLIANT),
        ("Compliant handcuffing", UseOfForceTactic.HANDCUFFING_COMPLIANT),
        ("Non-compliant handcuffing", UseOfForceTactic.HANDCUFFING_NON_COMPLIANT),
        ("Unarmed skills (including pressure points, strikes, restraints and take-downs)", "unarmed_skills"),
        ("Spit guard", UseOfForceTactic.SPIT_AND_BITE_GUARD),
        ("CED drawn", UseOfForceTactic.TASER_DRAWN),
        ("CED aimed", UseOfForceTactic.TASER_AIMED),
        ("CED arced", UseOfForceTactic.TASER_ARCED),
        ("CED red-dot", UseOfForceTactic.TASER_RED_DOT),
        ("CED drive stun", UseOfForceTactic.TASER_DRIVE_STUN),
        ("CED angle drive stun", UseOfForceTactic.TASER_ANGLE_DRIVE_STUN),
        ("CED fired", UseOfForceTactic.TASER_FIRED),
        ("Dog deployed", UseOfForceTactic.POLICE_DOG_DEPLOYED),
        ("Dog bite", UseOfForceTactic.POLICE_DOG_BITE),
        ("Other/improvised", UseOfForceTactic.OTHER_IMPROVISED),
    ],
    blank="",
)

IMPACT_FACTOR = Vocabulary[str](
    "Impact factors",
    [*_with_codes(UseOfForceImpactFactor.choices), ("Size/gender/build", UseOfForceImpactFactor.SIZE_GENDER_BUILD)],
    blank="",
)

REASON = Vocabulary[str]("Reasons", _with_codes(UseOfForceReason.choices), blank="")

INJURY = Vocabulary[str](
    "Subject injury",
    [*_with_codes(InjurySeverity.choices), ("None", InjurySeverity.NONE), ("Minor injury", InjurySeverity.MINOR)],
    blank=InjurySeverity.NOT_RECORDED,
)

USE_OF_FORCE_OUTCOME = Vocabulary[str](
    "Outcome",
    [
        *_with_codes(UseOfForceOutcome.choices),
        ("Arrest", UseOfForceOutcome.ARRESTED),
        ("Detained - Mental Health Act", UseOfForceOutcome.DETAINED_MENTAL_HEALTH_ACT),
        ("Detained under Mental Health Act", UseOfForceOutcome.DETAINED_MENTAL_HEALTH_ACT),
    ],
    blank=UseOfForceOutcome.NOT_RECORDED,
)

SUBJECT_AGE_BAND = Vocabulary[str](
    "Subject age",
    [
        *_with_codes(SubjectAgeBand.choices),
        ("0-10", SubjectAgeBand.A0_10),
        ("Under 11", SubjectAgeBand.A0_10),
        ("11-17", SubjectAgeBand.A11_17),
        ("18-34", SubjectAgeBand.A18_34),
        ("35-49", SubjectAgeBand.A35_49),
        ("50-64", SubjectAgeBand.A50_64),
        ("65+", SubjectAgeBand.A65_OVER),
        ("65 or over", SubjectAgeBand.A65_OVER),
    ],
    blank=SubjectAgeBand.NOT_RECORDED,
)


def lookup_many(vocabulary: Vocabulary[str], raw: str, column: str) -> list[str]:
    """A multi-valued cell ("Handcuffing - compliant; Ground restraint"): each part looked up, order kept, no repeats.

    Parts are separated by ";" or "|" (commas appear inside some labels)."""
    out: list[str] = []
    for part in re.split(r"[;|]", raw):
        if part.strip():
            value = vocabulary.lookup(part.strip(), column)
            if value and value not in out:
                out.append(value)
    return out


VOCABULARIES: tuple[Vocabulary[Any], ...] = (
    SEARCH_TYPE,
    GENDER,
    AGE_RANGE,
    SELF_DEFINED_ETHNICITY,
    OFFICER_DEFINED_ETHNICITY,
    LEGISLATION,
    OBJECT_OF_SEARCH,
    OUTCOME,
    YES_NO,
    INITIATION,
    TACTIC,
    IMPACT_FACTOR,
    REASON,
    INJURY,
    USE_OF_FORCE_OUTCOME,
    SUBJECT_AGE_BAND,
)
