"""Taking responses: the public form, invitation links, event tablets and paper forms.

Everything is checked before anything is stored; a response is stored whole or not at all. Flood protection is a
signed, expiring, one-use form token (only its hash is kept) and a per-survey rate limit in the shared cache.
"""

from __future__ import annotations

import contextlib
import functools
import json
import secrets
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import redis
from django.conf import settings
from django.core import signing
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.redis import RedisCache
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, models, transaction
from django.utils import timezone

from surveys.answers import CleanAnswer, Data, clean_answers, under_18
from surveys.live import response_added_on_commit
from surveys.models import Answer, Question, Response, Survey, SurveyInvitation
from surveys.permissions import get_public_survey
from surveys.ratelimit import MinuteCounter
from surveys.services import SurveyError, hash_token

FORM_TOKEN_SALT = "surveys.form-token"  # noqa: S105 - a signing namespace, not a secret
# A form token is good for a day: long enough to fill in a long survey, short enough to expire.
FORM_TOKEN_MAX_AGE = 24 * 60 * 60


class ResponseRefused(SurveyError):
    """The survey is not taking responses, the link or form was already used, or too many are arriving."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class ResponseInvalid(SurveyError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("There is a problem with some answers.")
        self.errors = errors


def invitation_for_token(token: str) -> SurveyInvitation | None:
    return (
        SurveyInvitation.objects.select_related("survey", "survey__panel").filter(token_hash=hash_token(token)).first()
    )


def form_token_issue(survey: Survey) -> str:
    """A signed, expiring, one-use token for one response form. Only its hash is stored, with the response."""
    return signing.TimestampSigner(salt=FORM_TOKEN_SALT).sign_object({"s": survey.pk, "n": secrets.token_urlsafe(16)})


def _check_form_token(survey: Survey, token: str) -> str:
    try:
        payload = signing.TimestampSigner(salt=FORM_TOKEN_SALT).unsign_object(token, max_age=FORM_TOKEN_MAX_AGE)
    except signing.SignatureExpired:
        raise ResponseRefused(
            "This form was opened too long ago. Open the survey again to answer it.", reason="expired"
        ) from None
    except signing.BadSignature:
        raise ResponseRefused("This form could not be checked. Open the survey again.", reason="bad_token") from None
    if not isinstance(payload, dict) or payload.get("s") != survey.pk:
        raise ResponseRefused("This form is for another survey. Open the survey again.", reason="bad_token")
    return hash_token(token)


@functools.cache
def _minute_counter() -> MinuteCounter:
    """The process's counter of responses a minute (surveys.ratelimit), adding to the count in the shared cache.

    One cache client for the whole process: `django.core.cache.cache` is one per request under ASGI (each request
    runs in a context of its own), which with Redis meant a new connection, and its handshake, for every response.
    With Redis, INCRBY and EXPIRE go together in one round trip. Keys are made by the cache, so they carry its prefix
    and version as its own keys do."""
    cache = caches.create_connection(DEFAULT_CACHE_ALIAS)
    if isinstance(cache, RedisCache):
        location = settings.CACHES[DEFAULT_CACHE_ALIAS]["LOCATION"]
        primary = (location.split(",") if isinstance(location, str) else location)[0]  # writes go to the first
        client = redis.Redis.from_url(primary)

        def add_redis(key: str, amount: int) -> int:
            full_key = cache.make_and_validate_key(key)
            pipe = client.pipeline(transaction=False)
            pipe.incrby(full_key, amount)
            pipe.expire(full_key, 120)
            total, _ = pipe.execute()
            return int(total)

        return MinuteCounter(add_redis)

    def add_cache(key: str, amount: int) -> int:  # the local-memory cache (make run, tests): its lock keeps it exact
        try:
            return cache.incr(key, amount)
        except ValueError:  # the minute's first count: start it, unless another thread just did
            return amount if cache.add(key, amount, timeout=120) else cache.incr(key, amount)

    return MinuteCounter(add_cache)


def _check_rate(survey: Survey) -> None:
    """At most SURVEY_RESPONSES_PER_MINUTE responses a minute to one survey, counted across processes."""
    limit = getattr(settings, "SURVEY_RESPONSES_PER_MINUTE", 120)
    # Keyed by the survey's random public key, not its pk, so that test databases sharing one Redis never collide.
    count = _minute_counter().add(f"surveys:rate:{survey.public_key}")
    if count > limit:
        raise ResponseRefused(
            "Too many responses are arriving at once. Wait a minute and send your answers again.", reason="rate"
        )


@functools.lru_cache(maxsize=256)
def _kept_questions(public_key: str, questions_version: int) -> tuple[Question, ...]:
    """A survey's questions in order, as `survey_questions` gives them but without their sections and conditions'
    questions (checking answers reads only each question's own fields, a condition by its question's id).

    Kept by the process between responses: reading and building twenty questions was a fifth of a response's time.
    The key is the survey's random public key with its `questions_version`, which every change to its questions
    raises (surveys.services), so a changed survey is read afresh. The questions are only read, never changed, so
    the threads of one process can share them."""
    questions = Question.objects.filter(survey__public_key=public_key)
    return tuple(questions.order_by("section__position", "section_id", "position", "pk"))


def _questions(survey: Survey) -> tuple[Question, ...]:
    return _kept_questions(survey.public_key, survey.questions_version)


_RESPONSE_FIELDS = (
    *("survey", "channel", "submitted_on", "entered_by"),
    *("invitation", "client_id", "token_hash", "under_18"),
)
_ANSWER_FIELDS = ("response", "question", "value", "other_text")


class _SurveyChanged(Exception):
    """The survey was not as the response was checked against when it came to be stored; nothing was stored."""


@dataclass(frozen=True)
class _Statements:
    """The SQL that stores a response, written once per process and database vendor from the models' own tables
    and columns. The response's INSERT is a SELECT from the survey's row, guarded: it inserts nothing unless the
    survey still has the questions the answers were checked against and (but for paper) is still open. So a survey
    closed, or its questions changed, between reading it and storing the response stores nothing, and a process may
    answer from a copy of the survey it read a moment ago (`survey_for_answers`)."""

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
    # Survey.accepting_state() == "open" (parameters: "open", now, now); or, for paper, not a draft ("draft").
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


def _store(response: Response, answers: list[CleanAnswer], *, survey: Survey, must_be_open: bool) -> None:
    """Store the response and its answers, whole or not at all, and give `response` its id; or, if `survey` is no
    longer as read (see `_Statements`), store nothing and raise `_SurveyChanged`.

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
        now = Survey._meta.get_field("opens_at").get_db_prep_value(timezone.now(), db)
        params += [Survey.Status.OPEN.value, now, now]
    else:
        params.append(Survey.Status.DRAFT.value)
    if sql.response_with_answers is not None:
        params.append(json.dumps([[a.question.pk, a.value, a.other_text] for a in answers]))
        savepoint = transaction.atomic() if db.in_atomic_block else contextlib.nullcontext()
        with savepoint, db.cursor() as cursor:
            cursor.execute(sql.response_with_answers[must_be_open], params)
            row = cursor.fetchone()
        if row is None:
            raise _SurveyChanged
        (response.pk,) = row
    else:
        with transaction.atomic(), db.cursor() as cursor:
            cursor.execute(sql.insert_response[must_be_open], params)
            row = cursor.fetchone()
            if row is None:
                raise _SurveyChanged
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


def response_submit(
    *,
    survey: Survey,
    data: Data,
    channel: str,
    form_token: str | None = None,
    invitation_token: str | None = None,
    client_id: str | uuid.UUID | None = None,
    entered_by: Any = None,
    under_18_start: bool = False,
) -> Response:
    """Check everything, then store the response and its answers, or store nothing and raise.

    Online responses need a form token (one response each); invitation responses their link's token (one each);
    event responses a client id (a resend of the same id returns the stored response); paper responses the person
    typing them in. `survey` may be a copy read a moment ago (`survey_for_answers`): if, when the response comes to be
    stored, the survey has closed or its questions have changed, nothing is stored and everything is checked again
    against the survey as it is now.
    """
    sent = _Sent(data, channel, form_token, invitation_token, client_id, entered_by, under_18_start)
    for attempt in range(2):
        try:
            with transaction.atomic() if channel == Response.Channel.INVITATION else contextlib.nullcontext():
                # An invitation is used up in the same transaction as its response is stored: one response each.
                response = _submit(survey, sent, count_rate=attempt == 0)  # a response counts once to the limit
        except _SurveyChanged:
            survey = Survey.objects.get(pk=survey.pk)
            _keep(survey)
        else:
            _give_back_connection()
            return response
    raise ResponseRefused("This survey changed while you were answering it. Open it again.", reason="changed")


def _give_back_connection() -> None:
    """The response is stored: give the request's database connection back to the pool now, not when the request
    ends, unless a transaction of the caller's is using it. A process's requests share the pool (DATABASE_POOL_MAX_SIZE
    connections), and while a burst of responses comes in the rest of each request (its answer sent back, the
    middleware) would otherwise hold a connection others are waiting for; the pool hands it back out at once."""
    db = connections[DEFAULT_DB_ALIAS]
    if db.settings_dict.get("OPTIONS", {}).get("pool") and not db.in_atomic_block:
        db.close()


# Copies of open surveys, by public key, with when they were read: the first read of every response sent to a public
# link, saved. A copy is used for at most KEEP_SURVEY_FOR seconds; what matters for storing a response (open or not,
# which questions) is checked again by the INSERT that stores it (`_Statements`), so an out-of-date copy costs a
# second read, never a response stored against a closed survey or the wrong questions. What else a page shows of a
# survey (its title, its panel's name) is at most that many seconds old.
KEEP_SURVEY_FOR = 10.0
_KEEP_AT_MOST = 1000
_kept_surveys: dict[str, tuple[float, Survey]] = {}
_kept_lock = threading.Lock()


def _keep(survey: Survey) -> None:
    with _kept_lock:
        if len(_kept_surveys) >= _KEEP_AT_MOST:
            _kept_surveys.clear()
        _kept_surveys[survey.public_key] = (time.monotonic(), survey)


def survey_for_answers(public_key: str) -> Survey:
    """The survey a response to a public link is sent to: a copy this process read in the last few seconds if it
    was open then and still is by its dates, otherwise read now (404 for no survey or a draft)."""
    kept = _kept_surveys.get(public_key)
    if kept is not None and time.monotonic() - kept[0] < KEEP_SURVEY_FOR and kept[1].accepting_state() == "open":
        return kept[1]
    survey = get_public_survey(public_key)
    _keep(survey)
    return survey


@dataclass(frozen=True)
class _Sent:
    """What came with a response (see response_submit)."""

    data: Data
    channel: str
    form_token: str | None  # online: the form's one-use token
    invitation_token: str | None  # invitation: the link's token
    client_id: str | uuid.UUID | None  # event: the id the tablet made up
    entered_by: Any  # paper: who typed it in
    under_18_start: bool  # said "14 to 17" before the questions


def _submit(survey: Survey, sent: _Sent, *, count_rate: bool) -> Response:
    channel = sent.channel
    state = survey.accepting_state()
    if state != "open" and channel != Response.Channel.PAPER:
        raise ResponseRefused("This survey is not taking responses.", reason=state)
    if channel == Response.Channel.PAPER and survey.status == Survey.Status.DRAFT:
        raise ResponseRefused("Open the survey before typing in paper forms.", reason=state)
    token_hash = invitation = None
    parsed_client_id = None
    if channel == Response.Channel.ONLINE:
        # A form sent twice is refused by the unique index on token_hash when its response is stored, below.
        token_hash = _check_form_token(survey, sent.form_token or "")
    elif channel == Response.Channel.INVITATION:
        invitation = (
            SurveyInvitation.objects.select_for_update()
            .filter(survey=survey, token_hash=hash_token(sent.invitation_token or ""))
            .first()
        )
        if invitation is None:
            raise ResponseRefused("This invitation link is not for this survey.", reason="bad_token")
        if invitation.used_at is not None:
            raise ResponseRefused("This invitation link has already been used to answer.", reason="used")
    elif channel == Response.Channel.EVENT:
        try:
            parsed_client_id = uuid.UUID(str(sent.client_id))
        except ValueError:
            raise ResponseRefused("The tablet sent no response id.", reason="bad_token") from None
        existing = _resent(survey, parsed_client_id)
        if existing is not None:
            return existing
    elif channel == Response.Channel.PAPER:
        if sent.entered_by is None:
            raise SurveyError("A paper form is entered by someone.")
    else:
        raise SurveyError("Unknown channel.")

    answers, errors = clean_answers(_questions(survey), sent.data)
    if errors:
        raise ResponseInvalid(errors)
    if not answers:
        raise ResponseInvalid({"": "Answer at least one question before sending."})
    if channel != Response.Channel.PAPER and count_rate:
        _check_rate(survey)
    response = Response(
        survey=survey,
        channel=channel,
        entered_by=sent.entered_by if channel == Response.Channel.PAPER else None,
        invitation=invitation,
        client_id=parsed_client_id,
        token_hash=token_hash,
        under_18=sent.under_18_start or under_18(answers),
    )
    try:
        _store(response, answers, survey=survey, must_be_open=channel != Response.Channel.PAPER)
    except IntegrityError:
        # Two sends of one form or one tablet response at the same moment: the first one stored wins.
        existing = _resent(survey, parsed_client_id) if parsed_client_id is not None else None
        if existing is not None:
            return existing
        raise ResponseRefused("These answers have already been sent. Thank you.", reason="duplicate") from None
    if invitation is not None:
        invitation.used_at = timezone.now()
        invitation.save(update_fields=["used_at"])
    response_added_on_commit(survey.pk)  # the results pages update live (counts only)
    return response


def _resent(survey: Survey, client_id: uuid.UUID) -> Response | None:
    """The response a tablet already sent with this id, if it did."""
    existing = Response.objects.filter(client_id=client_id).first()
    if existing is not None and existing.survey_id != survey.pk:
        raise ResponseRefused("This response id belongs to another survey.", reason="bad_token")
    return existing
