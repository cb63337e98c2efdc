"""Drawing a survey's questions for a form (public, preview, paper, kiosk), with what was sent and any errors."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.http import HttpRequest

from surveys import vocab
from surveys.building.models import Question, Survey, condition_choices
from surveys.building.selectors import survey_outline, survey_questions

# --- Drawing the questions ------------------------------------------------------------------


@dataclass
class Choice:
    value: str
    label: str
    id: str
    checked: bool = False


@dataclass
class Row:
    """One statement of a matrix, one option of a ranking, or one part of the demographics block."""

    label: str
    name: str
    id: str
    choices: list[Choice] = field(default_factory=list)
    groups: list[tuple[str, list[Choice]]] = field(default_factory=list)  # a select with optgroups (ethnic group)
    value: str = ""


@dataclass
class QuestionView:
    number: int
    question: Question
    name: str
    error: str = ""
    choices: list[Choice] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    value: str = ""
    other_value: str = ""
    other_checked: bool = False
    show_if_name: str = ""
    show_if_values: str = ""  # JSON list, for survey-conditions.js
    condition_text: str = ""
    anchor: str = ""  # the id the error summary links to


def _choices(name: str, pairs: list[tuple[str, str]], chosen: list[str]) -> list[Choice]:
    return [Choice(v, label, f"{name}-{i}", v in chosen) for i, (v, label) in enumerate(pairs)]


def question_views(
    survey: Survey, data: dict[str, list[str]] | None = None, errors: dict[str, str] | None = None
) -> list[tuple[str, list[QuestionView]]]:
    """(section title, questions) in order, ready for the template, with what was sent and any errors."""
    data = data or {}
    errors = errors or {}
    numbers = {q.pk: n for n, q in enumerate(survey_questions(survey), start=1)}
    result = []
    for section in survey_outline(survey):
        views = []
        for number, q in section.questions:
            view = QuestionView(number=number, question=q, name=q.field_name, error=errors.get(q.field_name, ""))
            _fill_answers(view, q, data)
            if q.show_if_question_id:
                _fill_condition(view, q, numbers)
            view.anchor = _anchor(view)
            views.append(view)
        result.append((section.section.title, views))
    return result


def _fill_answers(view: QuestionView, q: Question, data: dict[str, list[str]]) -> None:
    """The answers the question offers, as its kind draws them, with what was sent marked."""
    K = Question.Kind
    name = view.name
    sent = data.get(name, [])
    if q.kind in (K.SINGLE, K.MULTIPLE):
        pairs = [(o, o) for o in q.options]
        if q.allow_other:
            pairs.append((vocab.OTHER, "Other, please say"))
        view.choices = _choices(name, pairs, sent)
        view.other_value = (data.get(f"{name}_other") or [""])[0]
    elif q.kind == K.AGREEMENT:
        view.choices = _choices(name, vocab.AGREEMENT, sent)
    elif q.kind == K.RATING:
        view.choices = _choices(name, vocab.RATING, sent)
    elif q.kind == K.SCALE:
        view.choices = _choices(name, [(str(n), str(n)) for n in range(11)], sent)
    elif q.kind in (K.TEXT, K.NUMBER):
        view.value = sent[0] if sent else ""
    elif q.kind == K.MATRIX:
        scale = vocab.SCALES.get(q.scale, vocab.AGREEMENT)
        for i, statement in enumerate(q.options):
            row_name = f"{name}_{i}"
            view.rows.append(Row(statement, row_name, row_name, _choices(row_name, scale, data.get(row_name, []))))
    elif q.kind == K.RANKING:
        for i, option in enumerate(q.options):
            row_name = f"{name}_{i}"
            view.rows.append(Row(option, row_name, row_name, value=(data.get(row_name) or [""])[0]))
    elif q.kind == K.DEMOGRAPHICS:
        view.rows = [_demographic_row(name, part, data) for part in vocab.DEMOGRAPHIC_PARTS]


def _demographic_row(name: str, part: vocab.DemographicPart, data: dict[str, list[str]]) -> Row:
    row_name = f"{name}_{part.key}"
    sent_part = data.get(row_name, [])
    row = Row(part.label, row_name, row_name, value=(sent_part or [""])[0])
    if part.key == "ethnic_group":
        row.groups = [(broad, _choices(row_name, group, sent_part)) for broad, group in vocab.ETHNIC_GROUPS]
    elif part.choices:
        row.choices = _choices(row_name, [*part.choices, vocab.PREFER_NOT], sent_part)
    return row


def _fill_condition(view: QuestionView, q: Question, numbers: dict[int, int]) -> None:
    """When the question is shown: for survey-conditions.js, and in words."""
    view.show_if_name = f"q{q.show_if_question_id}"
    view.show_if_values = json.dumps(q.show_if_values)
    labels = dict(condition_choices(q.show_if_question)) if q.show_if_question else {}
    said = ", ".join(f"“{labels.get(v, v)}”" for v in q.show_if_values)
    view.condition_text = (
        f"Answer this only if your answer to question {numbers.get(q.show_if_question_id or 0)} was {said}."
    )


def _anchor(view: QuestionView) -> str:
    if view.choices:
        return view.choices[0].id
    if view.rows:
        first = view.rows[0]
        return first.choices[0].id if first.choices else first.id
    return view.name


def form_data(request: HttpRequest) -> dict[str, list[str]]:
    return {k: request.POST.getlist(k) for k in request.POST if k.startswith("q")}
