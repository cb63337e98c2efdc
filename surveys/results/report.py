"""Results of a survey, assembled from its answers: counts, percentages and Wilson intervals per question, breakdowns
by a demographic question, small numbers suppressed for anything shared beyond the panel, and weighting for
probability samples. The arithmetic is surveys/stats.py; this module only reads rows and arranges them.

Two audiences (docs/survey-results.md):

- the panel itself ("panel"): every count, with cells under 10 marked so that nobody copies them out by mistake;
- anyone beyond the panel ("shared": the shared page and the shared exports): cells hidden by `suppress_table`
  (primary and secondary suppression), and no free text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from statistics import median
from typing import Any

from common.intervals import wilson_interval
from panels.census import population_by_five_group
from surveys import vocab
from surveys.building.models import Question, Survey, answer_choices
from surveys.building.selectors import survey_questions
from surveys.responding.models import Answer, Response
from surveys.stats import (
    SUPPRESSION_THRESHOLD,
    RakingError,
    Reporting,
    SamplingDesign,
    effective_sample_size,
    rake,
    reporting_for,
    suppress_table,
    weighted_proportion,
)


class Audience(StrEnum):
    PANEL = "panel"
    SHARED = "shared"


# The note shown beside an opt-in survey's intervals: they are the Wilson intervals the issue asks for, but they say
# nothing about the area, which is why the opt-in sentence still stands.
OPT_IN_INTERVAL_NOTE = (
    "The ranges beside each percentage (Wilson 95% intervals) show only how far a share could move by chance "
    "among people like those who answered; they are not a margin of error for everyone in the area."
)
# One word for every hidden cell, whether hidden for being under 10 or to protect one that is: "fewer than 10" would
# be untrue of the second kind, and two labels would tell a reader which cells are the small ones.
SUPPRESSED_LABEL = "suppressed"
ETHNICITY_PART = "ethnic_group"

# Demographic parts a result can be broken down by (the postcode district has too many values to break down by).
BREAKDOWN_PARTS = [p for p in vocab.DEMOGRAPHIC_PARTS if p.choices]


def design_of(survey: Survey) -> SamplingDesign:
    """How the survey's respondents were found, as its builders recorded it (Survey.sampling_design)."""
    return SamplingDesign(survey.sampling_design or SamplingDesign.OPT_IN)


# A probability sample whose results are shown unweighted (weighting impossible, or a breakdown asked for) must not
# carry PROBABILITY_NOTE, which promises weights and margins of error: it is reported like an opt-in survey, saying why.
UNWEIGHTED_PROBABILITY_NOTE = (
    "This was a probability sample, but these figures are not weighted (the reason is below), so they describe the "
    "people who answered and carry no margin of error."
)
BREAKDOWN_UNWEIGHTED_NOTE = (
    "Not weighted: broken-down results are shown unweighted, as counts and shares of those in each group who "
    "answered. Remove the breakdown to see the weighted figures with their margins of error."
)


# --- The rows, read once ---------------------------------------------------------------------------------------------


@dataclass
class SurveyData:
    survey: Survey
    questions: list[Question]
    response_ids: list[int]
    # response id -> question id -> (value, other text)
    answers: dict[int, dict[int, tuple[Any, str]]]
    responses: list[Response] = field(default_factory=list)  # only when read with the responses (exports)


def read_survey_data(survey: Survey, *, with_responses: bool = False) -> SurveyData:
    """Two or three queries whatever the number of responses: the questions, the answers, and (for exports) the
    responses themselves."""
    questions = survey_questions(survey)
    answers: dict[int, dict[int, tuple[Any, str]]] = {}
    rows = (
        Answer.objects.filter(response__survey=survey)
        .order_by("response_id", "question_id")
        .values_list("response_id", "question_id", "value", "other_text")
    )
    for response_id, question_id, value, other in rows:
        answers.setdefault(response_id, {})[question_id] = (value, other)
    responses: list[Response] = []
    if with_responses:
        responses = list(Response.objects.filter(survey=survey).order_by("pk"))
        response_ids = [r.pk for r in responses]
    else:
        response_ids = sorted(answers)
    return SurveyData(survey, questions, response_ids, answers, responses)


# --- What one question's answers are counted as ----------------------------------------------------------------------


def label_of(question: Question, code: Any) -> str:
    return dict(answer_choices(question)).get(str(code), str(code))


def part_choices(part_key: str) -> list[tuple[str, str]]:
    """The groups of a demographic part as results show them: ethnicity by the five Census 2021 groups."""
    if part_key == ETHNICITY_PART:
        return [(g, g) for g in vocab.census.FIVE_GROUPS] + [vocab.PREFER_NOT]
    part = next(p for p in vocab.DEMOGRAPHIC_PARTS if p.key == part_key)
    return [*part.choices, vocab.PREFER_NOT]


def part_value(value: Any, part_key: str) -> str | None:
    if not isinstance(value, dict):
        return None
    raw = value.get(part_key)
    if raw is None:
        return None
    if part_key == ETHNICITY_PART and raw != vocab.PREFER_NOT[0]:
        return vocab.five_group_of(raw)
    return str(raw)


# --- Tables ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One figure as an audience may see it: count None when hidden; share/low/high as fractions."""

    count: int | None
    base: int
    share: float | None
    low: float | None
    high: float | None
    small: bool  # under the threshold (the panel sees it, marked)
    hidden: bool = False  # suppressed for this audience
    margin_of_error: float | None = None

    # Percentages for pages and exports (the fractions times 100).
    @property
    def percent(self) -> float | None:
        return None if self.share is None else 100 * self.share

    @property
    def low_percent(self) -> float | None:
        return None if self.low is None else 100 * self.low

    @property
    def high_percent(self) -> float | None:
        return None if self.high is None else 100 * self.high

    @property
    def moe_points(self) -> float | None:
        return None if self.margin_of_error is None else 100 * self.margin_of_error


@dataclass
class Row:
    code: str
    label: str
    cells: list[Cell]  # one per column (a single column when there is no breakdown)


@dataclass
class Table:
    title: str  # the statement (matrix) or demographic part, or "" for the question itself
    columns: list[str]  # column headings; [""] when there is no breakdown
    bases: list[int | None]  # respondents answering in each column; None when hidden
    rows: list[Row]
    n_eff: float | None = None  # weighted probability samples
    multiple: bool = False  # shares may add up to more than 100%


@dataclass
class NumberSummary:
    count: int | None
    median: float | None
    minimum: int | None
    maximum: int | None


@dataclass
class QuestionResult:
    number: int
    question: Question
    answered: int
    tables: list[Table] = field(default_factory=list)
    number_summary: NumberSummary | None = None
    texts: list[str] = field(default_factory=list)  # free text (and "Other, please say"): panel only
    text_count: int = 0


@dataclass
class BreakdownChoice:
    key: str  # "<question pk>-<part>" for a demographics part, "<question pk>" for a single-choice question
    label: str


@dataclass
class SurveyResults:
    survey: Survey
    audience: Audience
    reporting: Reporting
    responses: int
    questions: list[QuestionResult]
    breakdown: BreakdownChoice | None
    breakdown_choices: list[BreakdownChoice]
    weighting_note: str = ""
    interval_note: str = ""


def _cell(count: int, base: int, *, small: bool, hidden: bool) -> Cell:
    if hidden:
        return Cell(None, base, None, None, None, small=small, hidden=True)
    interval = wilson_interval(count, base) if base else None
    return Cell(
        count,
        base,
        count / base if base else None,
        interval[0] if interval else None,
        interval[1] if interval else None,
        small=small,
    )


def build_table(
    title: str,
    choices: Sequence[tuple[str, str]],
    columns: Sequence[str],
    counts: Sequence[Sequence[int]],
    bases: Sequence[int],
    audience: Audience,
    *,
    multiple: bool = False,
) -> Table:
    """A table of counts (rows = choices, columns = groups) with shares of each column's base and Wilson intervals.

    Shared: cells hidden by suppress_table (primary and secondary), and bases under the threshold hidden with every
    cell in their column. Panel: every count shown, those under the threshold marked small.
    """
    flags = suppress_table(counts) if counts else None
    rows: list[Row] = []
    hidden_bases = [audience is Audience.SHARED and b < SUPPRESSION_THRESHOLD for b in bases]
    if flags is not None and audience is Audience.SHARED:
        for c, flag in enumerate(flags.column_totals):
            # Multiple-choice columns add up to more than the base, so their base is checked by itself above.
            if flag is not None and not multiple:
                hidden_bases[c] = True
    for r, (code, label) in enumerate(choices):
        cells = []
        for c, count in enumerate(counts[r]):
            hidden = audience is Audience.SHARED and (
                hidden_bases[c] or (flags is not None and flags.cells[r][c] is not None)
            )
            cells.append(_cell(count, bases[c], small=count < SUPPRESSION_THRESHOLD, hidden=hidden))
        rows.append(Row(code, label, cells))
    shown_bases: list[int | None] = [None if h else b for b, h in zip(bases, hidden_bases, strict=True)]
    return Table(title, list(columns), shown_bases, rows, multiple=multiple)


def _weighted_table(
    title: str,
    choices: Sequence[tuple[str, str]],
    values: Mapping[int, set[str]],
    weights: Mapping[int, float],
    audience: Audience,
    *,
    multiple: bool = False,
) -> Table:
    """A single-column table for a weighted probability sample: counts are people, shares and intervals weighted."""
    answered = list(values)
    counts = [[sum(1 for rid in answered if code in values[rid])] for code, _ in choices]
    table = build_table(title, choices, [""], counts, [len(answered)], audience, multiple=multiple)
    answered_weights = [weights.get(rid, 1.0) for rid in answered]
    for row in table.rows:
        cell = row.cells[0]
        if cell.hidden:
            continue
        weighted = weighted_proportion([row.code in values[rid] for rid in answered], answered_weights)
        if weighted is None:
            continue
        row.cells[0] = Cell(
            cell.count,
            cell.base,
            weighted.share,
            weighted.low,
            weighted.high,
            small=cell.small,
            margin_of_error=weighted.margin_of_error,
        )
    table.n_eff = effective_sample_size(answered_weights) if answered_weights else None
    return table


# --- A question's values per respondent ------------------------------------------------------------------------------


def _values_for(question: Question, value: Any, other: str) -> set[str]:
    """The codes one answer counts under, for single/multiple/agreement/rating/scale questions."""
    K = Question.Kind
    if question.kind == K.MULTIPLE:
        return {str(v) for v in value} if isinstance(value, list) else set()
    if question.kind == K.RANKING:
        return {str(value[0])} if isinstance(value, list) and value else set()  # ranked first
    return {str(value)}


def _group_of(data: SurveyData, breakdown: BreakdownChoice | None) -> tuple[list[str], dict[int, str]]:
    """Column headings and each response's column for a breakdown (responses in no column are left out)."""
    if breakdown is None:
        return [""], {rid: "" for rid in data.response_ids}
    question_pk, _, part = breakdown.key.partition("-")
    qid = int(question_pk)
    question = next(q for q in data.questions if q.pk == qid)
    groups: dict[int, str] = {}
    if part:
        choices = part_choices(part)
        for rid in data.response_ids:
            answer = data.answers.get(rid, {}).get(qid)
            value = part_value(answer[0], part) if answer else None
            if value is not None:
                groups[rid] = value
    else:
        choices = answer_choices(question)
        for rid in data.response_ids:
            answer = data.answers.get(rid, {}).get(qid)
            if answer is not None:
                groups[rid] = str(answer[0])
    labels = dict(choices)
    columns = [code for code, _ in choices]
    return [labels[c] for c in columns], {rid: labels.get(g, g) for rid, g in groups.items()}


def breakdown_choices(questions: Sequence[Question]) -> list[BreakdownChoice]:
    result: list[BreakdownChoice] = []
    for number, q in enumerate(questions, start=1):
        if q.kind == Question.Kind.DEMOGRAPHICS:
            for part in BREAKDOWN_PARTS:
                label = "Ethnic group (five Census groups)" if part.key == ETHNICITY_PART else part.label
                result.append(BreakdownChoice(f"{q.pk}-{part.key}", f"Question {number}: {label}"))
        elif q.kind == Question.Kind.SINGLE:
            result.append(BreakdownChoice(str(q.pk), f"Question {number}: {q.text}"))
    return result


# --- Weighting -------------------------------------------------------------------------------------------------------


def rake_to_census(survey: Survey, data: SurveyData) -> tuple[dict[int, float], str]:
    """Weights raked to the Census 2021 five-group margins of the survey's force area, from the first demographics
    question's ethnic group; ({}, why not) when it cannot be done, in which case results are left unweighted.

    The reasons are checked here, before `rake`, so that the page can say in plain words what is missing.
    """
    demographics = next((q for q in data.questions if q.kind == Question.Kind.DEMOGRAPHICS), None)
    if demographics is None:
        return {}, (
            "Not weighted: the survey has no “About you” question asking for ethnic group, so there is nothing to "
            "weight by."
        )
    area = survey.panel.force_area
    try:
        margin = population_by_five_group(area.code)
    except KeyError:
        return {}, f"Not weighted: there are no Census 2021 figures for {area.name}."
    respondents: list[dict[str, str | None]] = []
    for rid in data.response_ids:
        answer = data.answers.get(rid, {}).get(demographics.pk)
        group = part_value(answer[0], ETHNICITY_PART) if answer else None
        respondents.append({"ethnicity": None if group == vocab.PREFER_NOT[0] else group})
    present = {r["ethnicity"] for r in respondents} - {None}
    if not present:
        return {}, "Not weighted: nobody who answered gave their ethnic group, so there is nothing to weight by."
    total = sum(margin.values())
    missing = [g for g in vocab.census.FIVE_GROUPS if margin.get(g, 0) > 0 and g not in present]
    if missing:
        listed = "; ".join(f"{g} ({margin[g] / total:.1%} of residents)" for g in missing)
        return {}, (
            f"Not weighted: no respondent gave an ethnic group in {_and_list(missing)}, so nobody can stand for "
            f"{'that group' if len(missing) == 1 else 'those groups'} of {area.name}’s population at the 2021 "
            f"Census ({listed}). Weighting needs at least one respondent in each of the five groups."
        )
    try:
        result = rake(respondents, {"ethnicity": margin})
    except RakingError as exc:
        return {}, f"Not weighted: {exc}."
    weights = dict(zip(data.response_ids, result.weights, strict=True))
    return weights, (
        f"Weighted to the Census 2021 population of {area.name} by ethnic group (five groups); effective "
        f"sample size {effective_sample_size(result.weights):.1f} of {len(result.weights)} responses."
    )


def _and_list(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


# --- Assembly --------------------------------------------------------------------------------------------------------


def survey_results(
    survey: Survey,
    *,
    audience: Audience | str = Audience.PANEL,
    breakdown: str | None = None,
    design: SamplingDesign | str | None = None,
    data: SurveyData | None = None,
) -> SurveyResults:
    """Every question's results for an audience, optionally broken down by a demographic (or single-choice) question.

    Weighted (probability samples only) results are not broken down: a breakdown shows counts and unweighted shares.
    A probability sample shown unweighted (a breakdown, or weighting impossible) is reported without a margin of
    error, `reporting.weighted` False, and `weighting_note` saying why.
    """
    audience = Audience(audience)
    data = data or read_survey_data(survey)
    reporting = reporting_for(design if design is not None else design_of(survey))
    choices = breakdown_choices(data.questions)
    chosen = next((c for c in choices if c.key == breakdown), None)
    columns, group = _group_of(data, chosen)
    reporting, weights, weighting_note = _weighting(survey, data, reporting, chosen)
    layout = _Layout(columns, group, audience, weights)
    results = [_question_result(number, q, data, layout) for number, q in enumerate(data.questions, start=1)]
    return SurveyResults(
        survey=survey,
        audience=audience,
        reporting=reporting,
        responses=len(data.response_ids),
        questions=results,
        breakdown=chosen,
        breakdown_choices=choices,
        weighting_note=weighting_note,
        interval_note="" if reporting.margin_of_error else OPT_IN_INTERVAL_NOTE,
    )


def _weighting(
    survey: Survey, data: SurveyData, reporting: Reporting, chosen: BreakdownChoice | None
) -> tuple[Reporting, dict[int, float], str]:
    """The weights (none but for a probability sample shown whole), how the results are reported with them, and the
    note saying how they were weighted or why not."""
    if not reporting.weighted:
        return reporting, {}, ""
    if chosen is None:
        weights, weighting_note = rake_to_census(survey, data)
    else:
        weights, weighting_note = {}, BREAKDOWN_UNWEIGHTED_NOTE
    if not weights:
        reporting = Reporting(reporting.design, weighted=False, margin_of_error=False, note=UNWEIGHTED_PROBABILITY_NOTE)
    return reporting, weights, weighting_note


@dataclass(frozen=True)
class _Layout:
    """How every table of one set of results is laid out and counted."""

    columns: Sequence[str]
    group: Mapping[int, str]  # response id -> its column
    audience: Audience
    weights: Mapping[int, float]

    def table(
        self,
        title: str,
        choices: Sequence[tuple[str, str]],
        values: Mapping[int, set[str]],
        *,
        multiple: bool = False,
        weighted: bool = True,
    ) -> Table:
        weights = self.weights if weighted else {}
        return _table(title, choices, self.columns, self.group, values, self.audience, weights, multiple=multiple)


def _question_result(number: int, question: Question, data: SurveyData, layout: _Layout) -> QuestionResult:
    given = {
        rid: data.answers[rid][question.pk] for rid in data.response_ids if question.pk in data.answers.get(rid, {})
    }
    result = QuestionResult(number, question, answered=len(given))
    K = Question.Kind
    if question.kind in (K.SINGLE, K.MULTIPLE, K.AGREEMENT, K.RATING, K.SCALE, K.RANKING):
        values = {rid: _values_for(question, v, o) for rid, (v, o) in given.items()}
        title = "Ranked first" if question.kind == K.RANKING else ""
        result.tables.append(
            layout.table(title, answer_choices(question), values, multiple=question.kind == K.MULTIPLE)
        )
        result.texts = [o for (_, o) in given.values() if o]
    elif question.kind == K.MATRIX:
        for i, statement in enumerate(question.options):
            values = {rid: {str(v[str(i)])} for rid, (v, _) in given.items() if isinstance(v, dict) and str(i) in v}
            result.tables.append(layout.table(statement, answer_choices(question), values))
    elif question.kind == K.DEMOGRAPHICS:
        for part in BREAKDOWN_PARTS:
            values = {}
            for rid, (v, _) in given.items():
                pv = part_value(v, part.key)
                if pv is not None:
                    values[rid] = {pv}
            title = "Ethnic group (five Census groups)" if part.key == ETHNICITY_PART else part.label
            # Demographics are described, never weighted: weighting would make them match the Census by design.
            result.tables.append(layout.table(title, part_choices(part.key), values, weighted=False))
    elif question.kind == K.NUMBER:
        numbers = [int(v) for (v, _) in given.values() if isinstance(v, int | float)]
        small = len(numbers) < SUPPRESSION_THRESHOLD
        if layout.audience is Audience.SHARED and small:
            result.number_summary = NumberSummary(None, None, None, None)
        elif numbers:
            result.number_summary = NumberSummary(len(numbers), median(numbers), min(numbers), max(numbers))
    elif question.kind == K.TEXT:
        result.text_count = len(given)
        result.texts = [str(v) for (v, _) in given.values()]
    if layout.audience is Audience.SHARED:
        # Free text can name people and places: it stays with the panel (themes are shared instead).
        result.texts = []
    return result


def _table(
    title: str,
    choices: Sequence[tuple[str, str]],
    columns: Sequence[str],
    group: Mapping[int, str],
    values: Mapping[int, set[str]],
    audience: Audience,
    weights: Mapping[int, float],
    *,
    multiple: bool = False,
) -> Table:
    if weights:
        return _weighted_table(title, choices, values, weights, audience, multiple=multiple)
    in_column = {col: [rid for rid in values if group.get(rid) == col] for col in columns}
    counts = [[sum(1 for rid in in_column[col] if code in values[rid]) for col in columns] for code, _ in choices]
    bases = [len(in_column[col]) for col in columns]
    return build_table(title, choices, columns, counts, bases, audience, multiple=multiple)


def response_count(survey: Survey) -> int:
    return Response.objects.filter(survey=survey).count()
