"""Survey results from stored answers: counts, shares and Wilson intervals as surveys/stats computes them, breakdowns,
and small numbers suppressed for the shared audience but shown (marked) to the panel."""

from __future__ import annotations

from typing import Any

import pytest

from common.intervals import wilson_interval
from panels.models import Panel, User
from surveys.building.models import Question, Survey
from surveys.building.services import QuestionInput, question_add, survey_create, survey_open
from surveys.results.report import (
    OPT_IN_INTERVAL_NOTE,
    Audience,
    QuestionResult,
    design_of,
    read_survey_data,
    survey_results,
)
from surveys.stats import OPT_IN_NOTE, PROBABILITY_NOTE, SamplingDesign
from tests.surveys.results_data import BLACK_AFRICAN, INDIAN, WHITE_BRITISH, respond, results_survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(panel: Panel, coordinator: User) -> Survey:
    """25 responses: Q1 10 Yes and 15 No; Q3 agreement from the 15; Q5 sex: 12 female (all No), 10 male, 3 none."""
    s = results_survey(panel, by=coordinator)
    respond(s, by=coordinator, count=10, q1="Yes", q2="Searched at the station", q5_sex="male")
    respond(s, by=coordinator, count=12, q1="No", q3="tend_to_agree", q5_sex="female", q4="Fine")
    respond(s, by=coordinator, count=3, q1="No", q3="strongly_disagree")
    return s


def question(results: Any, number: int) -> QuestionResult:
    return next(q for q in results.questions if q.number == number)


def cells(result: QuestionResult, table: int = 0) -> dict[str, Any]:
    return {row.code: row.cells for row in result.tables[table].rows}


def test_shares_and_wilson_intervals_match_hand_worked_values(survey: Survey) -> None:
    q1 = question(survey_results(survey), 1)
    yes, no = cells(q1)["Yes"][0], cells(q1)["No"][0]
    assert (yes.count, yes.base, no.count, no.base) == (10, 25, 15, 25)
    assert yes.share == pytest.approx(0.4)
    # 10 of 25: p = 0.4, centre 0.4133, half-width 0.1790 (docs/survey-methods.md's formula by hand).
    assert (yes.low, yes.high) == pytest.approx((0.2340, 0.5926), abs=5e-4)
    assert (no.low, no.high) == pytest.approx((0.4074, 0.7660), abs=5e-4)
    assert (yes.low, yes.high) == wilson_interval(10, 25)


def test_the_base_is_those_who_answered_the_question(survey: Survey) -> None:
    q3 = question(survey_results(survey), 3)
    agree = cells(q3)["tend_to_agree"][0]
    assert (agree.count, agree.base) == (12, 15)
    assert q3.answered == 15
    assert (agree.low, agree.high) == wilson_interval(12, 15)


def test_the_panel_sees_small_counts_marked_and_the_shared_audience_does_not_see_them(survey: Survey) -> None:
    panel_q3 = cells(question(survey_results(survey, audience=Audience.PANEL), 3))
    shared_q3 = cells(question(survey_results(survey, audience=Audience.SHARED), 3))
    assert panel_q3["strongly_disagree"][0].count == 3
    assert panel_q3["strongly_disagree"][0].small
    assert not panel_q3["strongly_disagree"][0].hidden
    hidden = shared_q3["strongly_disagree"][0]
    assert hidden.hidden
    assert (hidden.count, hidden.share, hidden.low, hidden.high) == (None, None, None, None)
    # 12 stays: 3 and the zeros are hidden together, so none can be had by subtraction from the base of 15.
    assert shared_q3["tend_to_agree"][0].count == 12


def test_a_lone_small_cell_takes_the_next_smallest_with_it_when_shared(panel: Panel, coordinator: User) -> None:
    s = results_survey(panel, by=coordinator)
    respond(s, by=coordinator, count=3, q1="Yes", q2="x")
    respond(s, by=coordinator, count=12, q1="No")
    shared = cells(question(survey_results(s, audience="shared"), 1))
    panel_view = cells(question(survey_results(s, audience="panel"), 1))
    assert shared["Yes"][0].hidden
    assert shared["No"][0].hidden
    assert (panel_view["Yes"][0].count, panel_view["No"][0].count) == (3, 12)


def test_a_breakdown_by_a_demographic_part_counts_each_group_of_those_who_answered_it(survey: Survey) -> None:
    demographics = survey.questions.get(kind=Question.Kind.DEMOGRAPHICS)
    results = survey_results(survey, breakdown=f"{demographics.pk}-sex")
    q1 = question(results, 1)
    table = q1.tables[0]
    assert table.columns == ["Female", "Male", "Prefer not to say"]
    assert table.bases == [12, 10, 0]  # the 3 who gave no sex are in no column
    yes = cells(q1)["Yes"]
    assert [c.count for c in yes] == [0, 10, 0]
    assert (yes[1].low, yes[1].high) == wilson_interval(10, 10)
    assert results.breakdown is not None
    assert "Your sex" in results.breakdown.label


def test_a_shared_breakdown_hides_small_groups(survey: Survey) -> None:
    demographics = survey.questions.get(kind=Question.Kind.DEMOGRAPHICS)
    q1 = question(survey_results(survey, audience="shared", breakdown=f"{demographics.pk}-sex"), 1)
    # No one said "Prefer not to say": that group's 0 is hidden, and the next smallest (the 10 men) with it, since
    # the groups add up to the number who answered.
    assert q1.tables[0].bases == [12, None, None]
    assert all(c.hidden for c in cells(q1)["Yes"])
    panel_q1 = question(survey_results(survey, audience="panel", breakdown=f"{demographics.pk}-sex"), 1)
    assert panel_q1.tables[0].bases == [12, 10, 0]


def test_ethnic_group_is_broken_down_by_the_five_census_groups(panel: Panel, coordinator: User) -> None:
    s = results_survey(panel, by=coordinator)
    respond(s, by=coordinator, count=2, q1="No", q5_ethnic_group=WHITE_BRITISH)
    respond(s, by=coordinator, count=1, q1="No", q5_ethnic_group=BLACK_AFRICAN)
    respond(s, by=coordinator, count=1, q1="No", q5_ethnic_group=INDIAN)
    q5 = question(survey_results(s), 5)
    ethnicity = next(t for t in q5.tables if t.title.startswith("Ethnic group"))
    assert {r.code: r.cells[0].count for r in ethnicity.rows} == {
        "Asian": 1,
        "Black": 1,
        "Mixed": 0,
        "White": 2,
        "Other": 0,
        "prefer_not": 0,
    }


def test_an_unknown_breakdown_is_ignored(survey: Survey) -> None:
    assert survey_results(survey, breakdown="nonsense").breakdown is None


def test_free_text_stays_with_the_panel(survey: Survey) -> None:
    assert question(survey_results(survey), 2).texts == ["Searched at the station"] * 10
    assert question(survey_results(survey, audience="shared"), 2).texts == []


def test_every_survey_is_opt_in_and_says_why_without_a_margin_of_error(survey: Survey) -> None:
    assert design_of(survey) is SamplingDesign.OPT_IN
    results = survey_results(survey)
    assert results.reporting.note == OPT_IN_NOTE
    assert results.interval_note == OPT_IN_INTERVAL_NOTE
    assert all(c.margin_of_error is None for r in question(results, 1).tables[0].rows for c in r.cells)
    assert results.weighting_note == ""


def test_a_probability_sample_is_raked_to_the_census_and_shows_n_eff_and_margins(
    panel: Panel, coordinator: User
) -> None:
    s = results_survey(panel, by=coordinator)
    groups = [(WHITE_BRITISH, "No", 20), (BLACK_AFRICAN, "Yes", 10), (INDIAN, "No", 10)]
    for code, answer, count in groups:
        respond(s, by=coordinator, count=count, q1=answer, q2="x", q5_ethnic_group=code)
    respond(s, by=coordinator, count=2, q1="No", q5_ethnic_group="18")  # Other
    respond(s, by=coordinator, count=2, q1="No", q5_ethnic_group="9")  # Mixed
    results = survey_results(s, design="probability")
    assert results.reporting.note == PROBABILITY_NOTE
    assert "Census 2021" in results.weighting_note
    table = question(results, 1).tables[0]
    yes = {r.code: r.cells[0] for r in table.rows}["Yes"]
    assert yes.count == 10  # people, unweighted
    assert yes.share != pytest.approx(10 / 44)  # weighted: Black respondents are over-represented here
    assert yes.margin_of_error is not None
    assert yes.low is not None
    assert table.n_eff is not None
    assert table.n_eff < 44


def test_a_probability_sample_that_cannot_be_raked_says_so_and_is_left_unweighted(
    panel: Panel, coordinator: User
) -> None:
    s = results_survey(panel, by=coordinator)
    respond(s, by=coordinator, count=12, q1="No", q5_ethnic_group=WHITE_BRITISH)  # no one in the other groups
    results = survey_results(s, design="probability")
    assert results.weighting_note.startswith("Not weighted:")
    assert question(results, 1).tables[0].n_eff is None


def test_other_kinds_of_question_are_counted(panel: Panel, coordinator: User) -> None:
    s = survey_create(panel=panel, title="Kinds", by=coordinator)
    section = s.sections.get()
    K = Question.Kind
    question_add(
        section=section, data=QuestionInput(kind=K.MULTIPLE, text="Which?", options=["A", "B", "C"], allow_other=True)
    )
    question_add(
        section=section, data=QuestionInput(kind=K.MATRIX, text="Agree?", options=["One", "Two"], scale="agreement")
    )
    question_add(section=section, data=QuestionInput(kind=K.RANKING, text="Rank", options=["X", "Y"]))
    question_add(section=section, data=QuestionInput(kind=K.SCALE, text="0 to 10"))
    question_add(section=section, data=QuestionInput(kind=K.NUMBER, text="How many?", minimum=0, maximum=99))
    survey_open(survey=s)
    respond(
        s,
        by=coordinator,
        count=11,
        q1=["A", "B"],
        q2_0="strongly_agree",
        q2_1="neither",
        q3_0="2",
        q3_1="1",
        q4="7",
        q5="3",
    )
    respond(s, by=coordinator, q1=["other"], q1_other="<script>x</script>", q4="10", q5="9")
    panel_results = survey_results(s)
    multiple = question(panel_results, 1)
    assert {r.code: r.cells[0].count for r in multiple.tables[0].rows} == {"A": 11, "B": 11, "C": 0, "other": 1}
    assert multiple.tables[0].multiple
    assert multiple.texts == ["<script>x</script>"]
    matrix = question(panel_results, 2)
    assert [t.title for t in matrix.tables] == ["One", "Two"]
    assert {r.code: r.cells[0].count for r in matrix.tables[1].rows}["neither"] == 11
    ranking = question(panel_results, 3)
    assert {r.code: r.cells[0].count for r in ranking.tables[0].rows} == {"X": 0, "Y": 11}
    scale = question(panel_results, 4)
    assert {r.code: r.cells[0].count for r in scale.tables[0].rows}["7"] == 11
    number = question(panel_results, 5).number_summary
    assert number is not None
    assert (number.count, number.median, number.minimum, number.maximum) == (12, 3, 3, 9)
    shared = survey_results(s, audience="shared")
    assert question(shared, 5).number_summary is not None
    assert question(shared, 1).texts == []


def test_a_number_question_with_few_answers_is_suppressed_when_shared(panel: Panel, coordinator: User) -> None:
    s = survey_create(panel=panel, title="Numbers", by=coordinator)
    question_add(section=s.sections.get(), data=QuestionInput(kind=Question.Kind.NUMBER, text="How many?"))
    survey_open(survey=s)
    respond(s, by=coordinator, count=4, q1="5")
    summary = question(survey_results(s, audience="shared"), 1).number_summary
    assert summary is not None
    assert summary.count is None
    assert summary.median is None


def test_the_answers_are_read_in_a_fixed_number_of_queries(survey: Survey, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(2):
        read_survey_data(survey)
    with django_assert_num_queries(3):
        read_survey_data(survey, with_responses=True)


# --- The survey's own sampling design --------------------------------------------------------------------------------

# Census 2021 usual residents of Cheshire (E23000006, the test panel's force area), from
# data/census/census2021_pfa_ethnicity_5group.csv, typed in here so that the test does not use the code it checks.
CHESHIRE = {"Asian": 25152, "Black": 6616, "Mixed": 17476, "White": 1038185, "Other": 7943}  # total 1,095,372


def _probability_survey(panel: Panel, coordinator: User) -> Survey:
    s = results_survey(panel, by=coordinator)
    s.sampling_design = SamplingDesign.PROBABILITY
    s.save(update_fields=["sampling_design"])
    return s


def test_the_sampling_design_recorded_on_the_survey_decides_how_it_is_reported(panel: Panel, coordinator: User) -> None:
    s = _probability_survey(panel, coordinator)
    assert design_of(s) is SamplingDesign.PROBABILITY
    respond(s, by=coordinator, count=12, q1="No", q5_ethnic_group=WHITE_BRITISH)
    results = survey_results(s)
    # Only White respondents: weighting is impossible, so the results must not promise weights or margins.
    assert not results.reporting.weighted
    assert results.reporting.note != PROBABILITY_NOTE
    assert "not weighted" in results.reporting.note
    assert results.interval_note == OPT_IN_INTERVAL_NOTE


def test_probability_results_match_raking_worked_by_hand(panel: Panel, coordinator: User) -> None:
    """Ten respondents: six White (No), one Asian (Yes), one Black (Yes), one Mixed (No), one Other (No).

    One margin, so raking is post-stratification and converges in one sweep: each group's weight is its Census
    share times the 10 who answered over the respondents in the group, and the weights already average 1:

        total 1,095,372 residents
        White  1,038,185 / 1,095,372 × 10 / 6 = 0.947792 × 1.6667 = 1.579654   (six of them)
        Asian     25,152 / 1,095,372 × 10 / 1 = 0.022962 × 10     = 0.229621
        Black      6,616 / 1,095,372 × 10 / 1 = 0.006040 × 10     = 0.060400
        Mixed     17,476 / 1,095,372 × 10 / 1 = 0.015954 × 10     = 0.159544
        Other      7,943 / 1,095,372 × 10 / 1 = 0.007251 × 10     = 0.072514
        Σw = 6 × 1.579654 + 0.229621 + 0.060400 + 0.159544 + 0.072514 = 10.000

    Weighted share answering Yes (Asian and Black) = (0.229621 + 0.060400) / 10 = 0.029002, i.e. 2.9%
    (unweighted: 2 of 10, 20%).
    Σw² = 6 × 2.495305 + 0.052726 + 0.003648 + 0.025454 + 0.005258 = 15.058919
    Kish n_eff = (Σw)² / Σw² = 100 / 15.058919 = 6.6406
    Margin of error = 1.96 × √(0.029002 × 0.970998 / 6.6406) = 1.96 × 0.065121 = 0.12763, i.e. ± 12.8 points.
    """
    s = _probability_survey(panel, coordinator)
    respond(s, by=coordinator, count=6, q1="No", q5_ethnic_group=WHITE_BRITISH)
    respond(s, by=coordinator, q1="Yes", q2="x", q5_ethnic_group=INDIAN)
    respond(s, by=coordinator, q1="Yes", q2="x", q5_ethnic_group=BLACK_AFRICAN)
    respond(s, by=coordinator, q1="No", q5_ethnic_group="9")  # White and Asian: Mixed
    respond(s, by=coordinator, q1="No", q5_ethnic_group="18")  # Arab: Other

    results = survey_results(s)  # no design passed: it comes from the survey
    assert results.reporting.weighted
    assert results.reporting.note == PROBABILITY_NOTE
    assert results.interval_note == ""
    total = sum(CHESHIRE.values())
    share = {g: n / total for g, n in CHESHIRE.items()}
    weights = [share["White"] * 10 / 6] * 6 + [share[g] * 10 for g in ("Asian", "Black", "Mixed", "Other")]
    n_eff = sum(weights) ** 2 / sum(w * w for w in weights)
    yes_share = (share["Asian"] + share["Black"]) * 10 / sum(weights)
    assert n_eff == pytest.approx(6.6406, abs=1e-4)
    assert yes_share == pytest.approx(0.029002, abs=1e-6)

    table = question(results, 1).tables[0]
    yes = {r.code: r.cells[0] for r in table.rows}["Yes"]
    assert (yes.count, yes.base) == (2, 10)  # people, unweighted
    assert yes.share == pytest.approx(yes_share, rel=1e-6)
    assert table.n_eff == pytest.approx(n_eff, rel=1e-6)
    assert yes.margin_of_error == pytest.approx(0.12763, abs=1e-5)
    assert yes.low is not None
    assert yes.high is not None
    assert yes.low < yes_share < yes.high
    assert "Cheshire" in results.weighting_note
    assert "effective sample size 6.6 of 10" in results.weighting_note
    # Demographics are described, not weighted: four of the five groups have one respondent each.
    ethnicity = next(t for t in question(results, 5).tables if t.title.startswith("Ethnic group"))
    assert {r.code: r.cells[0].count for r in ethnicity.rows}["White"] == 6
    assert ethnicity.n_eff is None


def test_a_probability_sample_with_an_empty_census_group_says_which_and_stays_unweighted(
    panel: Panel, coordinator: User
) -> None:
    s = _probability_survey(panel, coordinator)
    respond(s, by=coordinator, count=5, q1="No", q5_ethnic_group=WHITE_BRITISH)
    respond(s, by=coordinator, q1="Yes", q2="x", q5_ethnic_group=INDIAN)
    respond(s, by=coordinator, q1="No", q5_ethnic_group="9")
    results = survey_results(s)
    assert results.weighting_note.startswith("Not weighted: no respondent gave an ethnic group in Black or Other")
    assert "Cheshire" in results.weighting_note
    assert all(c.margin_of_error is None for r in question(results, 1).tables[0].rows for c in r.cells)


def test_a_probability_sample_without_an_ethnicity_question_says_so(panel: Panel, coordinator: User) -> None:
    s = survey_create(panel=panel, title="No demographics", sampling_design="probability", by=coordinator)
    question_add(
        section=s.sections.get(), data=QuestionInput(kind=Question.Kind.SINGLE, text="Safe?", options=["Yes", "No"])
    )
    survey_open(survey=s)
    respond(s, by=coordinator, count=3, q1="Yes")
    results = survey_results(s)
    assert results.weighting_note.startswith("Not weighted: the survey has no “About you” question")
    assert not results.reporting.margin_of_error


def test_a_probability_sample_nobody_gave_an_ethnic_group_for_says_so(panel: Panel, coordinator: User) -> None:
    s = _probability_survey(panel, coordinator)
    respond(s, by=coordinator, count=3, q1="No", q5_sex="female")
    assert survey_results(s).weighting_note.startswith("Not weighted: nobody who answered gave their ethnic group")


def test_a_broken_down_probability_sample_is_shown_unweighted_and_says_so(panel: Panel, coordinator: User) -> None:
    s = _probability_survey(panel, coordinator)
    respond(s, by=coordinator, count=3, q1="No", q5_sex="female", q5_ethnic_group=WHITE_BRITISH)
    demographics = s.questions.get(kind=Question.Kind.DEMOGRAPHICS)
    results = survey_results(s, breakdown=f"{demographics.pk}-sex")
    assert not results.reporting.weighted
    assert results.weighting_note.startswith("Not weighted: broken-down results")
