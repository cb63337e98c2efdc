"""From what a respondent sent to the answers to store, or the reasons it is refused.

The input is a mapping from field name to the list of values sent (a form's QueryDict, or the same shape in JSON
from the event kiosk). Field names: `q<id>` for the question; `q<id>_other` for "Other, please say";
`q<id>_<n>` for statement or option n of a matrix or ranking; `q<id>_<part>` for a demographics part.
Display conditions are evaluated here, in question order, so a hidden question is neither required nor stored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from surveys import vocab
from surveys.building.models import Question

Data = Mapping[str, Sequence[str]]


@dataclass
class CleanAnswer:
    question: Question
    value: Any
    other_text: str = ""


class AnswerError(ValueError):
    pass


def _values(data: Data, name: str) -> list[str]:
    raw = data.get(name) or []
    if isinstance(raw, str):
        raw = [raw]
    return [str(v).strip() for v in raw if str(v).strip()]


def _one(data: Data, name: str, *, limit: int = 200) -> str:
    values = _values(data, name)
    if len(values) > 1:
        raise AnswerError("Choose only one answer")
    value = values[0] if values else ""
    if len(value) > limit:
        raise AnswerError(f"Answer in {limit} characters or fewer")
    return value


def _keys(choices: Iterable[tuple[str, str]]) -> set[str]:
    return {k for k, _ in choices}


def is_shown(question: Question, answered: Mapping[int, Any]) -> bool:
    """Whether a question's display condition holds for the answers so far (no condition: always)."""
    if question.show_if_question_id is None:
        return True
    given = answered.get(question.show_if_question_id)
    if given is None:
        return False
    wanted = set(question.show_if_values or [])
    if isinstance(given, list):
        return bool(wanted & set(given))
    return str(given) in wanted


def _single(question: Question, data: Data) -> CleanAnswer | None:
    value = _one(data, question.field_name)
    if not value:
        return None
    allowed = set(question.options) | ({vocab.OTHER} if question.allow_other else set())
    if value not in allowed:
        raise AnswerError("Choose one of the answers given")
    other = _other(question, data) if value == vocab.OTHER else ""
    return CleanAnswer(question, value, other)


def _multiple(question: Question, data: Data) -> CleanAnswer | None:
    values = _values(data, question.field_name)
    if not values:
        return None
    allowed = set(question.options) | ({vocab.OTHER} if question.allow_other else set())
    if len(values) != len(set(values)) or not set(values) <= allowed:
        raise AnswerError("Choose from the answers given")
    ordered = [o for o in [*question.options, vocab.OTHER] if o in values]
    other = _other(question, data) if vocab.OTHER in values else ""
    return CleanAnswer(question, ordered, other)


def _on_scale(question: Question, data: Data) -> CleanAnswer | None:
    """An agreement or a rating question."""
    value = _one(data, question.field_name)
    if not value:
        return None
    scale = vocab.AGREEMENT if question.kind == Question.Kind.AGREEMENT else vocab.RATING
    if value not in _keys(scale):
        raise AnswerError("Choose one of the answers given")
    return CleanAnswer(question, value)


def _number(question: Question, data: Data) -> CleanAnswer | None:
    """A 0 to 10 scale, or a number within the question's bounds."""
    value = _one(data, question.field_name, limit=20)
    if not value:
        return None
    try:
        number = int(value)
    except ValueError:
        raise AnswerError("Enter a whole number") from None
    low, high = (0, 10) if question.kind == Question.Kind.SCALE else (question.minimum, question.maximum)
    if (low is not None and number < low) or (high is not None and number > high):
        raise AnswerError(_range_message(low, high))
    return CleanAnswer(question, number)


def _text(question: Question, data: Data) -> CleanAnswer | None:
    value = _one(data, question.field_name, limit=vocab.MAX_TEXT_LENGTH)
    return CleanAnswer(question, value) if value else None


def _ranking(question: Question, data: Data) -> CleanAnswer | None:
    ranks: dict[int, str] = {}
    for i, option in enumerate(question.options):
        raw = _one(data, f"{question.field_name}_{i}", limit=3)
        if not raw:
            continue
        if not raw.isdigit() or not 1 <= int(raw) <= len(question.options):
            raise AnswerError(f"Give each priority a number from 1 to {len(question.options)}")
        if int(raw) in ranks:
            raise AnswerError("Give each priority a different number")
        ranks[int(raw)] = option
    return CleanAnswer(question, [ranks[r] for r in sorted(ranks)]) if ranks else None


def _matrix(question: Question, data: Data) -> CleanAnswer | None:
    allowed = _keys(vocab.SCALES.get(question.scale, vocab.AGREEMENT))
    chosen: dict[str, str] = {}
    for i, _statement in enumerate(question.options):
        raw = _one(data, f"{question.field_name}_{i}")
        if raw and raw not in allowed:
            raise AnswerError("Choose one of the answers given for each statement")
        if raw:
            chosen[str(i)] = raw
    if not chosen:
        return None
    if question.required and len(chosen) < len(question.options):
        raise AnswerError("Answer every statement")
    return CleanAnswer(question, chosen)


def _demographics(question: Question, data: Data) -> CleanAnswer | None:
    parts: dict[str, str] = {}
    for part in vocab.DEMOGRAPHIC_PARTS:
        raw = _one(data, f"{question.field_name}_{part.key}", limit=20)
        if not raw:
            continue
        if raw == vocab.PREFER_NOT[0]:
            parts[part.key] = raw
        elif part.choices:
            if raw not in _keys(part.choices):
                raise AnswerError(f"{part.label}: choose one of the answers given")
            parts[part.key] = raw
        else:
            district = raw.upper().replace(" ", "")
            if not re.match(vocab.POSTCODE_DISTRICT_PATTERN, district):
                raise AnswerError("Enter only the first part of your postcode, like LS6")
            parts[part.key] = district
    return CleanAnswer(question, parts) if parts else None


_CLEANERS: dict[str, Callable[[Question, Data], CleanAnswer | None]] = {
    Question.Kind.SINGLE: _single,
    Question.Kind.MULTIPLE: _multiple,
    Question.Kind.AGREEMENT: _on_scale,
    Question.Kind.RATING: _on_scale,
    Question.Kind.SCALE: _number,
    Question.Kind.NUMBER: _number,
    Question.Kind.TEXT: _text,
    Question.Kind.RANKING: _ranking,
    Question.Kind.MATRIX: _matrix,
    Question.Kind.DEMOGRAPHICS: _demographics,
}


def clean_one(question: Question, data: Data) -> CleanAnswer | None:
    """The answer to one question, None if unanswered; AnswerError if it cannot be accepted."""
    cleaner = _CLEANERS.get(question.kind)
    if cleaner is None:  # pragma: no cover - every kind has a cleaner
        raise AnswerError("This question cannot be answered")
    return cleaner(question, data)


def _other(question: Question, data: Data) -> str:
    text = _one(data, f"{question.field_name}_other", limit=vocab.MAX_OTHER_LENGTH)
    if not text:
        raise AnswerError("Say what your other answer is")
    return text


def _range_message(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return f"Enter a number from {low} to {high}"
    if low is not None:
        return f"Enter a number of {low} or more"
    return f"Enter a number of {high} or less"


def clean_answers(questions: Sequence[Question], data: Data) -> tuple[list[CleanAnswer], dict[str, str]]:
    """The answers to store, and an error per field name; the answers count only if there are no errors."""
    answered: dict[int, Any] = {}
    clean: list[CleanAnswer] = []
    errors: dict[str, str] = {}
    for number, question in enumerate(questions, start=1):
        if not is_shown(question, answered):
            continue
        try:
            answer = clean_one(question, data)
        except AnswerError as exc:
            errors[question.field_name] = f"Question {number}: {exc}"
            continue
        if answer is None:
            if question.required:
                errors[question.field_name] = f"Question {number}: answer this question, it is needed"
            continue
        answered[question.pk] = answer.value
        clean.append(answer)
    return clean, errors
