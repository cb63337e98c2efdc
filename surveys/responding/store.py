"""The fast path that stores a response: hand-written SQL, guarded so that it stores nothing unless the survey is
still as the answers were checked against (docs/surveys.md, "How a response is stored"; figures in bench/README.md).
"""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.utils import timezone

from surveys.building.models import Survey
from surveys.responding.answers import CleanAnswer
from surveys.responding.models import Answer, Response

_RESPONSE_FIELDS = (
    *("survey", "channel", "submitted_on", "entered_by"),
    *("invitation", "client_id", "token_hash", "under_18"),
)
_ANSWER_FIELDS = ("response", "question", "value", "other_text")


class SurveyChanged(Exception):
    """The survey was not as the response was checked against when it came to be stored; nothing was stored."""


@dataclass(frozen=True)
class _Statements:
    """The SQL that stores a response, written once per process and database vendor from the models' own tables
    and columns. The response's INSERT is a SELECT from the survey's row, guarded: it inserts nothing unless the
    survey still has the questions the answers were checked against and (but for paper) is still open. So a survey
    closed, or its questions changed, between reading it and storing the response stores nothing, and a process may
    answer from a copy of the survey it read a moment ago (`surveys.responding.kept.survey_for_answers`)."""

    response_fields: list[models.Field[Any, Any]]
    answer_fields: list[models.Field[Any, Any]]
    insert_response: dict[bool, str]  # by "must be open": the response's guarded INSERT, giving back its id
    # PostgreSQL: the response and its answers (a JSON array) in one statement, by "must be open".
    response_with_answers: dict[bool, str] | None
    insert_answers: str  # "INSERT ... VALUES" followed by one `answer_row` per answer, comma-separated
    answer_row: str


@functools.cache
def _statements(vendor: str) -> _Statements:
    db = connections[DEFAULT_DB_ALIAS]
    quote = db.ops.quote_name
    postgres = vendor == "postgresql"

    def fields_of(model: type[models.Model], names: Sequence[str]) -> list[models.Field[Any, Any]]:
        by_name = {f.name: f for f in model._meta.concrete_fields}
        return [by_name[name] for name in names]

    def columns(fields: Sequence[models.Field[Any, Any]]) -> str:
        return ", ".join(quote(str(f.column)) for f in fields)

    def column(model: type[models.Model], name: str) -> str:
        return quote(str(fields_of(model, [name])[0].column))

    response_fields, answer_fields = fields_of(Response, _RESPONSE_FIELDS), fields_of(Answer, _ANSWER_FIELDS)
    response_table, answer_table = quote(Response._meta.db_table), quote(Answer._meta.db_table)
    pk = quote(str(Response._meta.pk.column))
    # In a SELECT list PostgreSQL needs each parameter's type (SQLite none, and would turn a date into a number).
    values = ", ".join(f"CAST(%s AS {f.cast_db_type(db)})" if postgres else "%s" for f in response_fields)
    status, opens, closes = column(Survey, "status"), column(Survey, "opens_at"), column(Survey, "closes_at")
    guard = (
        f"FROM {quote(Survey._meta.db_table)} WHERE {column(Survey, 'id')} = %s "
        f"AND {column(Survey, 'questions_version')} = %s AND "
    )
    # Survey.accepting_state() == "open" (parameters: "open", now, now); or, for paper, Survey.takes_paper_forms
    # ("draft"). Written again here as SQL: tests/surveys/test_accepting.py checks that each agrees with its rule for
    # every state of a survey.
    guards = {
        True: guard + f"{status} = %s AND ({opens} IS NULL OR {opens} <= %s) AND ({closes} IS NULL OR {closes} > %s)",
        False: guard + f"{status} <> %s",
    }
    insert_response = {
        must_be_open: f"INSERT INTO {response_table} ({columns(response_fields)}) SELECT {values} {where} "
        f"RETURNING {pk}"
        for must_be_open, where in guards.items()
    }
    with_answers = None
    if postgres:
        question_type = answer_fields[1].cast_db_type(db)
        with_answers = {
            must_be_open: (
                f"WITH new_response AS ({insert}), new_answers AS ("  # noqa: S608 - names from the models
                f"INSERT INTO {answer_table} ({columns(answer_fields)}) "
                f"SELECT new_response.{pk}, CAST(a.answer->>0 AS {question_type}), a.answer->1, a.answer->>2 "
                f"FROM new_response, jsonb_array_elements(%s::jsonb) AS a(answer)) SELECT {pk} FROM new_response"
            )
            for must_be_open, insert in insert_response.items()
        }
    return _Statements(
        response_fields=response_fields,
        answer_fields=answer_fields,
        insert_response=insert_response,
        response_with_answers=with_answers,
        insert_answers=f"INSERT INTO {answer_table} ({columns(answer_fields)}) VALUES ",  # noqa: S608
        answer_row="(" + ", ".join(["%s"] * len(answer_fields)) + ")",
    )


def store_response(
    response: Response,
    answers: list[CleanAnswer],
    *,
    survey: Survey,
    must_be_open: bool,
    now: datetime | None = None,
) -> None:
    """Store the response and its answers, whole or not at all, and give `response` its id; or, if `survey` is no
    longer as read (see `_Statements`) at `now` (by default, now), store nothing and raise `SurveyChanged`.

    By hand-written SQL, with each value prepared by the model's own field (so stored exactly as the ORM would store
    it), without building and saving a model object per answer. On PostgreSQL one statement does it, atomic by
    itself: the response's INSERT feeds the answers' INSERT, which reads the answers from one JSON array,
    `[[question id, value, other text], ...]`, each value the JSON of the same `json.dumps` the answer's JSONField
    uses (no encoder). That is one round trip to the database instead of four (BEGIN, two INSERTs, COMMIT), and one
    short statement the driver keeps ready (it parses anew any statement with over 50 parameters). Elsewhere (SQLite)
    two INSERTs run in a transaction. Either way, inside a caller's transaction a clash (a form sent twice) rolls
    back to a savepoint, not the caller's whole transaction."""
    db = connections[DEFAULT_DB_ALIAS]
    sql = _statements(db.vendor)
    params = [f.get_db_prep_save(getattr(response, f.attname), db) for f in sql.response_fields]
    params += [survey.pk, survey.questions_version]
    if must_be_open:
        at = Survey._meta.get_field("opens_at").get_db_prep_value(now or timezone.now(), db)
        params += [Survey.Status.OPEN.value, at, at]
    else:
        params.append(Survey.Status.DRAFT.value)
    if sql.response_with_answers is not None:
        params.append(json.dumps([[a.question.pk, a.value, a.other_text] for a in answers]))
        savepoint = transaction.atomic() if db.in_atomic_block else contextlib.nullcontext()
        with savepoint, db.cursor() as cursor:
            cursor.execute(sql.response_with_answers[must_be_open], params)
            row = cursor.fetchone()
        if row is None:
            raise SurveyChanged
        (response.pk,) = row
    else:
        with transaction.atomic(), db.cursor() as cursor:
            cursor.execute(sql.insert_response[must_be_open], params)
            row = cursor.fetchone()
            if row is None:
                raise SurveyChanged
            (response.pk,) = row
            answer_params: list[Any] = []
            for a in answers:
                answer_params += [
                    f.get_db_prep_save(v, db)
                    for f, v in zip(sql.answer_fields, (response.pk, a.question.pk, a.value, a.other_text), strict=True)
                ]
            cursor.execute(sql.insert_answers + ", ".join([sql.answer_row] * len(answers)), answer_params)
    # Marked as read from the database, as `save()` would have.
    response._state.adding = False
    response._state.db = db.alias


def give_back_connection() -> None:
    """The response is stored: give the request's database connection back to the pool now, not when the request
    ends, unless a transaction of the caller's is using it. A process's requests share the pool (DATABASE_POOL_MAX_SIZE
    connections), and while a burst of responses comes in the rest of each request (its answer sent back, the
    middleware) would otherwise hold a connection others are waiting for; the pool hands it back out at once."""
    db = connections[DEFAULT_DB_ALIAS]
    if db.settings_dict.get("OPTIONS", {}).get("pool") and not db.in_atomic_block:
        db.close()
