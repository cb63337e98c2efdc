"""The fixed answer scales, the demographics block and the ready-made trust and confidence set.

The trust wording is that of the MOPAC Public Attitude Survey (the Crime Survey for England and Wales uses the same
stems), copied here so that results can be set beside the national figures. Change a word and they no longer compare.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from panels import census

Choice = tuple[str, str]

PREFER_NOT: Choice = ("prefer_not", "Prefer not to say")

AGREEMENT: list[Choice] = [
    ("strongly_agree", "Strongly agree"),
    ("tend_to_agree", "Tend to agree"),
    ("neither", "Neither agree nor disagree"),
    ("tend_to_disagree", "Tend to disagree"),
    ("strongly_disagree", "Strongly disagree"),
]
RATING: list[Choice] = [
    ("excellent", "Excellent"),
    ("good", "Good"),
    ("fair", "Fair"),
    ("poor", "Poor"),
    ("very_poor", "Very poor"),
]
CONFIDENCE: list[Choice] = [
    ("very", "Very confident"),
    ("fairly", "Fairly confident"),
    ("not_very", "Not very confident"),
    ("not_at_all", "Not at all confident"),
]
SCALES: dict[str, list[Choice]] = {"agreement": AGREEMENT, "rating": RATING, "confidence": CONFIDENCE}
SCALE_NAMES: list[Choice] = [
    ("agreement", "Agreement (Strongly agree to Strongly disagree)"),
    ("rating", "Rating (Excellent to Very poor)"),
    ("confidence", "Confidence (Very to Not at all)"),
]
OTHER = "other"

# --- Demographics: each part optional, each with "Prefer not to say". ------------------------

AGE_BANDS: list[Choice] = [
    ("14-17", "14 to 17"),
    ("18-24", "18 to 24"),
    ("25-34", "25 to 34"),
    ("35-49", "35 to 49"),
    ("50-64", "50 to 64"),
    ("65+", "65 or over"),
]
UNDER_18 = "14-17"
SEX: list[Choice] = [("female", "Female"), ("male", "Male")]
# Census 2021: "Is the gender you identify with the same as your sex registered at birth?"
GENDER_SAME: list[Choice] = [("yes", "Yes"), ("no", "No")]
DISABILITY: list[Choice] = [("yes", "Yes"), ("no", "No")]
ETHNIC_GROUPS: list[tuple[str, list[Choice]]] = [
    (broad, [(g.code, g.label) for g in census.DETAILED_GROUPS if g.five_group == broad])
    for broad in census.FIVE_GROUPS
]
# The first part of a UK postcode (the outward code), e.g. "LS6" or "SW1A": an area, never an address.
POSTCODE_DISTRICT_PATTERN = r"^[A-Z]{1,2}[0-9][A-Z0-9]?$"


@dataclass(frozen=True)
class DemographicPart:
    key: str
    label: str
    choices: list[Choice] = field(default_factory=list)  # empty: typed in (the postcode district)


DEMOGRAPHIC_PARTS: list[DemographicPart] = [
    DemographicPart("age_band", "Your age", AGE_BANDS),
    DemographicPart("ethnic_group", "Your ethnic group", [c for _, group in ETHNIC_GROUPS for c in group]),
    DemographicPart("sex", "Your sex", SEX),
    DemographicPart(
        "gender_same", "Is the gender you identify with the same as your sex registered at birth?", GENDER_SAME
    ),
    DemographicPart(
        "disability",
        "Do you have a physical or mental health condition or illness that has lasted or is expected to last "
        "12 months or more?",
        DISABILITY,
    ),
    DemographicPart("postcode_district", "The first part of your postcode, for example LS6"),
]


def five_group_of(code: str) -> str | None:
    """The Census 2021 broad group of a detailed ethnic group code."""
    for broad, group in ETHNIC_GROUPS:
        if any(c == code for c, _ in group):
            return broad
    return None


# --- The trust and confidence set (MOPAC PAS / CSEW wording). --------------------------------


@dataclass(frozen=True)
class StandardQuestion:
    code: str
    kind: str
    text: str
    options: list[str] = field(default_factory=list)
    scale: str = ""


TRUST_SET_TITLE = "Trust and confidence in the police"
TRUST_SET: list[StandardQuestion] = [
    StandardQuestion(
        "good_job",
        "rating",
        "Taking everything into account, how good a job do you think the police in your area are doing?",
    ),
    StandardQuestion(
        "agree_statements",
        "matrix",
        "To what extent do you agree with these statements about the police in your area?",
        options=[
            "They can be relied on to be there when you need them",
            "They would treat you with respect if you had contact with them for any reason",
            "They treat everyone fairly regardless of who they are",
            "They understand the issues that affect this community",
            "They are dealing with the things that matter to people in this community",
            "They listen to the concerns of local people",
            "Taking everything into account I have confidence in the police in this area",
        ],
        scale="agreement",
    ),
    StandardQuestion(
        "stop_search_fair",
        "single",
        "How confident are you that the police in your area use their stop and search powers fairly?",
        options=[label for _, label in CONFIDENCE],
    ),
]

# Limits on what a respondent can send: long enough for a real answer, short enough to refuse a flood.
MAX_TEXT_LENGTH = 2000
MAX_OTHER_LENGTH = 200
