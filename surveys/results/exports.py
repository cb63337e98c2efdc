"""Exports of a survey: its responses (one row per response, with codes and labels) and its results, as CSV or XLSX.

Responses are raw data and stay with the panel. Results come in two audiences (surveys/results/report.py): the panel's,
with every count, and the shared one, with small numbers suppressed, for anything that leaves the panel.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook

from surveys import vocab
from surveys.building.models import Question, Survey
from surveys.results.report import (
    BREAKDOWN_PARTS,
    SUPPRESSED_LABEL,
    Audience,
    SurveyData,
    label_of,
    read_survey_data,
    survey_results,
)

Cell = str | int | float | None
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# A cell starting with one of these is a formula to a spreadsheet: a respondent's "=HYPERLINK(…)" must stay text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe(value: Cell) -> Cell:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


# --- Responses -------------------------------------------------------------------------------------------------------


def _columns(number: int, question: Question) -> list[tuple[str, Any]]:
    """(heading, how to read the cells) for one question: codes and labels side by side where the answer is coded."""
    K = Question.Kind
    prefix = f"Q{number}"
    if question.kind == K.MATRIX:
        cols: list[tuple[str, Any]] = []
        for i, _statement in enumerate(question.options):
            cols.append((f"{prefix}.{i + 1} code", ("matrix", i, "code")))
            cols.append((f"{prefix}.{i + 1} label", ("matrix", i, "label")))
        return cols
    if question.kind == K.DEMOGRAPHICS:
        cols = []
        for part in vocab.DEMOGRAPHIC_PARTS:
            cols.append((f"{prefix} {part.key} code", ("part", part.key, "code")))
            if part.choices:
                cols.append((f"{prefix} {part.key} label", ("part", part.key, "label")))
        return cols
    if question.kind in (K.TEXT, K.NUMBER):
        return [(prefix, ("plain",))]
    cols = [(f"{prefix} code", ("coded", "code")), (f"{prefix} label", ("coded", "label"))]
    if question.allow_other:
        cols.append((f"{prefix} other", ("other",)))
    return cols


def _part_label(part_key: str, code: str) -> str:
    part = next(p for p in vocab.DEMOGRAPHIC_PARTS if p.key == part_key)
    return dict([*part.choices, vocab.PREFER_NOT]).get(code, code)


def _read(question: Question, how: tuple[Any, ...], value: Any, other: str) -> Cell:
    if value is None:
        return None
    kind = how[0]
    if kind == "plain":
        return value if isinstance(value, int | float) else str(value)
    if kind == "other":
        return other or None
    if kind == "coded":
        codes = value if isinstance(value, list) else [value]
        if how[1] == "code":
            return "; ".join(str(c) for c in codes) if isinstance(value, list) else value
        return "; ".join(label_of(question, c) for c in codes)
    if kind == "matrix":
        code = value.get(str(how[1])) if isinstance(value, dict) else None
        if code is None:
            return None
        return code if how[2] == "code" else label_of(question, code)
    if kind == "part":
        code = value.get(how[1]) if isinstance(value, dict) else None
        if code is None:
            return None
        return code if how[2] == "code" else _part_label(how[1], code)
    return None  # pragma: no cover


def response_rows(survey: Survey, data: SurveyData | None = None) -> tuple[list[str], list[list[Cell]]]:
    """The heading and one row per response: its id, channel and day, then each question's code and label."""
    data = data or read_survey_data(survey, with_responses=True)
    layout = [(q, _columns(n, q)) for n, q in enumerate(data.questions, start=1)]
    heading = ["response", "channel", "submitted_on"] + [h for _, cols in layout for h, _ in cols]
    rows: list[list[Cell]] = []
    for response in data.responses:
        given = data.answers.get(response.pk, {})
        row: list[Cell] = [response.pk, response.channel, response.submitted_on.isoformat()]
        for question, cols in layout:
            value, other = given.get(question.pk, (None, ""))
            row.extend(_read(question, how, value, other) for _, how in cols)
        rows.append(row)
    return heading, rows


def question_key(survey: Survey) -> list[list[Cell]]:
    """A second sheet for the responses: what each Q number asks."""
    rows: list[list[Cell]] = [["question", "kind", "text"]]
    for number, q in enumerate(read_survey_data(survey).questions, start=1):
        rows.append([f"Q{number}", q.kind, q.text])
        if q.kind == Question.Kind.MATRIX:
            rows.extend([f"Q{number}.{i + 1}", "statement", s] for i, s in enumerate(q.options))
    return rows


# --- Results ---------------------------------------------------------------------------------------------------------


def result_rows(survey: Survey, *, audience: Audience | str, breakdown: str | None = None) -> list[list[Cell]]:
    """One row per question, table, column and answer: count, base, percentage and its interval (percent, one
    decimal place). A weighted probability sample adds the ± margin of error (points) and the table's effective
    sample size. Shared: hidden cells read "suppressed" with nothing else. The method sentences close the sheet."""
    results = survey_results(survey, audience=audience, breakdown=breakdown)
    heading: list[Cell] = [
        "question",
        "text",
        "table",
        "group",
        "answer code",
        "answer",
        "count",
        "base",
        "percent",
        "interval low",
        "interval high",
    ]
    weighted = results.reporting.weighted
    if weighted:
        heading += ["margin of error (points)", "effective sample size"]
    rows: list[list[Cell]] = [heading]
    for qr in results.questions:
        for table in qr.tables:
            for row in table.rows:
                for column, base, cell in zip(table.columns, table.bases, row.cells, strict=True):
                    out: list[Cell] = [f"Q{qr.number}", qr.question.text, table.title, column, row.code, row.label]
                    if cell.hidden:
                        out += [SUPPRESSED_LABEL, base, None, None, None]
                    else:
                        out += [cell.count, base, _pct(cell.share), _pct(cell.low), _pct(cell.high)]
                    if weighted:
                        out += [None, None] if cell.hidden else [_pct(cell.margin_of_error), _n_eff(table.n_eff)]
                    rows.append(out)
        if qr.number_summary is not None:
            s = qr.number_summary
            answered: Cell = s.count if s.count is not None else SUPPRESSED_LABEL
            for label, value in (
                ("answered", answered),
                ("median", s.median),
                ("lowest", s.minimum),
                ("highest", s.maximum),
            ):
                rows.append(
                    [f"Q{qr.number}", qr.question.text, "number", "", "", label, value, None, None, None, None]
                    + ([None, None] if weighted else [])
                )
    rows.append([])
    rows.append([results.reporting.note])
    if results.weighting_note:
        rows.append([results.weighting_note])
    if results.interval_note:
        rows.append([results.interval_note])
    if results.audience is Audience.SHARED:
        rows.append(["Counts under 10 are suppressed, and as many others as needed so that none can be worked out."])
    return rows


def _pct(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


def _n_eff(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


# --- Writing ---------------------------------------------------------------------------------------------------------


def to_csv(rows: Iterable[Sequence[Cell]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([safe(v) for v in row])
    # A byte-order mark so that Excel opens the UTF-8 correctly.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(sheets: Sequence[tuple[str, Iterable[Sequence[Cell]]]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title[:31])
        for row in rows:
            sheet.append([safe(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def responses_export(survey: Survey, fmt: str) -> bytes:
    heading, rows = response_rows(survey)
    if fmt == "csv":
        return to_csv([heading, *rows])
    return to_xlsx([("Responses", [heading, *rows]), ("Questions", question_key(survey))])


def results_export(survey: Survey, fmt: str, *, audience: Audience | str, breakdown: str | None = None) -> bytes:
    rows = result_rows(survey, audience=audience, breakdown=breakdown)
    if fmt == "csv":
        return to_csv(rows)
    return to_xlsx([("Results", rows)])


__all__ = ["BREAKDOWN_PARTS", "FORMATS", "responses_export", "results_export"]
