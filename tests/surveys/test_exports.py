"""Exports read back: the responses (one row per response, codes and labels) and the results, as CSV and XLSX; the
shared results export hides small numbers that the panel's export shows."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from panels.models import Panel, User
from surveys.building.models import Survey
from surveys.results.exports import responses_export, results_export, safe
from surveys.results.report import SUPPRESSED_LABEL, survey_results
from surveys.stats import SamplingDesign
from tests.surveys.results_data import BLACK_AFRICAN, INDIAN, WHITE_BRITISH, respond, results_survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(panel: Panel, coordinator: User) -> Survey:
    s = results_survey(panel, by=coordinator)
    respond(s, by=coordinator, count=3, q1="Yes", q2='=HYPERLINK("http://x")', q5_ethnic_group=WHITE_BRITISH)
    respond(s, by=coordinator, count=12, q1="No", q3="tend_to_agree", q4="Fine, ta")
    return s


def read_csv(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def read_xlsx(content: bytes, sheet: str) -> list[list[Any]]:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return [list(row) for row in workbook[sheet].iter_rows(values_only=True)]


def as_dicts(rows: list[list[Any]]) -> list[dict[str, Any]]:
    heading, *body = rows
    return [dict(zip(heading, row, strict=True)) for row in body]


def test_the_responses_csv_has_one_row_per_response_with_codes_and_labels(survey: Survey) -> None:
    rows = as_dicts(read_csv(responses_export(survey, "csv")))
    assert len(rows) == 15
    first = rows[0]
    assert first["channel"] == "paper"
    assert (first["Q1 code"], first["Q1 label"]) == ("Yes", "Yes")
    assert first["Q5 ethnic_group code"] == WHITE_BRITISH
    assert first["Q5 ethnic_group label"] == "English, Welsh, Scottish, Northern Irish or British"
    assert first["Q3 code"] == ""
    last = rows[-1]
    assert (last["Q3 code"], last["Q3 label"]) == ("tend_to_agree", "Tend to agree")
    assert last["Q4"] == "Fine, ta"
    assert sorted(int(r["response"]) for r in rows) == sorted(survey.responses.values_list("pk", flat=True))


def test_a_formula_in_an_answer_stays_text(survey: Survey) -> None:
    rows = as_dicts(read_csv(responses_export(survey, "csv")))
    assert rows[0]["Q2"] == '\'=HYPERLINK("http://x")'
    assert safe("-3") == "'-3"
    assert safe(-3) == -3
    assert safe("fine") == "fine"


def test_the_responses_xlsx_reads_back_the_same_with_a_key_to_the_questions(survey: Survey) -> None:
    content = responses_export(survey, "xlsx")
    rows = as_dicts(read_xlsx(content, "Responses"))
    assert len(rows) == 15
    assert (rows[-1]["Q3 code"], rows[-1]["Q3 label"]) == ("tend_to_agree", "Tend to agree")
    assert rows[0]["response"] == survey.responses.order_by("pk").first().pk  # type: ignore[union-attr]
    key = read_xlsx(content, "Questions")
    assert key[1] == ["Q1", "single", "Have you been stopped and searched?"]


def result_row(rows: list[dict[str, Any]], question: str, code: str) -> dict[str, Any]:
    return next(r for r in rows if r["question"] == question and r["answer code"] == code and not r["table"])


def test_the_panels_results_export_has_every_count_and_the_shared_one_hides_small_numbers(survey: Survey) -> None:
    panel_rows = as_dicts([r for r in read_csv(results_export(survey, "csv", audience="panel")) if len(r) == 11])
    shared_rows = as_dicts([r for r in read_csv(results_export(survey, "csv", audience="shared")) if len(r) == 11])
    yes = result_row(panel_rows, "Q1", "Yes")
    assert (yes["count"], yes["base"], yes["percent"]) == ("3", "15", "20.0")
    assert (yes["interval low"], yes["interval high"]) == ("7.0", "45.2")  # Wilson, 3 of 15
    shared_yes = result_row(shared_rows, "Q1", "Yes")
    assert shared_yes["count"] == SUPPRESSED_LABEL
    assert (shared_yes["percent"], shared_yes["interval low"]) == ("", "")
    # The 12 "No" would give the 3 away by subtraction from 15, so it goes too.
    assert result_row(shared_rows, "Q1", "No")["count"] == SUPPRESSED_LABEL
    assert result_row(panel_rows, "Q1", "No")["count"] == "12"


def test_the_results_xlsx_reads_back_with_the_method_sentence(survey: Survey) -> None:
    rows = read_xlsx(results_export(survey, "xlsx", audience="shared"), "Results")
    table = as_dicts([r for r in rows if len(r) == 11 and r[0] is not None and r[1] is not None])
    assert result_row(table, "Q3", "tend_to_agree")["count"] == 12
    assert result_row(table, "Q1", "Yes")["count"] == SUPPRESSED_LABEL
    notes = [r[0] for r in rows if r and r[0] and r[1] is None]
    assert any("opt-in" in str(n) for n in notes)


def test_a_weighted_probability_samples_results_export_has_margins_n_eff_and_the_weighting_sentence(
    panel: Panel, coordinator: User
) -> None:
    s = results_survey(panel, by=coordinator)
    s.sampling_design = SamplingDesign.PROBABILITY
    s.save(update_fields=["sampling_design"])
    # One of each five group, so raking to the Census can be done (post-stratification on one margin).
    respond(s, by=coordinator, count=6, q1="No", q5_ethnic_group=WHITE_BRITISH)
    for code in (INDIAN, BLACK_AFRICAN, "9", "18"):
        respond(s, by=coordinator, q1="Yes", q2="x", q5_ethnic_group=code)
    results = survey_results(s)
    assert results.reporting.weighted

    rows = as_dicts(read_csv(results_export(s, "csv", audience="panel"))[: _first_blank(s)])
    yes = next(r for r in rows if r["question"] == "Q1" and r["answer code"] == "Yes")
    q1 = results.questions[0].tables[0]
    cell = next(row.cells[0] for row in q1.rows if row.code == "Yes")
    assert yes["margin of error (points)"] == str(round(100 * (cell.margin_of_error or 0), 1))
    assert yes["effective sample size"] == str(round(q1.n_eff or 0, 1))
    assert float(yes["margin of error (points)"]) > 0
    text = read_csv(results_export(s, "csv", audience="panel"))
    assert [results.reporting.note] in text
    assert results.weighting_note
    assert [results.weighting_note] in text


def test_an_unweighted_probability_sample_says_why_in_its_export(panel: Panel, coordinator: User) -> None:
    s = results_survey(panel, by=coordinator)
    s.sampling_design = SamplingDesign.PROBABILITY
    s.save(update_fields=["sampling_design"])
    respond(s, by=coordinator, count=12, q1="No", q5_ethnic_group=WHITE_BRITISH)  # nobody else: cannot be raked
    text = read_csv(results_export(s, "csv", audience="panel"))
    assert "margin of error (points)" not in text[0]
    assert any(row and row[0].startswith("Not weighted") for row in text)


def _first_blank(s: Survey) -> int:
    text = read_csv(results_export(s, "csv", audience="panel"))
    return next(i for i, row in enumerate(text) if not row)
