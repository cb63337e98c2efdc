"""Answering a survey: the public form and invitation links, paper entry and the event kiosk.

The rules a response must meet are surveys/responding/answers.py; storing it is surveys/responding/services.py.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from frontend.views.survey_forms import form_data, question_views
from panels.typing import AuthenticatedHttpRequest
from surveys import vocab
from surveys.building.models import Survey
from surveys.building.permissions import get_survey_for_user
from surveys.building.selectors import survey_questions
from surveys.building.services import SurveyError
from surveys.responding.consent import YOUNG_CONSENT_KIOSK, check_young_consent, young_trigger
from surveys.responding.errors import ResponseInvalid, ResponseRefused
from surveys.responding.kept import survey_for_answers
from surveys.responding.models import Response
from surveys.responding.permissions import get_invitation, get_public_survey
from surveys.responding.services import form_token_issue, response_submit

# --- Paper entry and the event kiosk ----------------------------------------------------------


@login_required
def survey_paper(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    survey, access = get_survey_for_user(request.user, pk)
    data: dict[str, list[str]] = {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        data = form_data(request)
        try:
            check_young_consent(Response.Channel.PAPER, data)  # paper: not asked (the rule says why)
            response_submit(survey=survey, data=data, channel=Response.Channel.PAPER, entered_by=request.user)
        except ResponseInvalid as exc:
            errors = exc.errors
        except SurveyError as exc:
            errors = {"": str(exc)}
        else:
            messages.success(request, "Paper form saved. Type in the next one.")
            return redirect("survey-paper", pk=survey.pk)
    return render(
        request,
        "frontend/surveys/paper.html",
        {
            "panel": access.panel,
            "access": access,
            "survey": survey,
            "sections": question_views(survey, data, errors),
            "errors": errors,
            "entered": survey.responses.filter(channel=Response.Channel.PAPER).count(),
        },
        status=400 if errors else 200,
    )


@login_required
def survey_kiosk(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    survey, access = get_survey_for_user(request.user, pk)
    return render(
        request,
        "frontend/surveys/kiosk.html",
        {
            "panel": access.panel,
            "access": access,
            "survey": survey,
            "sections": question_views(survey),
            "state": survey.accepting_state(),
            "young_trigger": young_trigger(survey_questions(survey)),
            "young_consent_error": YOUNG_CONSENT_KIOSK,
        },
    )


@login_required
@require_POST
def survey_kiosk_submit(request: AuthenticatedHttpRequest, pk: int) -> JsonResponse:
    """One response from the event kiosk, as JSON:
    {"client_id": "<uuid>", "answers": {"q1": ["Yes"], …}, "age": "14-17", "young_consent": true}.

    "age" is the kiosk's "Are you aged 14 to 17?" (optional); someone aged 14 to 17, by that answer or by the
    demographics age band, must have ticked the consent box, as on the public form: otherwise nothing is stored.
    """
    survey, _ = get_survey_for_user(request.user, pk)
    try:
        payload = json.loads(request.body or b"{}")
        answers = {
            str(k): [str(v) for v in (vs if isinstance(vs, list) else [vs])] for k, vs in payload["answers"].items()
        }
        client_id = str(payload["client_id"])
        age = str(payload.get("age") or "")
        consent = payload.get("young_consent") is True
    except (ValueError, KeyError, TypeError, AttributeError):
        return JsonResponse(
            {"ok": False, "errors": {"": "The tablet sent something that could not be read."}}, status=400
        )
    try:
        check_young_consent(Response.Channel.EVENT, answers, age=age, consent=consent)
        response = response_submit(
            survey=survey, data=answers, channel=Response.Channel.EVENT, client_id=client_id, age=age
        )
    except ResponseInvalid as exc:
        return JsonResponse({"ok": False, "errors": exc.errors}, status=400)
    except ResponseRefused as exc:
        status = 429 if exc.reason == "rate" else 409
        return JsonResponse({"ok": False, "errors": {"": str(exc)}, "reason": exc.reason}, status=status)
    return JsonResponse({"ok": True, "id": response.pk})


# --- Answering (public) -----------------------------------------------------------------------

CLOSED_MESSAGES = {
    "closed": "This survey has closed. Thank you for your interest.",
    "past_close": "This survey has closed. Thank you for your interest.",
    "not_yet_open": "This survey is not open yet.",
    "draft": "This survey is not open yet.",
}


def _closed(request: HttpRequest, survey: Survey, state: str) -> HttpResponse:
    return render(
        request,
        "frontend/surveys/closed.html",
        {
            "survey": survey,
            "message": CLOSED_MESSAGES.get(state, "This survey is not taking responses."),
            "state": state,
        },
        status=410 if state in ("closed", "past_close") else 403 if state == "draft" else 200,
    )


def _refused(
    request: HttpRequest, survey: Survey, exc: ResponseRefused, *, data: dict[str, list[str]], form_token: str, age: str
) -> HttpResponse:
    """The page for answers the survey refused to store (not for answers it found wrong: the form shows those)."""
    if exc.reason == "duplicate":
        return redirect("survey-thanks", public_key=survey.public_key)
    if exc.reason in CLOSED_MESSAGES:  # it closed while they were answering
        return _closed(request, get_public_survey(survey.public_key), exc.reason)
    if exc.reason == "rate":  # keep what they typed: they can send it again in a minute
        return render(
            request,
            "frontend/surveys/respond.html",
            {
                "survey": survey,
                "sections": question_views(survey, data),
                "errors": {"": str(exc)},
                "form_token": form_token,
                "under_18": age == vocab.UNDER_18,
                "age": age,
            },
            status=429,
        )
    return render(request, "frontend/surveys/refused.html", {"survey": survey, "message": str(exc)}, status=409)


def _respond(
    request: HttpRequest, survey: Survey, *, channel: str, invitation_token: str | None = None
) -> HttpResponse:
    state = survey.accepting_state()
    if state != "open":
        return _closed(request, survey, state)
    source = request.POST if request.method == "POST" else request.GET
    age = source.get("age", "")
    if request.method == "GET" and "start" not in request.GET:
        return render(request, "frontend/surveys/start.html", {"survey": survey, "age_bands": vocab.AGE_BANDS})
    data: dict[str, list[str]] = {}
    errors: dict[str, str] = {}
    form_token = request.POST.get("form_token") or form_token_issue(survey)
    if request.method == "POST":
        data = form_data(request)
        try:
            check_young_consent(channel, data, age=age, consent=bool(request.POST.get("young_consent")))
            response_submit(
                survey=survey,
                data=data,
                channel=channel,
                form_token=form_token if channel == Response.Channel.ONLINE else None,
                invitation_token=invitation_token,
                age=age,
            )
        except ResponseInvalid as exc:
            errors = exc.errors
        except ResponseRefused as exc:
            return _refused(request, survey, exc, data=data, form_token=form_token, age=age)
        else:
            return redirect("survey-thanks", public_key=survey.public_key)
    return render(
        request,
        "frontend/surveys/respond.html",
        {
            "survey": survey,
            "sections": question_views(survey, data, errors),
            "errors": errors,
            "form_token": form_token,
            "under_18": age == vocab.UNDER_18,
            "young_trigger": young_trigger(survey_questions(survey)),
            "age": age,
        },
        status=400 if errors else 200,
    )


# The public answering pages take no CSRF token and set no cookie (docs/threat-model.md): a response is anonymous and
# acts for nobody (no session or sign-in is read), so a forged post could do nothing that posting directly cannot; the
# one-use, expiring form token (or the invitation's token) is what a response must carry. Without the CSRF cookie
# the survey also works for people who refuse cookies.
@csrf_exempt
def survey_respond(request: HttpRequest, public_key: str) -> HttpResponse:
    # Answers are sent to a copy of the survey read a moment ago, checked again as they are stored (surveys.responding).
    survey = survey_for_answers(public_key) if request.method == "POST" else get_public_survey(public_key)
    return _respond(request, survey, channel=Response.Channel.ONLINE)


@csrf_exempt
def survey_invited(request: HttpRequest, token: str) -> HttpResponse:
    invitation = get_invitation(token)
    if invitation.used_at is not None:
        return render(
            request,
            "frontend/surveys/refused.html",
            {
                "survey": invitation.survey,
                "message": "This invitation link has already been used to answer. Thank you.",
            },
            status=410,
        )
    return _respond(request, invitation.survey, channel=Response.Channel.INVITATION, invitation_token=token)


def survey_thanks(request: HttpRequest, public_key: str) -> HttpResponse:
    return render(request, "frontend/surveys/thanks.html", {"survey": get_public_survey(public_key)})


urlpatterns: list[URLPattern] = [
    path("surveys/<int:pk>/paper/", survey_paper, name="survey-paper"),
    path("surveys/<int:pk>/event/", survey_kiosk, name="survey-kiosk"),
    path("surveys/<int:pk>/event/responses/", survey_kiosk_submit, name="survey-kiosk-submit"),
    path("s/<str:public_key>/", survey_respond, name="survey-respond"),
    path("s/<str:public_key>/thanks/", survey_thanks, name="survey-thanks"),
    path("i/<str:token>/", survey_invited, name="survey-invited"),
]
