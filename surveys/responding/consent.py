"""Young respondents (14 to 17): who counts as one, and the consent they give before their answers are taken
(docs/surveys.md, "Young respondents"). The one rule for the public form and invitation links, the event kiosk and
paper entry; the views call it, and the response is marked `under_18` by `response_submit` from the same answers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from surveys import vocab
from surveys.building.models import Question
from surveys.responding.answers import CleanAnswer, Data
from surveys.responding.errors import ResponseInvalid
from surveys.responding.models import Response

YOUNG_CONSENT_ONLINE = "Tick the box to say you are happy to take part, or close this page"
YOUNG_CONSENT_KIOSK = "Tick the box to say you are happy to take part, or ask for the page to be cleared"
# Where the consent is asked, and the words that ask for it. Paper entry asks nothing: the respondent is not at the
# keyboard, and the panel member typing the form in cannot consent for them.
CONSENT_ASKED: dict[str, str] = {
    Response.Channel.ONLINE: YOUNG_CONSENT_ONLINE,
    Response.Channel.INVITATION: YOUNG_CONSENT_ONLINE,
    Response.Channel.EVENT: YOUNG_CONSENT_KIOSK,
}


def said_under_18(data: Data, *, age: str = "") -> bool:
    """Whether what was sent says 14 to 17: the first page's (or the kiosk's) "Are you aged 14 to 17?", or any
    demographics age band sent. Read from what was sent, before the answers are checked, so that the consent is asked
    of anyone who said it anywhere on the form."""
    return age == vocab.UNDER_18 or any(
        key.endswith("_age_band") and vocab.UNDER_18 in values for key, values in data.items()
    )


def marked_under_18(answers: Iterable[CleanAnswer], *, age: str = "") -> bool:
    """Whether a response is stored as an under-18's: said on the first page, or in the demographics age band of
    the answers stored (so results can be reported for under-18s separately)."""
    return age == vocab.UNDER_18 or any(
        a.question.kind == Question.Kind.DEMOGRAPHICS and a.value.get("age_band") == vocab.UNDER_18 for a in answers
    )


def check_young_consent(channel: str, data: Data, *, age: str = "", consent: bool = False) -> None:
    """Refuse (ResponseInvalid, on the consent tick) the answers of someone who said they are 14 to 17 and has not
    ticked that they are happy to take part, where the channel asks it. Checked before anything else about the
    answers, so the consent is the one thing asked for."""
    asked = CONSENT_ASKED.get(channel)
    if asked is not None and not consent and said_under_18(data, age=age):
        raise ResponseInvalid({"young_consent": asked})


def young_trigger(questions: Sequence[Question]) -> str:
    """The field of the demographics age band that, when 14 to 17, brings up the young people's information."""
    return next((f"{q.field_name}_age_band" for q in questions if q.kind == Question.Kind.DEMOGRAPHICS), "")
