"""From a source row's strings to a normalised encounter record, or to the reasons it cannot be one.

Pure: no database. Every problem in a row is reported, not just the first, so one correction fixes it.
The vocabulary columns are looked up once per distinct combination (a month's file has a few thousand),
so the cost per row is splitting, one dict lookup, the date, and the fingerprint.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from scrutiny import vocab
from scrutiny.choices import Kind, SearchType, SourceFormat
from scrutiny.records import pii
from scrutiny.records.anonymise import force_reference_hash, officer_pseudonym
from scrutiny.records.importing.cells import PADDED, ROUNDED, DateError, Dates, coordinate
from scrutiny.records.importing.columns import CATEGORICAL_COLUMNS, EXTRA_COLUMNS, Segment, segment
from scrutiny.vocab import UnknownValue


class Normalised(NamedTuple):
    """A normalised row. `content` identifies it; the pipeline adds the occurrence and hashes."""

    content: bytes
    occurred_at: str  # UTC, "YYYY-MM-DDTHH:MM:SS[.ffffff]+00:00"
    month: str  # "YYYY-MM-01"
    latitude: str | None
    longitude: str | None
    policing_operation: str
    categorical: Segment
    extra: Segment


@dataclass
class Protected:
    """The stored forms of a row's sensitive cells, for a rejected row (its raw cells are not kept)."""

    officer_pseudonym: str = ""
    force_reference_hash: str = ""
    grounds_text: str = ""
    pii_flagged: bool = False

    def kept(self) -> dict[str, Any]:
        """What a rejected row stores of them (its `protected`): the keyed forms and the flag it has."""
        kept = {
            "officer_pseudonym": self.officer_pseudonym,
            "force_reference_hash": self.force_reference_hash,
            "pii_flagged": self.pii_flagged,
        }
        return {k: v for k, v in kept.items() if v}

    @classmethod
    def from_kept(cls, kept: Mapping[str, Any]) -> Protected:
        """The forms a rejected row stored (`kept()`), to fall back on when its correction leaves them blank."""
        return cls(
            officer_pseudonym=kept.get("officer_pseudonym", ""),
            force_reference_hash=kept.get("force_reference_hash", ""),
            pii_flagged=bool(kept.get("pii_flagged", False)),
        )


def _protected(
    force: str, key: str, officer: str, reference: str, grounds: str, flagged: bool, fallback: Protected
) -> Protected:
    return Protected(
        officer_pseudonym=officer_pseudonym(officer, force=force, key=key) or fallback.officer_pseudonym,
        force_reference_hash=force_reference_hash(reference, force=force, key=key) or fallback.force_reference_hash,
        grounds_text=grounds,
        pii_flagged=flagged or fallback.pii_flagged,
    )


class Rejected(NamedTuple):
    reasons: list[str]


_AGE_AS_DATES = frozenset(s.casefold() for s in vocab.AGE_RANGE_AS_DATES)


class Seen:
    """What the normaliser read through and put right, for the batch's notes: counts of rows and the first
    example of each kind."""

    def __init__(self) -> None:
        self.coordinates: dict[str, int] = {ROUNDED: 0, PADDED: 0}
        self.coordinate_examples: dict[str, str] = {}
        self.yes_no: set[str] = set()  # spellings of yes/no cells other than True/False and Yes/No
        self.age_as_date: set[str] = set()  # "Oct-17", "17-Oct": 10-17 as Excel writes it back

    def coordinate_row(self, seen: list[tuple[str, str]]) -> None:
        """One imported row's coordinates that were not written with 6 places (counted once a row and kind)."""
        for kind, raw in seen:
            self.coordinate_examples.setdefault(kind, raw)
        for kind in {kind for kind, _ in seen}:
            self.coordinates[kind] += 1
        seen.clear()

    def yes_no_cell(self, raw: str) -> None:
        if raw not in vocab.YES_NO_PUBLISHED and len(self.yes_no) < 20:
            self.yes_no.add(raw.strip())

    def notes(self, dates: Dates) -> list[str]:
        out: list[str] = []
        if self.coordinates[ROUNDED]:
            out.append(
                f"Coordinates written as floating point (e.g. {self.coordinate_examples[ROUNDED]}) were rounded "
                f"to the published 6 decimal places on {self.coordinates[ROUNDED]:,} rows."
            )
        if self.coordinates[PADDED]:
            out.append(
                f"Coordinates written with fewer than 6 decimal places or in exponent form (e.g. "
                f"{self.coordinate_examples[PADDED]}, as spreadsheets drop trailing zeros) were read as the same "
                f"6-place values on {self.coordinates[PADDED]:,} rows."
            )
        spellings = sorted(s for s in self.yes_no if s)
        if spellings:
            out.append(
                "Yes/no columns written as "
                + ", ".join(f'"{s}"' for s in spellings)
                + " (not True/False or Yes/No) were read as yes and no."
            )
        if self.age_as_date:
            shown = " and ".join(f'"{s}"' for s in sorted(self.age_as_date))
            out.append(f"Age range written as {shown} (Excel turns 10-17 into a date) was read as 10-17.")
        return out + dates.notes


def _free_text(raw: str, column: str, limit: int, reasons: list[str]) -> str:
    text = raw.strip().replace("\x00", "")
    if len(text) > limit:
        reasons.append(f"{column}: longer than {limit} characters")
    return text


# --- stop and search ----------------------------------------------------------------------------------------

_STOP_SEARCH_EXTRA_BLANK = segment(
    EXTRA_COLUMNS, ["", False, None, None, "", "", "", [], [], [], "", None, "", None, ""]
)


class _Normaliser:
    """What every format's normaliser starts from: the file's column labels (for the reasons a row is refused),
    the force and pseudonym key, how dates are read, and what was read through and put right."""

    def __init__(
        self,
        *,
        labels: Sequence[str],
        force: str,
        pseudonym_key: str,
        declared_month: date | None = None,
        today: date | None = None,
    ) -> None:
        self.labels = tuple(labels)
        self.force = force
        self.key = pseudonym_key
        self.dates = Dates(declared_month=declared_month, today=today or datetime.now(UTC).date())
        self.seen = Seen()
        self._coords: list[tuple[str, str]] = []

    @property
    def notes(self) -> list[str]:
        """What was read through and put right (kept on the batch: ImportBatch.notes)."""
        return self.seen.notes(self.dates)


class StopSearchNormaliser(_Normaliser):
    """data.police.uk fields (CSV or API), and the force-extract fields when `extract` is set."""

    # Canonical positions (formats.POLICE_UK_FIELDS order; force extracts continue with EXTRACT_ONLY_FIELDS).
    _CATEGORICAL = (0, 2, 6, 7, 8, 9, 10, 11, 12, 13, 14)
    _CACHE_LIMIT = 50_000

    def __init__(
        self,
        *,
        labels: Sequence[str],
        force: str,
        pseudonym_key: str,
        declared_month: date | None = None,
        today: date | None = None,
        extract: bool = False,
    ) -> None:
        super().__init__(
            labels=labels, force=force, pseudonym_key=pseudonym_key, declared_month=declared_month, today=today
        )
        self.extract = extract
        self.blank_extra_content = _STOP_SEARCH_EXTRA_BLANK.content
        self._categorical: dict[tuple[str, ...], Segment | list[str]] = {}

    def categorical(self, values: Sequence[str]) -> Segment | list[str]:
        key = tuple([values[i] for i in self._CATEGORICAL])
        found = self._categorical.get(key)
        if found is None:
            found = self._build_categorical(key)
            if len(self._categorical) >= self._CACHE_LIMIT:
                self._categorical.clear()
            self._categorical[key] = found
        return found

    def _build_categorical(self, key: tuple[str, ...]) -> Segment | list[str]:
        labels = self.labels
        type_, operation, gender, age, sde, ode, legislation, obj, outcome, linked, removal = key
        reasons: list[str] = []

        def look[T](vocabulary: vocab.Vocabulary[T], raw: str, index: int) -> T | None:
            try:
                return vocabulary.lookup(raw, labels[index])
            except UnknownValue as error:
                reasons.append(str(error))
                return None

        search_type = look(vocab.SEARCH_TYPE, type_, 0)
        part_of_operation = look(vocab.YES_NO, operation, 2)
        gender_value = look(vocab.GENDER, gender, 6)
        age_value = look(vocab.AGE_RANGE, age, 7)
        sde_value = look(vocab.SELF_DEFINED_ETHNICITY, sde, 8)
        ode_value = look(vocab.OFFICER_DEFINED_ETHNICITY, ode, 9)
        legislation_value = look(vocab.LEGISLATION, legislation, 10)
        object_value = look(vocab.OBJECT_OF_SEARCH, obj, 11)
        outcome_value = look(vocab.OUTCOME, outcome, 12)
        linked_value = look(vocab.YES_NO, linked, 13)
        removal_value = look(vocab.YES_NO, removal, 14)
        if reasons:
            return reasons
        # Built once per distinct combination, so this is where the spellings of yes/no cells are noted (the hot
        # loop reaches it too).
        for raw in (operation, linked, removal):
            self.seen.yes_no_cell(raw)
        if age.strip().casefold() in _AGE_AS_DATES:
            self.seen.age_as_date.add(age.strip())
        assert sde_value is not None
        assert outcome_value is not None
        return segment(
            CATEGORICAL_COLUMNS,
            [
                Kind.STOP_SEARCH.value,
                search_type,
                search_type == SearchType.VEHICLE,
                part_of_operation,
                gender_value,
                age_value,
                sde_value,
                vocab.FIVE_GROUP[sde_value],
                ode_value,
                legislation_value,
                object_value,
                outcome_value[0],
                outcome_value[1],
                linked_value,
                removal_value,
            ],
        )

    def normalise(self, values: Sequence[str], fallback: Protected | None = None) -> Normalised | Rejected:
        """`fallback`: the stored keyed forms of a corrected rejected row, used where its cells are blank."""
        labels = self.labels
        reasons: list[str] = []
        cat = self.categorical(values)
        if isinstance(cat, list):
            reasons.extend(cat)
        try:
            occurred_at, month = self.dates.resolve(values[1], labels[1])
        except DateError as error:
            reasons.append(str(error))
            occurred_at = month = ""
        lat_raw, lng_raw = values[4], values[5]
        coords = self._coords
        if not lat_raw and not lng_raw:
            latitude = longitude = None
        else:
            latitude = coordinate(lat_raw, labels[4], 90, reasons, coords)
            longitude = coordinate(lng_raw, labels[5], 180, reasons, coords)
            if (latitude is None) != (longitude is None) and not reasons:
                reasons.append(f"{labels[4]} and {labels[5]}: one is given without the other")
        operation = values[3]
        if operation:
            operation = _free_text(operation, labels[3], 255, reasons)
            if self.extract:
                operation = pii.mask(operation).text
        extra = self.extract_segment(values, reasons, fallback) if self.extract else _STOP_SEARCH_EXTRA_BLANK
        if reasons:
            coords.clear()
            return Rejected(reasons)
        if coords:
            self.seen.coordinate_row(coords)
        assert isinstance(cat, Segment)
        content = (
            f"{occurred_at}\x1f{latitude or ''}\x1f{longitude or ''}\x1f{operation}\x1f{cat.content}\x1f{extra.content}"
        )
        return Normalised(content.encode(), occurred_at, month, latitude, longitude, operation, cat, extra)

    # Force-extract columns, after the 15 data.police.uk ones.
    def extract_segment(self, values: Sequence[str], reasons: list[str], fallback: Protected | None) -> Segment:
        labels = self.labels
        protected = self.protect(values, fallback)
        initial = len(reasons)

        def look[T](vocabulary: vocab.Vocabulary[T], index: int) -> T | None:
            try:
                return vocabulary.lookup(values[index], labels[index])
            except UnknownValue as error:
                reasons.append(str(error))
                return None

        body_worn_video = look(vocab.YES_NO, 16)
        supervisor = look(vocab.YES_NO, 17)
        initiation = look(vocab.INITIATION, 18)
        if len(protected.grounds_text) > 10_000:
            reasons.append(f"{labels[15]}: longer than 10,000 characters")
        if len(reasons) > initial:
            return _STOP_SEARCH_EXTRA_BLANK
        self.seen.yes_no_cell(values[16])
        self.seen.yes_no_cell(values[17])
        return segment(
            EXTRA_COLUMNS,
            [
                protected.grounds_text,
                protected.pii_flagged,
                body_worn_video,
                supervisor,
                initiation,
                protected.officer_pseudonym,
                protected.force_reference_hash,
                [],
                [],
                [],
                "",
                None,
                "",
                None,
                "",
            ],
        )

    def protect(self, values: Sequence[str], fallback: Protected | None = None) -> Protected:
        """The officer's pseudonym, the reference's hash and the masked grounds: all that may be kept of them."""
        if not self.extract:
            return Protected()
        scan = pii.mask(values[15].strip().replace("\x00", ""))
        return _protected(
            self.force, self.key, values[19], values[20], scan.text, scan.flagged, fallback or Protected()
        )


# --- use of force ------------------------------------------------------------------------------------------


class UseOfForceNormaliser(_Normaliser):
    """The use-of-force template (formats.USE_OF_FORCE_FIELDS order)."""

    def protect(self, values: Sequence[str], fallback: Protected | None = None) -> Protected:
        return _protected(self.force, self.key, values[14], values[15], "", False, fallback or Protected())

    # Long on purpose: every row not taken by the hot loop comes here, and it reads as the row's columns in order,
    # one check each, collecting every reason a row is refused rather than stopping at the first.
    def normalise(self, values: Sequence[str], fallback: Protected | None = None) -> Normalised | Rejected:
        labels = self.labels
        reasons: list[str] = []

        def look[T](vocabulary: vocab.Vocabulary[T], index: int) -> T | None:
            try:
                return vocabulary.lookup(values[index], labels[index])
            except UnknownValue as error:
                reasons.append(str(error))
                return None

        def many(vocabulary: vocab.Vocabulary[str], index: int) -> list[str]:
            try:
                return vocab.lookup_many(vocabulary, values[index], labels[index])
            except UnknownValue as error:
                reasons.append(str(error))
                return []

        try:
            occurred_at, month = self.dates.resolve(values[0], labels[0])
        except DateError as error:
            reasons.append(str(error))
            occurred_at = month = ""
        coords = self._coords
        if not values[1].strip() and not values[2].strip():
            latitude = longitude = None
        else:
            latitude = coordinate(values[1], labels[1], 90, reasons, coords)
            longitude = coordinate(values[2], labels[2], 180, reasons, coords)
        gender = look(vocab.GENDER, 3)
        age_band = look(vocab.SUBJECT_AGE_BAND, 4)
        sde = look(vocab.SELF_DEFINED_ETHNICITY, 5)
        ode = look(vocab.OFFICER_DEFINED_ETHNICITY, 6)
        tactics = many(vocab.TACTIC, 7)
        if not tactics and not any(r.startswith(labels[7]) for r in reasons):
            reasons.append(f"{labels[7]}: at least one tactic is required")
        impact_factors = many(vocab.IMPACT_FACTOR, 8)
        reasons_for_force = many(vocab.REASON, 9)
        subject_injured = look(vocab.YES_NO, 10)
        subject_injury = look(vocab.INJURY, 11)
        officer_injured = look(vocab.YES_NO, 12)
        outcome = look(vocab.USE_OF_FORCE_OUTCOME, 13)
        if reasons:
            coords.clear()
            return Rejected(reasons)
        self.seen.yes_no_cell(values[10])
        self.seen.yes_no_cell(values[12])
        if coords:
            self.seen.coordinate_row(coords)
        assert sde is not None
        protected = self.protect(values, fallback)
        cat = segment(
            CATEGORICAL_COLUMNS,
            [
                Kind.USE_OF_FORCE.value,
                "",
                False,
                None,
                gender,
                "",
                sde,
                vocab.FIVE_GROUP[sde],
                ode,
                "",
                "",
                "",
                None,
                None,
                None,
            ],
        )
        extra = segment(
            EXTRA_COLUMNS,
            [
                "",
                False,
                None,
                None,
                "",
                protected.officer_pseudonym,
                protected.force_reference_hash,
                tactics,
                impact_factors,
                reasons_for_force,
                age_band,
                subject_injured,
                subject_injury,
                officer_injured,
                outcome,
            ],
        )
        content = f"{occurred_at}\x1f{latitude or ''}\x1f{longitude or ''}\x1f\x1f{cat.content}\x1f{extra.content}"
        return Normalised(content.encode(), occurred_at, month, latitude, longitude, "", cat, extra)


Normaliser = StopSearchNormaliser | UseOfForceNormaliser


def make_normaliser(
    source_format: str,
    *,
    labels: Sequence[str],
    force: str,
    pseudonym_key: str,
    declared_month: date | None = None,
    today: date | None = None,
) -> Normaliser:
    if source_format == SourceFormat.USE_OF_FORCE:
        return UseOfForceNormaliser(
            labels=labels, force=force, pseudonym_key=pseudonym_key, declared_month=declared_month, today=today
        )
    return StopSearchNormaliser(
        labels=labels,
        force=force,
        pseudonym_key=pseudonym_key,
        declared_month=declared_month,
        today=today,
        extract=source_format == SourceFormat.FORCE_EXTRACT,
    )
