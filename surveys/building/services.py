"""Writes: building, copying, opening and closing surveys.

Taking responses (and making invitation links) is surveys/responding/.

A survey's questions are fixed once it has a response: changing them would make earlier answers mean something
else. `survey_new_version` copies it into a new draft instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from common.errors import DomainError
from panels.models import Panel
from surveys import vocab
from surveys.building.models import SAMPLING_DESIGN_CHOICES, Question, Section, Survey
from surveys.building.selectors import survey_questions
from surveys.stats import SamplingDesign


class SurveyError(DomainError):
    """A change or response the rules refuse; the message is for the person who tried."""


class SurveyLocked(SurveyError):
    pass


def _check_editable(survey: Survey) -> None:
    """Before any change to a survey's sections or questions: refused once it has responses; otherwise the survey's
    `questions_version` goes up, so no server process goes on checking answers against the questions it kept."""
    if survey.responses.exists():
        raise SurveyLocked("This survey has responses, so its questions cannot change. Make a new version instead.")
    Survey.objects.filter(pk=survey.pk).update(questions_version=F("questions_version") + 1)


# --- Building --------------------------------------------------------------------------------


def _check_details(title: str, sampling_design: str) -> None:
    if not title.strip():
        raise SurveyError("Give the survey a title.")
    if sampling_design not in dict(SAMPLING_DESIGN_CHOICES):
        raise SurveyError("Say how the people who answer are found: opt-in or a probability sample.")


@transaction.atomic
def survey_create(
    *,
    panel: Panel,
    title: str,
    introduction: str = "",
    sampling_design: str = SamplingDesign.OPT_IN,
    by: Any,
) -> Survey:
    _check_details(title, sampling_design)
    survey = Survey.objects.create(
        panel=panel,
        title=title.strip(),
        introduction=introduction,
        sampling_design=sampling_design,
        created_by=by,
    )
    Section.objects.create(survey=survey, title="Your views", position=1)
    return survey


@transaction.atomic
def survey_update(*, survey: Survey, title: str, introduction: str, sampling_design: str | None = None) -> Survey:
    """Change the survey's details. Allowed after responses too: the sampling design says how results are reported,
    not what was asked, so correcting it changes no answer's meaning (docs/surveys.md)."""
    sampling_design = survey.sampling_design if sampling_design is None else sampling_design
    _check_details(title, sampling_design)
    survey.title = title.strip()
    survey.introduction = introduction
    survey.sampling_design = sampling_design
    survey.save(update_fields=["title", "introduction", "sampling_design"])
    return survey


@transaction.atomic
def section_add(*, survey: Survey, title: str) -> Section:
    _check_editable(survey)
    last = survey.sections.order_by("-position").values_list("position", flat=True).first() or 0
    return Section.objects.create(survey=survey, title=title, position=last + 1)


@dataclass(frozen=True)
class QuestionInput:
    """What a builder says about a question, as the builder's form (or a script) gives it: `question_add` and
    `question_update` check it and store it. Options are one a line; blank lines are dropped."""

    kind: str
    text: str
    help_text: str = ""
    required: bool = False
    options: Sequence[str] = ()
    allow_other: bool = False
    scale: str = ""  # matrix: the scale its statements share
    minimum: int | None = None  # number
    maximum: int | None = None  # number
    show_if_question: Question | None = None  # shown only after one of these answers to that (earlier) question
    show_if_values: Sequence[str] = ()


def _question_fields(survey: Survey, data: QuestionInput, *, editing: Question | None = None) -> dict[str, Any]:
    """The question's fields as stored, or SurveyError saying what to change."""
    kind, options = data.kind, [o.strip() for o in data.options if o.strip()]
    if not data.text.strip():
        raise SurveyError("Write the question.")
    if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE, Question.Kind.RANKING) and len(options) < 2:
        raise SurveyError("Give at least two options, one a line.")
    if kind == Question.Kind.MATRIX and not options:
        raise SurveyError("Give at least one statement, one a line.")
    if len(set(options)) != len(options):
        raise SurveyError("Each option must be different.")
    if kind == Question.Kind.MATRIX and data.scale not in vocab.SCALES:
        raise SurveyError("Choose the scale the statements share.")
    condition = data.show_if_question
    if condition is not None:
        if condition.survey_id != survey.pk:
            raise SurveyError("A display condition can only use a question in the same survey.")
        if editing is not None and condition.pk == editing.pk:
            raise SurveyError("A question cannot depend on its own answer.")
        if not data.show_if_values:
            raise SurveyError("Choose the answers that show this question.")
    if data.minimum is not None and data.maximum is not None and data.minimum > data.maximum:
        raise SurveyError("The smallest number allowed must not be more than the largest.")
    return {
        "kind": kind,
        "text": data.text.strip(),
        "help_text": data.help_text.strip(),
        "required": data.required,
        "options": options,
        "allow_other": data.allow_other and kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE),
        "scale": data.scale if kind == Question.Kind.MATRIX else "",
        "minimum": data.minimum if kind == Question.Kind.NUMBER else None,
        "maximum": data.maximum if kind == Question.Kind.NUMBER else None,
        "show_if_question": condition,
        "show_if_values": list(data.show_if_values) if condition else [],
    }


def _quote(text: str, length: int = 60) -> str:
    return f"“{text if len(text) <= length else text[: length - 1] + '…'}”"


def _condition_problem(ordered: Sequence[Question]) -> str | None:
    """Why this order of questions breaks a display condition, or None: a condition must name a question asked
    before the one it shows, because answers are read in order."""
    seen: set[int] = set()
    by_pk = {q.pk: q for q in ordered}
    for q in ordered:
        if q.show_if_question_id is not None and q.show_if_question_id not in seen:
            shown_by = by_pk.get(q.show_if_question_id)
            if shown_by is None:
                return "A question can only depend on the answer to a question before it."
            return (
                f"{_quote(q.text)} is shown only after some answers to {_quote(shown_by.text)}, so it must come "
                "after that question. Move or change the condition first."
            )
        seen.add(q.pk)
    return None


def _check_condition_order(survey: Survey) -> None:
    problem = _condition_problem(survey_questions(survey))
    if problem:
        raise SurveyError(problem)


@transaction.atomic
def question_add(*, section: Section, data: QuestionInput, standard_code: str = "") -> Question:
    """Add a question at the end of the section. `standard_code` marks a question of a national set, word for word."""
    survey = section.survey
    _check_editable(survey)
    fields = _question_fields(survey, data)
    question = Question.objects.create(
        survey=survey, section=section, position=_next_position(section), standard_code=standard_code, **fields
    )
    _check_condition_order(survey)
    return question


@transaction.atomic
def question_update(*, question: Question, section: Section, data: QuestionInput) -> Question:
    """Change a question of a survey with no responses. Changing its wording drops any national-set code."""
    survey = question.survey
    _check_editable(survey)
    if section.survey_id != survey.pk:
        raise SurveyError("That section is in another survey.")
    fields = _question_fields(survey, data, editing=question)
    if question.standard_code and (fields["text"] != question.text or fields["options"] != question.options):
        question.standard_code = ""  # no longer the national wording, so no longer comparable
    if section.pk != question.section_id:
        question.section = section
        question.position = _next_position(section)
    for name, value in fields.items():
        setattr(question, name, value)
    question.save()
    _check_condition_order(survey)
    return question


def _next_position(section: Section) -> int:
    last = section.questions.order_by("-position").values_list("position", flat=True).first() or 0
    return last + 1


@transaction.atomic
def question_delete(*, question: Question) -> None:
    _check_editable(question.survey)
    question.delete()


# --- Order: moving questions and sections, deleting sections ----------------------------------------------------------
#
# Positions are renumbered 1, 2, 3… in each list a move touches, so that gaps or ties left by older data never make a
# move do nothing. Every move is checked against the display conditions before anything is saved.


class Direction:
    UP = "up"
    DOWN = "down"
    ALL = (UP, DOWN)


def _check_direction(direction: str) -> None:
    if direction not in Direction.ALL:
        raise SurveyError("Move a question or section up or down.")


def _sections(survey: Survey) -> list[Section]:
    return list(survey.sections.order_by("position", "pk"))


def _save_order(survey: Survey, sections: Sequence[Section], questions_by_section: dict[int, list[Question]]) -> None:
    """Check the new order against the display conditions, then store it (only the rows whose place changed)."""
    ordered = [q for section in sections for q in questions_by_section.get(section.pk, [])]
    problem = _condition_problem(ordered)
    if problem:
        raise SurveyError(problem)
    for number, section in enumerate(sections, start=1):
        if section.position != number:
            section.position = number
            section.save(update_fields=["position"])
        for place, q in enumerate(questions_by_section.get(section.pk, []), start=1):
            if q.position != place or q.section_id != section.pk:
                q.position = place
                q.section = section
                q.save(update_fields=["position", "section"])


def _questions_by_section(survey: Survey) -> dict[int, list[Question]]:
    grouped: dict[int, list[Question]] = {}
    for q in survey_questions(survey):
        grouped.setdefault(q.section_id, []).append(q)
    return grouped


@transaction.atomic
def question_move(*, question: Question, direction: str) -> Question:
    """Move a question one place up or down. At the top (bottom) of its section it goes to the end (start) of the
    section before (after), so that up and down alone can take a question anywhere."""
    _check_direction(direction)
    survey = question.survey
    _check_editable(survey)
    sections = _sections(survey)
    grouped = _questions_by_section(survey)
    section_index = next(i for i, s in enumerate(sections) if s.pk == question.section_id)
    own = grouped.setdefault(question.section_id, [])
    place = next(i for i, q in enumerate(own) if q.pk == question.pk)
    if direction == Direction.UP:
        if place > 0:
            own[place - 1], own[place] = own[place], own[place - 1]
        elif section_index > 0:
            grouped.setdefault(sections[section_index - 1].pk, []).append(own.pop(place))
        else:
            raise SurveyError("This is already the first question.")
    else:
        if place < len(own) - 1:
            own[place + 1], own[place] = own[place], own[place + 1]
        elif section_index < len(sections) - 1:
            grouped.setdefault(sections[section_index + 1].pk, []).insert(0, own.pop(place))
        else:
            raise SurveyError("This is already the last question.")
    moved = next(q for qs in grouped.values() for q in qs if q.pk == question.pk)
    _save_order(survey, sections, grouped)
    question.section_id, question.position = moved.section_id, moved.position
    return question


@transaction.atomic
def question_move_to_section(*, question: Question, section: Section) -> Question:
    """Move a question to the end of another section of the same survey."""
    survey = question.survey
    _check_editable(survey)
    if section.survey_id != survey.pk:
        raise SurveyError("That section is in another survey.")
    if section.pk == question.section_id:
        return question
    sections = _sections(survey)
    grouped = _questions_by_section(survey)
    own = grouped[question.section_id]
    moved = own.pop(next(i for i, q in enumerate(own) if q.pk == question.pk))
    grouped.setdefault(section.pk, []).append(moved)
    _save_order(survey, sections, grouped)
    question.section_id, question.position = moved.section_id, moved.position
    return question


@transaction.atomic
def section_move(*, section: Section, direction: str) -> Section:
    """Move a section, with its questions, one place up or down."""
    _check_direction(direction)
    survey = section.survey
    _check_editable(survey)
    sections = _sections(survey)
    index = next(i for i, s in enumerate(sections) if s.pk == section.pk)
    other = index - 1 if direction == Direction.UP else index + 1
    if not 0 <= other < len(sections):
        raise SurveyError(f"This is already the {'first' if direction == Direction.UP else 'last'} section.")
    sections[index], sections[other] = sections[other], sections[index]
    _save_order(survey, sections, _questions_by_section(survey))
    section.position = other + 1
    return section


@transaction.atomic
def section_delete(*, section: Section, delete_questions: bool = False) -> int:
    """Delete a section; the number of questions deleted with it.

    An empty section goes at once. One with questions goes only when `delete_questions` says so (the page asks
    first), and never while a question elsewhere is shown only after an answer to one of them: deleting it would
    quietly make that question always shown. The last section stays: a survey needs somewhere to put questions.
    """
    survey = section.survey
    _check_editable(survey)
    if survey.sections.count() <= 1:
        raise SurveyError("A survey needs at least one section, so its last section cannot be deleted.")
    questions = list(section.questions.all())
    if questions and not delete_questions:
        raise SurveyError(
            f"This section has {len(questions)} question{'s' if len(questions) != 1 else ''}: say that they are to "
            "be deleted with it, or move them to another section first."
        )
    dependant = Question.objects.filter(survey=survey, show_if_question__in=questions).exclude(section=section).first()
    if dependant is not None:
        raise SurveyError(
            f"{_quote(dependant.text)}, in another section, is shown only after some answers to a question in this "
            "section. Change its condition first."
        )
    section.delete()  # its questions go with it (CASCADE)
    sections = _sections(survey)
    _save_order(survey, sections, _questions_by_section(survey))
    return len(questions)


@transaction.atomic
def survey_add_trust_set(*, survey: Survey) -> Section:
    """The trust and confidence questions, word for word as national surveys ask them, in a section of their own."""
    section = section_add(survey=survey, title=vocab.TRUST_SET_TITLE)
    for q in vocab.TRUST_SET:
        question_add(
            section=section,
            data=QuestionInput(kind=q.kind, text=q.text, options=q.options, scale=q.scale),
            standard_code=f"trust.{q.code}",
        )
    return section


@transaction.atomic
def survey_copy(*, survey: Survey, by: Any, title: str | None = None, as_version: bool = False) -> Survey:
    """A new draft with the same sections, questions and display conditions, and no responses."""
    copy = Survey.objects.create(
        panel=survey.panel,
        title=title or (survey.title if as_version else f"Copy of {survey.title}"),
        introduction=survey.introduction,
        sampling_design=survey.sampling_design,
        created_by=by,
        version=survey.version + 1 if as_version else 1,
        previous_version=survey if as_version else None,
    )
    new_questions: dict[int, Question] = {}
    for section in survey.sections.all():
        new_section = Section.objects.create(survey=copy, title=section.title, position=section.position)
        for q in section.questions.order_by("position", "pk"):
            new_questions[q.pk] = Question.objects.create(
                survey=copy,
                section=new_section,
                position=q.position,
                kind=q.kind,
                text=q.text,
                help_text=q.help_text,
                required=q.required,
                options=list(q.options),
                allow_other=q.allow_other,
                scale=q.scale,
                minimum=q.minimum,
                maximum=q.maximum,
                standard_code=q.standard_code,
                show_if_values=list(q.show_if_values),
            )
    for old in survey.questions.filter(show_if_question__isnull=False):
        new = new_questions[old.pk]
        new.show_if_question = new_questions.get(old.show_if_question_id or 0)
        new.save(update_fields=["show_if_question"])
    return copy


@transaction.atomic
def survey_new_version(*, survey: Survey, by: Any) -> Survey:
    if Survey.objects.filter(previous_version=survey).exists():
        raise SurveyError("This survey already has a newer version.")
    return survey_copy(survey=survey, by=by, as_version=True)


@transaction.atomic
def survey_open(*, survey: Survey, opens_at: datetime | None = None, closes_at: datetime | None = None) -> Survey:
    if not survey.questions.exists():
        raise SurveyError("Add at least one question before opening the survey.")
    if opens_at and closes_at and closes_at <= opens_at:
        raise SurveyError("The closing date must be after the opening date.")
    if closes_at and closes_at <= timezone.now():
        raise SurveyError("The closing date must be in the future.")
    survey.status = Survey.Status.OPEN
    survey.opens_at = opens_at
    survey.closes_at = closes_at
    survey.save(update_fields=["status", "opens_at", "closes_at"])
    return survey


@transaction.atomic
def survey_close(*, survey: Survey) -> Survey:
    survey.status = Survey.Status.CLOSED
    survey.save(update_fields=["status"])
    return survey
