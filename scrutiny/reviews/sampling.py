"""Sample specifications and the draw: plain data in, plain data out (no ORM), so a sample can be reproduced.

A specification is stored with its session as JSON. Drawing it again over the same records gives the same sample:
candidates are ordered by record id before `random.Random(seed)` picks from them, and strata are visited in a fixed
order. `scrutiny.reviews.selectors.sample_candidates` turns the filter part into the candidate list.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from common.errors import DomainError
from common.months import parse_month
from scrutiny.choices import AgeRange, EthnicGroup, Kind, Legislation, ObjectOfSearch, Outcome

RANDOM = "random"
STRATIFIED = "stratified"  # N from each five-group ethnicity
PROPORTIONAL = "proportional"  # N in all, shared across groups in proportion to their size
METHODS = {RANDOM: "Random", STRATIFIED: "N per ethnic group", PROPORTIONAL: "Proportional to ethnic groups"}
STRATA = tuple(g.value for g in EthnicGroup)  # the fixed order strata are drawn in; "not_stated" last
HAND_PICKED = "hand-picked"
MAX_SAMPLE = 500


class SpecError(DomainError):
    """A sample specification that cannot be drawn; the message says what to change (the API answers 400)."""


@dataclass(frozen=True)
class SampleSpec:
    method: str = RANDOM
    size: int = 10
    seed: int = 0
    kind: str = Kind.STOP_SEARCH
    month_from: date | None = None  # first days of months, inclusive
    month_to: date | None = None
    legislation: tuple[str, ...] = ()
    outcome: tuple[str, ...] = ()
    object_of_search: tuple[str, ...] = ()
    age_range: tuple[str, ...] = ()
    ethnic_group: tuple[str, ...] = ()
    bwv_missing: bool = False  # force extracts: body-worn video recorded as not used
    grounds_flagged: bool = False  # grounds text where personal data was found (and checked)
    cannabis_smell_only: bool = False  # grounds text whose only stated ground is a smell of cannabis
    hand_picked: tuple[int, ...] = field(default=())  # record ids added by hand, after the draw

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise SpecError(f"Unknown sampling method “{self.method}”.")
        if not 0 <= self.size <= MAX_SAMPLE:
            raise SpecError(f"The sample size must be between 1 and {MAX_SAMPLE}.")
        if self.size == 0 and not self.hand_picked:
            raise SpecError("Draw at least one record, or add records by hand.")
        if self.kind not in Kind.values:
            raise SpecError(f"Unknown record kind “{self.kind}”.")
        if self.month_from and self.month_to and self.month_from > self.month_to:
            raise SpecError("The first month is after the last.")
        for name, allowed in (
            ("legislation", Legislation.values),
            ("outcome", Outcome.values),
            ("object_of_search", ObjectOfSearch.values),
            ("age_range", AgeRange.values),
            ("ethnic_group", EthnicGroup.values),
        ):
            unknown = [v for v in getattr(self, name) if v not in allowed]
            if unknown:
                raise SpecError(f"Unknown {name.replace('_', ' ')}: {', '.join(unknown)}.")

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("month_from", "month_to"):
            data[key] = data[key].isoformat() if data[key] else None
        for key, value in data.items():
            if isinstance(value, tuple):
                data[key] = list(value)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SampleSpec:
        known = set(cls.__dataclass_fields__)
        unknown = set(data) - known
        if unknown:
            raise SpecError(f"Unknown sample settings: {', '.join(sorted(unknown))}.")
        values: dict[str, Any] = {}
        try:
            for key, value in data.items():
                if key in ("month_from", "month_to"):
                    values[key] = _month(value)
                elif key in ("size", "seed"):
                    values[key] = int(value)
                elif key == "hand_picked":
                    values[key] = tuple(int(v) for v in value)
                elif key in ("bwv_missing", "grounds_flagged", "cannabis_smell_only"):
                    if not isinstance(value, bool):
                        raise SpecError(f"{key.replace('_', ' ')} must be true or false.")
                    values[key] = value
                elif key in ("legislation", "outcome", "object_of_search", "age_range", "ethnic_group"):
                    if isinstance(value, str) or not isinstance(value, Iterable):
                        raise SpecError(f"{key.replace('_', ' ')} must be a list.")
                    values[key] = tuple(str(v) for v in value)
                else:
                    values[key] = str(value)
        except (TypeError, ValueError) as e:  # int("ten"), a list of something else: the setting as written is wrong
            raise SpecError(f"A sample setting is not valid: {e}.") from e
        return cls(**values)

    def describe(self) -> str:
        """One line for people: what was drawn and how."""
        how = {
            RANDOM: f"{self.size} at random",
            STRATIFIED: f"{self.size} from each ethnic group",
            PROPORTIONAL: f"{self.size} in proportion to ethnic groups",
        }[self.method]
        parts = [how, f"seed {self.seed}"]
        if self.month_from or self.month_to:
            start = f"{self.month_from:%b %Y}" if self.month_from else "the start"
            end = f"{self.month_to:%b %Y}" if self.month_to else "the latest"
            parts.append(f"{start} to {end}")
        for name in ("legislation", "outcome", "object_of_search", "age_range", "ethnic_group"):
            if getattr(self, name):
                parts.append(f"{name.replace('_', ' ')}: {', '.join(getattr(self, name))}")
        for name, label in (
            ("bwv_missing", "body-worn video not used"),
            ("grounds_flagged", "grounds flagged for personal data"),
            ("cannabis_smell_only", "smell of cannabis the only grounds"),
        ):
            if getattr(self, name):
                parts.append(label)
        if self.hand_picked:
            parts.append(f"{len(self.hand_picked)} added by hand")
        return "; ".join(parts)


def _month(value: Any) -> date | None:
    if value in (None, ""):
        return None
    # A month as stored ("2025-06") or a day in it ("2025-06-01", as an older specification or a form may give).
    month = parse_month(value if isinstance(value, date) else str(value)[:7])
    if month is None:
        raise SpecError(f"“{value}” is not a month (YYYY-MM).")
    return month


@dataclass(frozen=True)
class Candidate:
    record_id: int
    ethnic_group: str  # five-group code; "" counts as not stated


def draw(candidates: Sequence[Candidate], spec: SampleSpec) -> list[tuple[int, str]]:
    """(record id, stratum) in draw order. Stratum is "" for a random draw, the group code for the others."""
    ordered = sorted(candidates, key=lambda c: c.record_id)
    rng = random.Random(spec.seed)  # noqa: S311 - reproducible by design, not secret
    if spec.method == RANDOM:
        picked = rng.sample(ordered, min(spec.size, len(ordered)))
        return [(c.record_id, "") for c in picked]
    groups: dict[str, list[Candidate]] = {g: [] for g in STRATA}
    for c in ordered:
        groups[c.ethnic_group or EthnicGroup.NOT_STATED].append(c)
    if spec.method == STRATIFIED:
        wanted = {g: spec.size for g in STRATA if g != EthnicGroup.NOT_STATED}
        wanted[EthnicGroup.NOT_STATED] = 0
    else:
        wanted = proportional_allocation({g: len(v) for g, v in groups.items()}, spec.size)
    result: list[tuple[int, str]] = []
    for g in STRATA:
        members = groups[g]
        for c in rng.sample(members, min(wanted.get(g, 0), len(members))):
            result.append((c.record_id, g))
    return result


def proportional_allocation(sizes: dict[str, int], total: int) -> dict[str, int]:
    """Share `total` across groups in proportion to their sizes (largest remainder; ties in STRATA order)."""
    population = sum(sizes.values())
    if population == 0:
        return dict.fromkeys(sizes, 0)
    total = min(total, population)
    exact = {g: total * n / population for g, n in sizes.items()}
    allocation = {g: int(v) for g, v in exact.items()}
    order = sorted(sizes, key=lambda g: (-(exact[g] - allocation[g]), STRATA.index(g) if g in STRATA else 99))
    for g in order[: total - sum(allocation.values())]:
        allocation[g] += 1
    return allocation


# "Smell of cannabis" in its usual spellings, and the words that signal some other ground was also given.
_SMELL = re.compile(r"\b(smell\w*|smelt|odou?r\w*|whiff)\b", re.IGNORECASE)
_CANNABIS = re.compile(r"\b(cannabis|weed|skunk|marijuana|ganja|drugs?)\b", re.IGNORECASE)
_OTHER_GROUNDS = re.compile(
    r"\b(seen|saw|observ\w*|intelligence|information|report\w*|admit\w*|visible|bulge|nervous|"
    r"evasive|ran|running|decamp\w*|discard\w*|conceal\w*|hand\w*\s+over|exchange\w*|deal\w*|CCTV|"
    r"description|matched|warrant|known|previous|suspected|weapon|knife|stolen|crime)\b",
    re.IGNORECASE,
)


def is_cannabis_smell_only(grounds: str) -> bool:
    """Whether the recorded grounds rest on a smell of cannabis and name no other ground (docs/reviews.md)."""
    return bool(grounds and _SMELL.search(grounds) and _CANNABIS.search(grounds) and not _OTHER_GROUNDS.search(grounds))


def compare(population: dict[str, int], sample: dict[str, int]) -> list[dict[str, Any]]:
    """Rows of (key, population count and share, sample count and share), in the population's key order."""
    pop_total = sum(population.values())
    sample_total = sum(sample.values())
    rows = []
    for key in dict.fromkeys([*population, *sample]):
        p, s = population.get(key, 0), sample.get(key, 0)
        rows.append(
            {
                "key": key,
                "population": p,
                "population_share": p / pop_total if pop_total else None,
                "sample": s,
                "sample_share": s / sample_total if sample_total else None,
            }
        )
    return rows
