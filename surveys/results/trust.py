"""Trust and confidence across a panel's survey waves: the selector that reads the answers to the ready-made trust set
(`vocab.TRUST_SET`, questions whose `standard_code` starts "trust.") and hands plain data to `surveys.stats`.

Definitions (docs/trust.md):

- A measure is one trust question, or one statement of the trust matrix, counted as the share "positive": strongly
  or tend to agree; excellent or good; very or fairly confident. Its base is everyone who answered it.
- A wave is one fieldwork: a survey of the panel carrying the trust set, together with its versions (a new version
  is made to change questions while the survey is in the field, so it is the same fieldwork). It is dated by the
  days its trust answers came in, and waves are ordered by their first day.
- Groups come from the response's demographics answer: five-group ethnicity, age band, sex, disability.

Three queries, whatever the number of responses: the panel's surveys, their trust and demographics questions, and
the answers to those.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from django.db.models import Q

from panels.census import FIVE_GROUPS
from panels.models import Panel
from surveys import vocab
from surveys.building.models import Question, Survey
from surveys.responding.models import Answer
from surveys.results.report import part_value
from surveys.stats import TrustBreakdown, TrustChange, TrustShare, trust_breakdown, trust_changes

TRUST_PREFIX = "trust."
POSITIVE = {
    "rating": {"excellent", "good"},
    "agreement": {"strongly_agree", "tend_to_agree"},
    # The stop-and-search question is a single choice whose options are the confidence labels themselves.
    "confidence": {label for code, label in vocab.CONFIDENCE if code in ("very", "fairly")},
}
# Each trust question's answers are counted among these (anything else, e.g. a value from an edited question, is
# left out of the base).
ANSWERS = {
    "rating": {code for code, _ in vocab.RATING},
    "agreement": {code for code, _ in vocab.AGREEMENT},
    "confidence": {label for _, label in vocab.CONFIDENCE},
}
POSITIVE_WORDS = {
    "rating": "excellent or good",
    "agreement": "strongly or tend to agree",
    "confidence": "very or fairly confident",
}
STATEMENT_LABELS = [
    "Can be relied on to be there",
    "Would treat you with respect",
    "Treat everyone fairly",
    "Understand local issues",
    "Deal with what matters here",
    "Listen to local concerns",
    "Confidence in local police",
]


@dataclass(frozen=True)
class Measure:
    code: str  # "trust.good_job", "trust.agree_statements.6", "trust.stop_search_fair"
    label: str  # short, for charts and table headings
    text: str  # the wording asked
    scale: str  # a key of POSITIVE

    @property
    def positive_words(self) -> str:
        return POSITIVE_WORDS[self.scale]


def _measures() -> list[Measure]:
    measures: list[Measure] = []
    for q in vocab.TRUST_SET:
        code = TRUST_PREFIX + q.code
        if q.kind == "matrix":
            for i, (statement, label) in enumerate(zip(q.options, STATEMENT_LABELS, strict=True)):
                measures.append(Measure(f"{code}.{i}", label, statement, q.scale))
        elif q.kind == "rating":
            measures.append(Measure(code, "Police do a good job", q.text, "rating"))
        else:
            measures.append(Measure(code, "Stop and search used fairly", q.text, "confidence"))
    return measures


MEASURES: list[Measure] = _measures()


@dataclass(frozen=True)
class Dimension:
    key: str  # the demographics part
    label: str
    groups: tuple[tuple[str, str], ...]  # (code, label)


def _part_groups(key: str) -> tuple[tuple[str, str], ...]:
    return tuple(next(p for p in vocab.DEMOGRAPHIC_PARTS if p.key == key).choices)


# Ethnicity by the five Census 2021 groups (as results and the disproportionality statistics show it).
DIMENSIONS: list[Dimension] = [
    Dimension("ethnic_group", "Ethnic group", tuple((g, g) for g in FIVE_GROUPS)),
    Dimension("age_band", "Age", _part_groups("age_band")),
    Dimension("sex", "Sex", _part_groups("sex")),
    Dimension("disability", "Long-term condition", _part_groups("disability")),
]


@dataclass(frozen=True)
class Wave:
    key: str  # the first survey of the version chain, as a string
    title: str
    surveys: tuple[int, ...]
    first_day: dt.date
    last_day: dt.date
    responses: int  # responses answering at least one trust measure

    @property
    def label(self) -> str:
        first, last = self.first_day, self.last_day
        if (first.year, first.month) == (last.year, last.month):
            period = first.strftime("%B %Y")
        elif first.year == last.year:
            period = f"{first.strftime('%B')} to {last.strftime('%B %Y')}"
        else:
            period = f"{first.strftime('%B %Y')} to {last.strftime('%B %Y')}"
        return f"{self.title} ({period})"


@dataclass(frozen=True)
class MeasureReport:
    measure: Measure
    overall: dict[str, TrustShare]  # wave key -> share
    changes: list[TrustChange]  # wave to next wave
    by_group: dict[str, dict[str, TrustBreakdown]]  # dimension -> wave key -> breakdown
    group_changes: dict[str, dict[str, list[TrustChange]]]  # dimension -> group -> changes


@dataclass(frozen=True)
class TrustReport:
    panel: Panel
    waves: list[Wave]
    measures: list[MeasureReport] = field(default_factory=list)
    dimensions: list[Dimension] = field(default_factory=lambda: list(DIMENSIONS))

    def shared(self) -> TrustReport:
        """The report as anything beyond the panel may show it: suppressed shares and changes carry no numbers."""
        return replace(self, measures=[_shared_measure(m) for m in self.measures])


def _shared_change(change: TrustChange) -> TrustChange:
    return replace(change, change=None) if change.suppressed else change


def _shared_measure(m: MeasureReport) -> MeasureReport:
    return replace(
        m,
        overall={w: s.shared() for w, s in m.overall.items()},
        changes=[_shared_change(c) for c in m.changes],
        by_group={
            d: {
                w: TrustBreakdown(b.overall.shared(), {g: s.shared() for g, s in b.groups.items()})
                for w, b in waves.items()
            }
            for d, waves in m.by_group.items()
        },
        group_changes={
            d: {g: [_shared_change(c) for c in cs] for g, cs in groups.items()} for d, groups in m.group_changes.items()
        },
    )


def _positive(measure: Measure, value: Any) -> bool | None:
    """True/False for a countable answer to the measure; None when it does not count (not answered, unknown)."""
    if not isinstance(value, str) or value not in ANSWERS[measure.scale]:
        return None
    return value in POSITIVE[measure.scale]


def _wave_roots(panel: Panel) -> tuple[dict[int, int], dict[int, str]]:
    """Each of the panel's surveys -> the first survey of its version chain; and each survey's title."""
    previous: dict[int, int | None] = {}
    titles: dict[int, str] = {}
    for pk, previous_pk, title in Survey.objects.filter(panel=panel).values_list("pk", "previous_version_id", "title"):
        previous[pk], titles[pk] = previous_pk, title
    roots: dict[int, int] = {}
    for pk in previous:
        root, seen = pk, {pk}
        while (before := previous.get(root)) is not None and before not in seen:
            root = before
            seen.add(root)
        roots[pk] = root
    return roots, titles


def trust_report(panel: Panel) -> TrustReport:
    """Every trust measure of the panel's surveys, by wave and by group, with the change from wave to wave.

    For the panel's own eyes; call `.shared()` on the result before showing it to anyone else. Access is the
    caller's to check (the panel's survey permissions).
    """
    roots, titles = _wave_roots(panel)
    demographics, trust = _trust_questions(panel)
    if not trust:
        return TrustReport(panel=panel, waves=[])
    read = _read_answers(trust, demographics, roots)
    waves = sorted(
        (
            Wave(
                key=key,
                title=titles[int(key)],
                surveys=tuple(sorted(read.surveys_in[key])),
                first_day=min(dates),
                last_day=max(dates),
                responses=len(dates),
            )
            for key, dates in read.days.items()
        ),
        key=lambda w: (w.first_day, int(w.key)),
    )
    order = [w.key for w in waves]
    reports = [_measure_report(measure, read, order) for measure in MEASURES if measure.code in read.given]
    return TrustReport(panel=panel, waves=waves, measures=reports)


def _trust_questions(panel: Panel) -> tuple[dict[int, int], dict[int, str]]:
    """Each of the panel's surveys' first demographics question (survey -> question), and its trust questions
    (question -> standard code)."""
    questions = Question.objects.filter(
        Q(kind=Question.Kind.DEMOGRAPHICS) | Q(standard_code__startswith=TRUST_PREFIX), survey__panel=panel
    ).values_list("pk", "survey_id", "kind", "standard_code")
    demographics: dict[int, int] = {}
    trust: dict[int, str] = {}
    for pk, survey_id, kind, code in sorted(questions):
        if kind == Question.Kind.DEMOGRAPHICS:
            demographics.setdefault(survey_id, pk)
        else:
            trust[pk] = code
    return demographics, trust


@dataclass
class _TrustAnswers:
    """The trust answers of a panel's surveys, read once (`_read_answers`)."""

    # measure code -> (response, positive) for each answer that counts
    given: dict[str, list[tuple[int, bool]]] = field(default_factory=lambda: defaultdict(list))
    demographic_of: dict[int, dict[str, Any]] = field(default_factory=dict)  # response -> its demographics answer
    wave_of: dict[int, str] = field(default_factory=dict)  # response -> its wave's key
    days: dict[str, list[dt.date]] = field(default_factory=lambda: defaultdict(list))  # wave -> its responses' days
    surveys_in: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))  # wave -> its surveys


def _read_answers(trust: dict[int, str], demographics: dict[int, int], roots: dict[int, int]) -> _TrustAnswers:
    rows = Answer.objects.filter(question_id__in=[*trust, *demographics.values()]).values_list(
        "response_id", "question_id", "value", "response__submitted_on", "response__survey_id"
    )
    measures = {m.code: m for m in MEASURES}
    read = _TrustAnswers()
    for response_id, question_id, value, day, survey_id in rows:
        if question_id not in trust:
            if demographics.get(survey_id) == question_id and isinstance(value, dict):
                read.demographic_of[response_id] = value
            continue
        code = trust[question_id]
        answered: list[tuple[str, Any]] = (
            [(f"{code}.{i}", v) for i, v in value.items()] if isinstance(value, dict) else [(code, value)]
        )
        counted = False
        for measure_code, v in answered:
            measure = measures.get(measure_code)
            positive = _positive(measure, v) if measure else None
            if positive is not None:
                read.given[measure_code].append((response_id, positive))
                counted = True
        if counted and response_id not in read.wave_of:
            wave = str(roots[survey_id])
            read.wave_of[response_id] = wave
            read.days[wave].append(day)
            read.surveys_in[wave].add(survey_id)
    return read


def _measure_report(measure: Measure, read: _TrustAnswers, order: list[str]) -> MeasureReport:
    """One measure overall and by group, in each wave (`order`: the waves' keys, first first)."""
    per_wave: dict[str, list[tuple[int, bool]]] = defaultdict(list)
    for response_id, positive in read.given[measure.code]:
        per_wave[read.wave_of[response_id]].append((response_id, positive))
    overall = {w: trust_breakdown([(p, None) for _, p in per_wave[w]]).overall for w in order if w in per_wave}
    by_group: dict[str, dict[str, TrustBreakdown]] = {}
    group_changes: dict[str, dict[str, list[TrustChange]]] = {}
    for dimension in DIMENSIONS:
        codes = [code for code, _ in dimension.groups]
        by_group[dimension.key] = {
            w: trust_breakdown(
                [(p, part_value(read.demographic_of.get(r), dimension.key)) for r, p in per_wave[w]], codes
            )
            for w in order
            if w in per_wave
        }
        group_changes[dimension.key] = {
            g: trust_changes(order, {w: b.groups[g] for w, b in by_group[dimension.key].items()}) for g in codes
        }
    return MeasureReport(
        measure=measure,
        overall=overall,
        changes=trust_changes(order, overall),
        by_group=by_group,
        group_changes=group_changes,
    )
