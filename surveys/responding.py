"""Taking responses: the public form, invitation links, event tablets and paper forms.

Everything is checked before anything is stored; a response is stored whole or not at all. Flood protection is a
signed, expiring, one-use form token (only its hash is kept) and a per-survey rate limit in the shared cache.
"""

from __future__ import annotations

import functools
import secrets
import uuid
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.cache import DEFAULT_CACHE_ALIAS, BaseCache, caches
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from surveys.answers import CleanAnswer, Data, clean_answers, under_18
from surveys.live import response_added_on_commit
from surveys.models import Answer, Question, Response, Survey, SurveyInvitation
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
def _rate_cache() -> BaseCache:
    """The default cache, one client for the whole process. `django.core.cache.cache` is one per request under ASGI
    (each request runs in a context of its own), which with Redis means a new connection, and its handshake, for every
    response. Django's Redis client and the local-memory cache are both safe to share between threads."""
    return caches.create_connection(DEFAULT_CACHE_ALIAS)


def _check_rate(survey: Survey) -> None:
    """At most SURVEY_RESPONSES_PER_MINUTE responses a minute to one survey, counted in the shared cache."""
    limit = getattr(settings, "SURVEY_RESPONSES_PER_MINUTE", 120)
    cache = _rate_cache()
    # Keyed by the survey's random public key, not its pk, so that test databases sharing one Redis never collide.
    key = f"surveys:rate:{survey.public_key}:{int(timezone.now().timestamp() // 60)}"
    try:
        count = cache.incr(key)
    except ValueError:  # the minute's first response: start its counter, unless another response just did
        count = 1 if cache.add(key, 1, timeout=120) else cache.incr(key)
    if count > limit:
        raise ResponseRefused(
            "Too many responses are arriving at once. Wait a minute and send your answers again.", reason="rate"
        )


def _questions(survey: Survey) -> list[Question]:
    """The survey's questions in order, as `survey_questions` gives them but without their sections and conditions'
    questions: checking answers reads only each question's own fields (a condition by its question's id), and three
    objects a question cost a third of the submit path's time."""
    return list(Question.objects.filter(survey=survey).order_by("section__position", "section_id", "position", "pk"))


def _store_answers(response: Response, answers: list[CleanAnswer]) -> None:
    """One INSERT of every answer: what `Answer.objects.bulk_create` sends, without building a model object and
    preparing each of its fields in turn for every answer (a quarter of the submit path's time with 20 answers).
    Each value is prepared by the model's own field, so it is stored exactly as bulk_create would store it."""
    meta = Answer._meta
    by_name = {f.name: f for f in meta.concrete_fields}
    fields = [by_name[name] for name in ("response", "question", "value", "other_text")]
    value_field = by_name["value"]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(f.column)) for f in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES {', '.join([row] * len(answers))}"  # noqa: S608 - names from the model
    params: list[Any] = []
    for a in answers:
        params += [response.pk, a.question.pk, value_field.get_db_prep_save(a.value, connection), a.other_text]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@transaction.atomic
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
    typing them in.
    """
    state = survey.accepting_state()
    if state != "open" and channel != Response.Channel.PAPER:
        raise ResponseRefused("This survey is not taking responses.", reason=state)
    if channel == Response.Channel.PAPER and survey.status == Survey.Status.DRAFT:
        raise ResponseRefused("Open the survey before typing in paper forms.", reason=state)
    token_hash = invitation = None
    parsed_client_id = None
    if channel == Response.Channel.ONLINE:
        # A form sent twice is refused by the unique index on token_hash when its response is stored, below.
        token_hash = _check_form_token(survey, form_token or "")
    elif channel == Response.Channel.INVITATION:
        invitation = (
            SurveyInvitation.objects.select_for_update()
            .filter(survey=survey, token_hash=hash_token(invitation_token or ""))
            .first()
        )
        if invitation is None:
            raise ResponseRefused("This invitation link is not for this survey.", reason="bad_token")
        if invitation.used_at is not None:
            raise ResponseRefused("This invitation link has already been used to answer.", reason="used")
    elif channel == Response.Channel.EVENT:
        try:
            parsed_client_id = uuid.UUID(str(client_id))
        except ValueError:
            raise ResponseRefused("The tablet sent no response id.", reason="bad_token") from None
        existing = Response.objects.filter(client_id=parsed_client_id).first()
        if existing is not None:
            if existing.survey_id != survey.pk:
                raise ResponseRefused("This response id belongs to another survey.", reason="bad_token")
            return existing
    elif channel == Response.Channel.PAPER:
        if entered_by is None:
            raise SurveyError("A paper form is entered by someone.")
    else:
        raise SurveyError("Unknown channel.")

    answers, errors = clean_answers(_questions(survey), data)
    if errors:
        raise ResponseInvalid(errors)
    if not answers:
        raise ResponseInvalid({"": "Answer at least one question before sending."})
    if channel != Response.Channel.PAPER:
        _check_rate(survey)
    try:
        # Only a tablet's resend goes on (to return the stored response), so only it needs a savepoint to go back to;
        # any other clash ends the whole transaction.
        with transaction.atomic(savepoint=parsed_client_id is not None):
            response = Response.objects.create(
                survey=survey,
                channel=channel,
                entered_by=entered_by if channel == Response.Channel.PAPER else None,
                invitation=invitation,
                client_id=parsed_client_id,
                token_hash=token_hash,
                under_18=under_18_start or under_18(answers),
            )
    except IntegrityError:
        # Two sends of one form or one tablet response at the same moment: the first one stored wins.
        if parsed_client_id is not None:
            return Response.objects.get(client_id=parsed_client_id)
        raise ResponseRefused("These answers have already been sent. Thank you.", reason="duplicate") from None
    _store_answers(response, answers)
    if invitation is not None:
        invitation.used_at = timezone.now()
        invitation.save(update_fields=["used_at"])
    response_added_on_commit(survey.pk)  # the results pages update live (counts only)
    return response
