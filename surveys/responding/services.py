"""Taking responses: the public form, invitation links, event tablets and paper forms; and making invitation links.

Everything is checked before anything is stored; a response is stored whole or not at all (surveys.responding.store).
Flood protection is a signed, expiring, one-use form token (only its hash is kept) and a per-survey rate limit in the
shared cache (surveys.responding.ratelimit).
"""

from __future__ import annotations

import contextlib
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone

from surveys.building.models import Survey
from surveys.building.services import SurveyError
from surveys.responding.answers import CleanAnswer, Data, clean_answers
from surveys.responding.consent import marked_under_18
from surveys.responding.errors import ResponseInvalid, ResponseRefused
from surveys.responding.kept import keep, questions_for_answers
from surveys.responding.live import response_added_on_commit
from surveys.responding.models import Response, SurveyInvitation, hash_token
from surveys.responding.ratelimit import minute_counter
from surveys.responding.store import SurveyChanged, give_back_connection, store_response

FORM_TOKEN_SALT = "surveys.form-token"  # noqa: S105 - a signing namespace, not a secret
# A form token is good for a day: long enough to fill in a long survey, short enough to expire.
FORM_TOKEN_MAX_AGE = 24 * 60 * 60


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


def _check_rate(survey: Survey) -> None:
    """At most SURVEY_RESPONSES_PER_MINUTE responses a minute to one survey, counted across processes."""
    limit = getattr(settings, "SURVEY_RESPONSES_PER_MINUTE", 120)
    # Keyed by the survey's random public key, not its pk, so that test databases sharing one Redis never collide.
    count = minute_counter().add(f"surveys:rate:{survey.public_key}")
    if count > limit:
        raise ResponseRefused(
            "Too many responses are arriving at once. Wait a minute and send your answers again.", reason="rate"
        )


def response_submit(
    *,
    survey: Survey,
    data: Data,
    channel: str,
    form_token: str | None = None,
    invitation_token: str | None = None,
    client_id: str | uuid.UUID | None = None,
    entered_by: Any = None,
    age: str = "",
) -> Response:
    """Check everything, then store the response and its answers, or store nothing and raise.

    Online responses need a form token (one response each); invitation responses their link's token (one each);
    event responses a client id (a resend of the same id returns the stored response); paper responses the person
    typing them in. A young respondent's consent is checked by the page that asks for it, before this is called
    (surveys.responding.consent); `age` is their answer to "Are you aged 14 to 17?", if asked.

    `survey` may be a copy read a moment ago (`survey_for_answers`): if, when the response comes to be stored, the
    survey has closed or its questions have changed, nothing is stored and everything is checked again against the
    survey as it is now.
    """
    sent = _Sent(data, channel, form_token, invitation_token, client_id, entered_by, age)
    for attempt in range(2):
        try:
            with transaction.atomic() if channel == Response.Channel.INVITATION else contextlib.nullcontext():
                # An invitation is used up in the same transaction as its response is stored: one response each.
                response = _submit(survey, sent, count_rate=attempt == 0)  # a response counts once to the limit
        except SurveyChanged:
            survey = Survey.objects.get(pk=survey.pk)
            keep(survey)
        else:
            give_back_connection()
            return response
    raise ResponseRefused("This survey changed while you were answering it. Open it again.", reason="changed")


@dataclass(frozen=True)
class _Sent:
    """What came with a response (see response_submit)."""

    data: Data
    channel: str
    form_token: str | None  # online: the form's one-use token
    invitation_token: str | None  # invitation: the link's token
    client_id: str | uuid.UUID | None  # event: the id the tablet made up
    entered_by: Any  # paper: who typed it in
    age: str  # the first page's (or the kiosk's) "Are you aged 14 to 17?"


@dataclass(frozen=True)
class _Checked:
    """What the channel's check found (see `_check_channel`): what the response is stored with so that it is stored
    once, or the response already stored."""

    token_hash: str | None = None  # online
    invitation: SurveyInvitation | None = None  # invitation, locked until the response is stored
    client_id: uuid.UUID | None = None  # event
    resent: Response | None = None  # event: the tablet sent this response before, and it is stored


def _submit(survey: Survey, sent: _Sent, *, count_rate: bool) -> Response:
    channel = sent.channel
    state = survey.accepting_state()
    if state != "open" and channel != Response.Channel.PAPER:
        raise ResponseRefused("This survey is not taking responses.", reason=state)
    if channel == Response.Channel.PAPER and not survey.takes_paper_forms:
        raise ResponseRefused("Open the survey before typing in paper forms.", reason=state)
    checked = _check_channel(survey, sent)
    if checked.resent is not None:
        return checked.resent
    answers, errors = clean_answers(questions_for_answers(survey), sent.data)
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
        invitation=checked.invitation,
        client_id=checked.client_id,
        token_hash=checked.token_hash,
        under_18=marked_under_18(answers, age=sent.age),
    )
    return _store(survey, response, answers, checked)


def _check_channel(survey: Survey, sent: _Sent) -> _Checked:
    """What each channel needs for a response to be stored once: online, the form's token; invitation, its unused
    link; event, the tablet's response id; paper, who typed it in."""
    channel = sent.channel
    if channel == Response.Channel.ONLINE:
        # A form sent twice is refused by the unique index on token_hash when its response is stored (`_store`).
        return _Checked(token_hash=_check_form_token(survey, sent.form_token or ""))
    if channel == Response.Channel.INVITATION:
        invitation = (
            SurveyInvitation.objects.select_for_update()
            .filter(survey=survey, token_hash=hash_token(sent.invitation_token or ""))
            .first()
        )
        if invitation is None:
            raise ResponseRefused("This invitation link is not for this survey.", reason="bad_token")
        if invitation.used_at is not None:
            raise ResponseRefused("This invitation link has already been used to answer.", reason="used")
        return _Checked(invitation=invitation)
    if channel == Response.Channel.EVENT:
        try:
            client_id = uuid.UUID(str(sent.client_id))
        except ValueError:
            raise ResponseRefused("The tablet sent no response id.", reason="bad_token") from None
        return _Checked(client_id=client_id, resent=_resent(survey, client_id))
    if channel == Response.Channel.PAPER:
        if sent.entered_by is None:
            raise SurveyError("A paper form is entered by someone.")
        return _Checked()
    raise SurveyError("Unknown channel.")


def _store(survey: Survey, response: Response, answers: list[CleanAnswer], checked: _Checked) -> Response:
    """Store the response (or give back the one stored first, when a tablet's response came twice at once), use up
    its invitation, and tell the results pages."""
    try:
        store_response(response, answers, survey=survey, must_be_open=response.channel != Response.Channel.PAPER)
    except IntegrityError:
        # Two sends of one form or one tablet response at the same moment: the first one stored wins.
        existing = _resent(survey, checked.client_id) if checked.client_id is not None else None
        if existing is not None:
            return existing
        raise ResponseRefused("These answers have already been sent. Thank you.", reason="duplicate") from None
    if checked.invitation is not None:
        checked.invitation.used_at = timezone.now()
        checked.invitation.save(update_fields=["used_at"])
    response_added_on_commit(survey.pk)  # the results pages update live (counts only)
    return response


def _resent(survey: Survey, client_id: uuid.UUID) -> Response | None:
    """The response a tablet already sent with this id, if it did."""
    existing = Response.objects.filter(client_id=client_id).first()
    if existing is not None and existing.survey_id != survey.pk:
        raise ResponseRefused("This response id belongs to another survey.", reason="bad_token")
    return existing


@transaction.atomic
def survey_invitations_create(*, survey: Survey, count: int, label: str = "") -> list[str]:
    """`count` new invitation links' tokens. Shown once: only their hashes are kept."""
    if not 1 <= count <= 500:
        raise SurveyError("Make between 1 and 500 invitation links at a time.")
    tokens = [secrets.token_urlsafe(24) for _ in range(count)]
    SurveyInvitation.objects.bulk_create(
        SurveyInvitation(survey=survey, token_hash=hash_token(t), label=label) for t in tokens
    )
    return tokens
