"""Who may reach a survey to answer it: anyone with its public link or an invitation link, unless it is a draft.
Respondents need no account at all."""

from __future__ import annotations

from django.http import Http404

from surveys.building.models import Survey
from surveys.responding.models import SurveyInvitation, hash_token


def get_public_survey(public_key: str) -> Survey:
    """A survey by its public link: anyone may reach it; whether it takes responses is the page's to say. (Answers
    sent to the link use a recent copy instead: surveys.responding.kept.survey_for_answers.)"""
    try:  # get(), not first(): the key is unique, and first() would sort by the survey list's order to take one
        survey = Survey.objects.select_related("panel").get(public_key=public_key)
    except Survey.DoesNotExist:
        raise Http404("No such survey.") from None
    if survey.status == Survey.Status.DRAFT:
        raise Http404("No such survey.")
    return survey


def get_invitation(token: str) -> SurveyInvitation:
    """An invitation by its link's token, to a survey that is not a draft (404 otherwise); whether it has been used,
    and whether the survey takes responses, is the page's to say."""
    invitation = (
        SurveyInvitation.objects.select_related("survey", "survey__panel").filter(token_hash=hash_token(token)).first()
    )
    if invitation is None or invitation.survey.status == Survey.Status.DRAFT:
        raise Http404("No such invitation.")
    return invitation
