"""Trust statistics: the change between waves against Newcombe's published values and statsmodels, suppression of
shares by group, and the selector that turns a panel's surveys into waves (docs/trust.md)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from common.intervals import Z_95, wilson_interval
from panels.models import Panel, User
from surveys import vocab
from surveys.building.models import Question, Survey
from surveys.building.services import (
    QuestionInput,
    question_add,
    survey_add_trust_set,
    survey_create,
    survey_new_version,
    survey_open,
)
from surveys.responding.models import Answer, Response
from surveys.responding.services import response_submit
from surveys.results.trust import MEASURES, POSITIVE, trust_report
from surveys.stats import newcombe_difference, trust_breakdown, trust_changes, trust_share

# --- Newcombe's hybrid score interval ---------------------------------------------------------------------------------

# Newcombe (1998), Statistics in Medicine 17:873-890, Table II, method 10, computed there with z = 1.96:
# (x1, n1, x2, n2) -> the interval for p2 − p1, to four places.
NEWCOMBE_TABLE_II = [
    ((48, 80, 56, 70), (0.0524, 0.3339)),
    ((3, 10, 9, 10), (0.1705, 0.8090)),
    ((0, 20, 0, 10), (-0.1611, 0.2775)),
    ((0, 10, 0, 10), (-0.2775, 0.2775)),
    ((0, 20, 10, 10), (0.6791, 1.0)),
    ((0, 10, 10, 10), (0.6075, 1.0)),
]

# statsmodels 0.15 `confint_proportions_2indep(x2, n2, x1, n1, method="newcomb")`, z = 1.959963984540054, run once
# outside the project (it is not a dependency) and pasted here.
STATSMODELS = [
    ((48, 80, 56, 70), (0.05243147240236498, 0.33387265403690614)),
    ((2, 7, 6, 7), (0.05822792748231209, 0.8062496375242278)),
    ((0, 29, 5, 56), (-0.038137147903536936, 0.19256001385511165)),
    ((160, 400, 181, 380), (0.006684808913421242, 0.1449744353721885)),
    ((12, 31, 19, 29), (0.016025009016109315, 0.4768263901967664)),
]


@pytest.mark.parametrize(("counts", "expected"), NEWCOMBE_TABLE_II)
def test_newcombe_matches_the_published_table(counts: tuple[int, int, int, int], expected: tuple[float, float]):
    result = newcombe_difference(*counts, z=1.96)
    assert result is not None
    assert (round(result.low, 4), round(result.high, 4)) == expected


@pytest.mark.parametrize(("counts", "expected"), STATSMODELS)
def test_newcombe_matches_statsmodels(counts: tuple[int, int, int, int], expected: tuple[float, float]):
    result = newcombe_difference(*counts)
    assert result is not None
    assert result.low == pytest.approx(expected[0], abs=1e-12)
    assert result.high == pytest.approx(expected[1], abs=1e-12)


def test_newcombe_by_hand_from_the_two_wilson_intervals():
    # 48/80 = 0.6 then 56/70 = 0.8: d = 0.2. Wilson: (l1, u1) for 0.6, (l2, u2) for 0.8.
    l1, u1 = wilson_interval(48, 80, Z_95)  # type: ignore[misc]
    l2, u2 = wilson_interval(56, 70, Z_95)  # type: ignore[misc]
    low = 0.2 - ((0.8 - l2) ** 2 + (u1 - 0.6) ** 2) ** 0.5
    high = 0.2 + ((u2 - 0.8) ** 2 + (0.6 - l1) ** 2) ** 0.5
    result = newcombe_difference(48, 80, 56, 70)
    assert result is not None
    assert result.difference == pytest.approx(0.2)
    assert (result.low, result.high) == pytest.approx((low, high))
    assert result.significant


def test_newcombe_is_none_without_a_base_and_not_significant_across_zero():
    assert newcombe_difference(0, 0, 5, 10) is None
    result = newcombe_difference(5, 10, 6, 10)
    assert result is not None
    assert not result.significant


def test_a_fall_is_negative():
    result = newcombe_difference(56, 70, 48, 80)
    assert result is not None
    assert result.difference == pytest.approx(-0.2)
    assert result.high < 0


# --- Shares and suppression -------------------------------------------------------------------------------------------


def test_trust_share_is_the_wilson_interval():
    share = trust_share(81, 263)
    assert share.share == pytest.approx(81 / 263)
    assert (share.low, share.high) == wilson_interval(81, 263)


def answers_of(**groups: tuple[int, int]) -> list[tuple[bool, str | None]]:
    """(positive, group) rows from group=(agree, not agree); group "none" is a respondent in no group."""
    rows: list[tuple[bool, str | None]] = []
    for group, (yes, no) in groups.items():
        label = None if group == "none" else group
        rows += [(True, label)] * yes + [(False, label)] * no
    return rows


def test_breakdown_counts_each_group_and_everyone_overall():
    result = trust_breakdown(answers_of(Black=(30, 20), White=(60, 40), none=(10, 10)), ["Black", "White"])
    assert (result.overall.positive, result.overall.base) == (100, 170)
    assert (result.groups["Black"].positive, result.groups["Black"].base) == (30, 50)
    assert (result.groups["White"].positive, result.groups["White"].base) == (60, 100)
    assert not any(s.suppressed for s in [result.overall, *result.groups.values()])


def test_a_share_with_fewer_than_10_disagreeing_is_hidden_and_so_is_one_other():
    # Mixed: 3 of 30 disagree. Hiding Mixed alone would let overall − the rest give it back, so the smallest other
    # count in the row goes too: Black's 15.
    result = trust_breakdown(
        answers_of(Mixed=(27, 3), White=(60, 40), Black=(40, 15), none=(50, 50)), ["Mixed", "White", "Black"]
    )
    assert [g for g, s in result.groups.items() if s.suppressed] == ["Mixed", "Black"]
    assert not result.overall.suppressed


def test_the_respondents_in_no_group_can_be_the_second_hidden_cell():
    # The unlisted respondents are never shown as a group, so hiding their count protects Mixed at no cost.
    result = trust_breakdown(
        answers_of(Mixed=(27, 3), White=(60, 40), Black=(40, 35), none=(12, 11)), ["Mixed", "White", "Black"]
    )
    assert [g for g, s in result.groups.items() if s.suppressed] == ["Mixed"]


def test_the_no_group_column_counts_in_suppression():
    # Only the unlisted respondents are small: a listed group is hidden with them, or subtraction would reveal them.
    result = trust_breakdown(answers_of(White=(60, 40), Black=(40, 35), none=(2, 1)), ["White", "Black"])
    assert sum(s.suppressed for s in result.groups.values()) == 1


def test_the_overall_share_is_hidden_when_few_disagree():
    result = trust_breakdown(answers_of(none=(95, 5)))
    assert result.overall.suppressed
    assert result.overall.shared().share is None
    assert result.overall.shared().positive == 0


def test_changes_run_from_each_wave_to_the_next_and_carry_suppression():
    shares = {"a": trust_share(48, 80), "b": trust_share(56, 70), "c": trust_share(5, 8, suppressed=True)}
    changes = trust_changes(["a", "b", "c"], shares)
    assert [(c.earlier, c.later) for c in changes] == [("a", "b"), ("b", "c")]
    assert changes[0].change == newcombe_difference(48, 80, 56, 70)
    assert not changes[0].suppressed
    assert changes[1].suppressed


def test_no_change_with_a_single_wave():
    assert trust_changes(["a"], {"a": trust_share(5, 10)}) == []


# --- Real published definitions ---------------------------------------------------------------------------------------


def test_positive_answers_are_those_the_mopac_pas_counts():
    """The PAS tables (data/trust/, 2016 by neighbourhood) say under each question which answers their percentage
    counts; ours must count the same, or our shares could not be set beside theirs."""
    path = Path(settings.BASE_DIR) / "data" / "trust" / "mopac-pas-neighbourhood-2016.csv"
    with path.open(encoding="utf-8-sig") as f:
        header, counted = next(csv.reader(f)), next(csv.reader(f))
    published = dict(zip(header, counted, strict=True))
    good_job = next(v for k, v in published.items() if k.startswith("Taking everything into account how good a job"))
    assert good_job == "% Excellent or Good"
    assert {label for code, label in vocab.RATING if code in POSITIVE["rating"]} == {"Excellent", "Good"}
    statements = [v for k, v in published.items() if k.startswith("The police") and "friendly" not in k]
    assert len(statements) == 6
    assert set(statements) == {"% Strongly Agree or Tend to agree"}
    agreed = {label.lower() for code, label in vocab.AGREEMENT if code in POSITIVE["agreement"]}
    assert agreed == {"strongly agree", "tend to agree"}


# --- The selector -----------------------------------------------------------------------------------------------------


def trust_survey(panel: Panel, by: User, title: str) -> Survey:
    survey = survey_create(panel=panel, title=title, by=by)
    survey_add_trust_set(survey=survey)
    question_add(section=survey.sections.first(), data=QuestionInput(kind=Question.Kind.DEMOGRAPHICS, text="About you"))  # type: ignore[arg-type]
    survey_open(survey=survey)
    return survey


def respond(
    survey: Survey,
    by: User,
    day: dt.date,
    count: int,
    *,
    good_job: str,
    ethnic: str | None = None,
    stop_search: str | None = None,
    **statements: str,
) -> None:
    """One paper response through the real service, then `count − 1` copies of it (fast, same stored values)."""
    questions = {q.standard_code or q.kind: q for q in survey.questions.all()}
    data: dict[str, list[str]] = {questions["trust.good_job"].field_name: [good_job]}
    if stop_search:
        data[questions["trust.stop_search_fair"].field_name] = [stop_search]
    matrix = questions["trust.agree_statements"].field_name
    for index, value in statements.items():
        data[f"{matrix}_{index[1:]}"] = [value]
    if ethnic:
        data[f"{questions['demographics'].field_name}_ethnic_group"] = [ethnic]
    first = response_submit(survey=survey, data=data, channel=Response.Channel.PAPER, entered_by=by)
    first.submitted_on = day
    first.save(update_fields=["submitted_on"])
    stored = list(first.answers.all())
    for _ in range(count - 1):
        copy = Response.objects.create(survey=survey, channel=Response.Channel.PAPER, submitted_on=day)
        Answer.objects.bulk_create(Answer(response=copy, question_id=a.question_id, value=a.value) for a in stored)


@pytest.fixture
def two_waves(panel: Panel, coordinator: User) -> dict[str, Any]:
    spring = trust_survey(panel, coordinator, "Spring listening")
    autumn = trust_survey(panel, coordinator, "Autumn listening")
    march, october = dt.date(2026, 3, 10), dt.date(2026, 10, 5)
    # Spring: Black 12 good of 30, White 40 good of 60. Autumn: Black 25 of 40, White 45 of 60.
    respond(spring, coordinator, march, 12, good_job="good", ethnic="6", s6="tend_to_agree")
    respond(spring, coordinator, march, 18, good_job="poor", ethnic="6", s6="strongly_disagree")
    respond(spring, coordinator, march.replace(day=20), 40, good_job="excellent", ethnic="13")
    respond(spring, coordinator, march.replace(day=20), 20, good_job="fair", ethnic="13")
    respond(autumn, coordinator, october, 25, good_job="good", ethnic="7")
    respond(autumn, coordinator, october, 15, good_job="very_poor", ethnic="7")
    respond(autumn, coordinator, october, 45, good_job="good", ethnic="13")
    respond(autumn, coordinator, october, 15, good_job="poor", ethnic="13")
    return {"spring": spring, "autumn": autumn}


def measure(report: Any, code: str) -> Any:
    return next(m for m in report.measures if m.measure.code == code)


@pytest.mark.django_db
def test_report_has_a_wave_per_survey_in_date_order_with_shares_and_change(
    panel: Panel, two_waves: dict[str, Any], django_assert_num_queries: Any
):
    with django_assert_num_queries(3):
        report = trust_report(panel)
    spring, autumn = (str(two_waves[k].pk) for k in ("spring", "autumn"))
    assert [w.key for w in report.waves] == [spring, autumn]
    assert report.waves[0].label == "Spring listening (March 2026)"
    assert (report.waves[0].first_day, report.waves[0].last_day) == (dt.date(2026, 3, 10), dt.date(2026, 3, 20))
    assert report.waves[0].responses == 90
    good_job = measure(report, "trust.good_job")
    assert (good_job.overall[spring].positive, good_job.overall[spring].base) == (52, 90)
    assert (good_job.overall[autumn].positive, good_job.overall[autumn].base) == (70, 100)
    assert good_job.changes[0].change == newcombe_difference(52, 90, 70, 100)
    black = good_job.by_group["ethnic_group"][spring].groups["Black"]
    assert (black.positive, black.base) == (12, 30)
    assert good_job.group_changes["ethnic_group"]["Black"][0].change == newcombe_difference(12, 30, 25, 40)
    assert good_job.by_group["ethnic_group"][spring].groups["Asian"].base == 0


@pytest.mark.django_db
def test_report_counts_matrix_statements_as_their_own_measures(panel: Panel, two_waves: dict[str, Any]):
    report = trust_report(panel)
    confidence = measure(report, "trust.agree_statements.6")
    spring = str(two_waves["spring"].pk)
    assert (confidence.overall[spring].positive, confidence.overall[spring].base) == (12, 30)
    assert confidence.measure.label == "Confidence in local police"
    assert [m.measure.code for m in report.measures] == ["trust.good_job", "trust.agree_statements.6"]
    assert {m.code for m in MEASURES} >= {"trust.good_job", "trust.stop_search_fair"}


@pytest.mark.django_db
def test_shared_report_hides_small_shares_and_their_changes(panel: Panel, coordinator: User):
    spring = trust_survey(panel, coordinator, "Spring")
    autumn = trust_survey(panel, coordinator, "Autumn")
    respond(spring, coordinator, dt.date(2026, 3, 1), 30, good_job="good", ethnic="13")
    respond(spring, coordinator, dt.date(2026, 3, 1), 4, good_job="poor", ethnic="13")  # 4 disagree: hidden
    respond(autumn, coordinator, dt.date(2026, 9, 1), 20, good_job="good", ethnic="13")
    respond(autumn, coordinator, dt.date(2026, 9, 1), 20, good_job="poor", ethnic="13")
    report = trust_report(panel)
    good_job = measure(report, "trust.good_job")
    assert good_job.overall[str(spring.pk)].suppressed
    assert good_job.overall[str(spring.pk)].positive == 30  # the panel still sees it, marked
    shared = measure(report.shared(), "trust.good_job")
    hidden = shared.overall[str(spring.pk)]
    assert (hidden.positive, hidden.base, hidden.share, hidden.low) == (0, 0, None, None)
    assert shared.changes[0].suppressed
    assert shared.changes[0].change is None
    assert shared.by_group["ethnic_group"][str(spring.pk)].groups["White"].share is None
    assert shared.overall[str(autumn.pk)].share == pytest.approx(0.5)


@pytest.mark.django_db
def test_versions_of_a_survey_are_one_wave(panel: Panel, coordinator: User):
    first = trust_survey(panel, coordinator, "Listening")
    respond(first, coordinator, dt.date(2026, 3, 1), 10, good_job="good")
    second = survey_new_version(survey=first, by=coordinator)
    survey_open(survey=second)
    respond(second, coordinator, dt.date(2026, 4, 15), 10, good_job="poor")
    report = trust_report(panel)
    assert len(report.waves) == 1
    wave = report.waves[0]
    assert wave.key == str(first.pk)
    assert set(wave.surveys) == {first.pk, second.pk}
    assert wave.label == "Listening (March to April 2026)"
    good_job = measure(report, "trust.good_job")
    assert (good_job.overall[wave.key].positive, good_job.overall[wave.key].base) == (10, 20)
    assert good_job.changes == []


@pytest.mark.django_db
def test_a_panel_without_the_trust_set_has_no_waves(panel: Panel, coordinator: User):
    survey = survey_create(panel=panel, title="No trust questions", by=coordinator)
    question_add(section=survey.sections.first(), data=QuestionInput(kind=Question.Kind.AGREEMENT, text="Anything"))  # type: ignore[arg-type]
    report = trust_report(panel)
    assert report.waves == []
    assert report.measures == []


@pytest.mark.django_db
def test_an_edited_trust_question_no_longer_counts(panel: Panel, coordinator: User):
    survey = trust_survey(panel, coordinator, "Edited")
    respond(survey, coordinator, dt.date(2026, 3, 1), 10, good_job="good")
    Question.objects.filter(survey=survey, standard_code="trust.good_job").update(standard_code="")
    assert trust_report(panel).measures == []


@pytest.mark.django_db
def test_other_panels_surveys_are_not_read(panel: Panel, coordinator: User):
    from tests.factories import PanelFactory

    other = PanelFactory.create()
    survey = trust_survey(other, coordinator, "Elsewhere")
    respond(survey, coordinator, dt.date(2026, 3, 1), 10, good_job="good")
    assert trust_report(panel).waves == []
    assert len(trust_report(other).waves) == 1


@pytest.mark.django_db
def test_neither_counts_in_the_base_and_confidence_counts_very_or_fairly(panel: Panel, coordinator: User):
    survey = trust_survey(panel, coordinator, "Scales")
    day = dt.date(2026, 5, 1)
    respond(survey, coordinator, day, 10, good_job="fair", s0="neither", stop_search="Very confident")
    respond(survey, coordinator, day, 10, good_job="excellent", s0="strongly_agree", stop_search="Fairly confident")
    respond(survey, coordinator, day, 10, good_job="very_poor", s0="tend_to_disagree", stop_search="Not very confident")
    report = trust_report(panel)
    wave = report.waves[0].key
    counts = {m.measure.code: (m.overall[wave].positive, m.overall[wave].base) for m in report.measures}
    assert counts == {
        "trust.good_job": (10, 30),
        "trust.agree_statements.0": (10, 30),
        "trust.stop_search_fair": (20, 30),
    }
