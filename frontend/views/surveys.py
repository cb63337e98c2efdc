"""Survey pages: building (sections, questions, the trust set, conditions), preview, copy, versions, opening and
closing, invitation links and QR codes; the public response flow; paper entry; and the event kiosk.

Who may build is decided in surveys/permissions.py; the rules a response must meet in surveys/answers.py.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from typing import Any

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_POST

from panels.typing import AuthenticatedHttpRequest
from surveys import vocab
from surveys.models import Question, Response, Survey
from surveys.permissions import (
    get_public_survey,
    get_question_on_survey,
    get_section_on_survey,
    get_survey_for_user,
    get_survey_panel_access,
)
from surveys.selectors import survey_outline, surveys_of_panel
from surveys.services import (
    ResponseInvalid,
    ResponseRefused,
    SurveyError,
    condition_choices,
    form_token_issue,
    invitation_for_token,
    question_add,
    question_delete,
    question_update,
    response_submit,
    section_add,
    survey_add_trust_set,
    survey_close,
    survey_copy,
    survey_create,
    survey_invitations_create,
    survey_new_version,
    survey_open,
    survey_questions,
    survey_update,
)

# --- Forms ----------------------------------------------------------------------------------


class SurveyForm(forms.Form):
    title = forms.CharField(max_length=200, error_messages={"required": "Give the survey a title"})
    introduction = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the survey is for and who will read the answers. Shown on the first page.",
    )


class SectionForm(forms.Form):
    title = forms.CharField(
        label="Section title", max_length=200, error_messages={"required": "Give the section a title"}
    )


class QuestionForm(forms.Form):
    section = forms.TypedChoiceField(label="Section", coerce=int)
    kind = forms.ChoiceField(label="Type of question", choices=Question.Kind.choices)
    text = forms.CharField(label="Question", max_length=500, error_messages={"required": "Write the question"})
    help_text = forms.CharField(label="Hint", max_length=500, required=False)
    required = forms.BooleanField(label="An answer is needed", required=False)
    options = forms.CharField(
        label="Options or statements",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="One a line. Choices, priorities to rank, or the statements of a matrix.",
    )
    allow_other = forms.BooleanField(label="Add “Other, please say”", required=False)
    scale = forms.ChoiceField(
        label="Scale (statements on one scale)", choices=[("", "Not a matrix"), *vocab.SCALE_NAMES], required=False
    )
    minimum = forms.IntegerField(label="Smallest number allowed", required=False)
    maximum = forms.IntegerField(label="Largest number allowed", required=False)
    show_if = forms.ChoiceField(
        label="Show this question only if",
        required=False,
        help_text="Leave as “Always show” unless the question only makes sense after a certain answer.",
    )

    def __init__(self, *args: Any, survey: Survey, editing: Question | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = [(s.pk, s.title) for s in survey.sections.order_by("position", "pk")]  # type: ignore[attr-defined]
        conditions: list[tuple[str, str]] = [("", "Always show")]
        for number, q in enumerate(survey_questions(survey), start=1):
            if editing is not None and q.pk == editing.pk:
                continue
            for value, label in condition_choices(q):
                conditions.append((f"{q.pk}:{value}", f"Question {number} ({_short(q.text)}) is “{label}”"))
        self.fields["show_if"].choices = conditions  # type: ignore[attr-defined]


def _short(text: str, length: int = 40) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


class OpenForm(forms.Form):
    opens_at = forms.DateTimeField(
        label="Opens (optional)",
        required=False,
        help_text="Leave empty to open now. For example, 2026-12-14 09:00",
        input_formats=["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    closes_at = forms.DateTimeField(
        label="Closes (optional)",
        required=False,
        help_text="Leave empty to close it yourself.",
        input_formats=["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class InvitationsForm(forms.Form):
    count = forms.IntegerField(label="How many links", min_value=1, max_value=500, initial=10)
    label = forms.CharField(
        label="Label (optional)", max_length=100, required=False, help_text="For example, Year 10 assembly."
    )


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
    K = Question.Kind
    for section in survey_outline(survey):
        views = []
        for number, q in section.questions:
            name = q.field_name
            sent = data.get(name, [])
            view = QuestionView(number=number, question=q, name=name, error=errors.get(name, ""))
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
                    view.rows.append(
                        Row(statement, row_name, row_name, _choices(row_name, scale, data.get(row_name, [])))
                    )
            elif q.kind == K.RANKING:
                for i, option in enumerate(q.options):
                    row_name = f"{name}_{i}"
                    view.rows.append(Row(option, row_name, row_name, value=(data.get(row_name) or [""])[0]))
            elif q.kind == K.DEMOGRAPHICS:
                for part in vocab.DEMOGRAPHIC_PARTS:
                    row_name = f"{name}_{part.key}"
                    sent_part = data.get(row_name, [])
                    row = Row(part.label, row_name, row_name, value=(sent_part or [""])[0])
                    if part.key == "ethnic_group":
                        row.groups = [
                            (broad, _choices(row_name, group, sent_part)) for broad, group in vocab.ETHNIC_GROUPS
                        ]
                    elif part.choices:
                        row.choices = _choices(row_name, [*part.choices, vocab.PREFER_NOT], sent_part)
                    view.rows.append(row)
            if q.show_if_question_id:
                view.show_if_name = f"q{q.show_if_question_id}"
                view.show_if_values = json.dumps(q.show_if_values)
                labels = dict(condition_choices(q.show_if_question)) if q.show_if_question else {}
                said = ", ".join(f"“{labels.get(v, v)}”" for v in q.show_if_values)
                view.condition_text = (
                    f"Answer this only if your answer to question {numbers.get(q.show_if_question_id)} was {said}."
                )
            view.anchor = _anchor(view)
            views.append(view)
        result.append((section.section.title, views))
    return result


def _anchor(view: QuestionView) -> str:
    if view.choices:
        return view.choices[0].id
    if view.rows:
        first = view.rows[0]
        return first.choices[0].id if first.choices else first.id
    return view.name


def _form_data(request: HttpRequest) -> dict[str, list[str]]:
    return {k: request.POST.getlist(k) for k in request.POST if k.startswith("q")}


# --- Building -------------------------------------------------------------------------------


@login_required
def survey_list(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = get_survey_panel_access(request.user, slug)
    return render(
        request,
        "frontend/surveys/list.html",
        {"panel": access.panel, "access": access, "surveys": surveys_of_panel(access.panel)},
    )


@login_required
def survey_new(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = get_survey_panel_access(request.user, slug)
    form = SurveyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        survey = survey_create(panel=access.panel, by=request.user, **form.cleaned_data)
        messages.success(request, "Survey created. Add its questions.")
        return redirect("survey-detail", pk=survey.pk)
    return render(
        request,
        "frontend/surveys/new.html",
        {"panel": access.panel, "access": access, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def survey_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    survey, access = get_survey_for_user(request.user, pk)
    return render(
        request,
        "frontend/surveys/detail.html",
        {
            "panel": access.panel,
            "access": access,
            "survey": survey,
            "outline": survey_outline(survey),
            "response_count": survey.responses.count(),
            "locked": survey.responses.exists(),
            "public_url": request.build_absolute_uri(reverse("survey-respond", args=[survey.public_key])),
            "section_form": SectionForm(),
            "next_version": Survey.objects.filter(previous_version=survey).first(),
            "state": survey.accepting_state(),
        },
    )


def question_initial(question: Question) -> dict[str, Any]:
    first_value = question.show_if_values[0] if question.show_if_values else ""
    return {
        "section": question.section_id,
        "kind": question.kind,
        "text": question.text,
        "help_text": question.help_text,
        "required": question.required,
        "options": "\n".join(question.options),
        "allow_other": question.allow_other,
        "scale": question.scale,
        "minimum": question.minimum,
        "maximum": question.maximum,
        "show_if": f"{question.show_if_question_id}:{first_value}" if question.show_if_question_id else "",
    }


def _question_values(survey: Survey, form: QuestionForm) -> dict[str, Any]:
    """From the form to the keyword arguments of question_add / question_update."""
    data = form.cleaned_data
    show_if_question, show_if_values = None, []
    if data["show_if"]:
        question_pk, _, value = data["show_if"].partition(":")
        show_if_question = get_question_on_survey(survey, int(question_pk))
        show_if_values = [value]
    return {
        "section": get_section_on_survey(survey, data["section"]),
        "kind": data["kind"],
        "text": data["text"],
        "help_text": data["help_text"],
        "required": data["required"],
        "options": data["options"].splitlines(),
        "allow_other": data["allow_other"],
        "scale": data["scale"] or ("agreement" if data["kind"] == Question.Kind.MATRIX else ""),
        "minimum": data["minimum"],
        "maximum": data["maximum"],
        "show_if_question": show_if_question,
        "show_if_values": show_if_values,
    }


@login_required
def survey_question_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    survey, access = get_survey_for_user(request.user, pk)
    form = QuestionForm(request.POST if request.method == "POST" else None, survey=survey)
    if request.method == "POST" and form.is_valid():
        try:
            question_add(**_question_values(survey, form))
        except SurveyError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Question added.")
            return redirect("survey-detail", pk=survey.pk)
    return render(
        request,
        "frontend/surveys/question_form.html",
        {"panel": access.panel, "access": access, "survey": survey, "form": form, "question": None},
        status=400 if form.errors else 200,
    )


@login_required
def survey_question_edit(request: AuthenticatedHttpRequest, pk: int, question_pk: int) -> HttpResponse:
    survey, access = get_survey_for_user(request.user, pk)
    question = get_question_on_survey(survey, question_pk)
    form = QuestionForm(
        request.POST if request.method == "POST" else None,
        survey=survey,
        editing=question,
        initial=question_initial(question),
    )
    if request.method == "POST" and form.is_valid():
        try:
            question_update(question=question, **_question_values(survey, form))
        except SurveyError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Question changed.")
            return redirect("survey-detail", pk=survey.pk)
    return render(
        request,
        "frontend/surveys/question_form.html",
        {"panel": access.panel, "access": access, "survey": survey, "form": form, "question": question},
        status=400 if form.errors else 200,
    )


@login_required
def survey_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    survey, access = get_survey_for_user(request.user, pk)
    form = SurveyForm(
        request.POST if request.method == "POST" else None,
        initial={"title": survey.title, "introduction": survey.introduction},
    )
    if request.method == "POST" and form.is_valid():
        survey_update(survey=survey, **form.cleaned_data)
        messages.success(request, "Survey details saved.")
        return redirect("survey-detail", pk=survey.pk)
    return render(
        request,
        "frontend/surveys/edit.html",
        {"panel": access.panel, "access": access, "survey": survey, "form": form},
        status=400 if form.errors else 200,
    )


def _builder_action(request: AuthenticatedHttpRequest, survey: Survey, action: Any, done: str) -> HttpResponse:
    try:
        action()
    except SurveyError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect("survey-detail", pk=survey.pk)


@login_required
@require_POST
def survey_question_delete(request: AuthenticatedHttpRequest, pk: int, question_pk: int) -> HttpResponse:
    survey, _ = get_survey_for_user(request.user, pk)
    question = get_question_on_survey(survey, question_pk)
    return _builder_action(request, survey, lambda: question_delete(question=question), "Question removed.")


@login_required
@require_POST
def survey_section_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    survey, _ = get_survey_for_user(request.user, pk)
    form = SectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the section a title.")
        return redirect("survey-detail", pk=survey.pk)
    return _builder_action(
        request, survey, lambda: section_add(survey=survey, title=form.cleaned_data["title"]), "Section added."
    )


@login_required
@require_POST
def survey_trust_set(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    survey, _ = get_survey_for_user(request.user, pk)
    return _builder_action(
        request, survey, lambda: survey_add_trust_set(survey=survey), "Trust and confidence questions added."
    )


@login_required
@require_POST
def survey_copy_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    survey, _ = get_survey_for_user(request.user, pk)
    copy = survey_copy(survey=survey, by=request.user)
    messages.success(request, "Survey copied. The copy is a draft with no responses.")
    return redirect("survey-detail", pk=copy.pk)


@login_required
@require_POST
def survey_new_version_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    survey, _ = get_survey_for_user(request.user, pk)
    try:
        version = survey_new_version(survey=survey, by=request.user)
    except SurveyError as exc:
        messages.error(request, str(exc))
        return redirect("survey-detail", pk=survey.pk)
    messages.success(request, f"Version {version.version} made as a draft. Change its questions, then open it.")
    return redirect("survey-detail", pk=version.pk)


@login_required
def survey_open_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    survey, access = get_survey_for_user(request.user, pk)
    form = OpenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            survey_open(survey=survey, **form.cleaned_data)
        except SurveyError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "The survey is open.")
            return redirect("survey-detail", pk=survey.pk)
    return render(
        request,
        "frontend/surveys/open.html",
        {"panel": access.panel, "access": access, "survey": survey, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def survey_close_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    survey, _ = get_survey_for_user(request.user, pk)
    return _builder_action(request, survey, lambda: survey_close(survey=survey), "The survey is closed.")


@login_required
def survey_preview(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    survey, access = get_survey_for_user(request.user, pk)
    return render(
        request,
        "frontend/surveys/preview.html",
        {"panel": access.panel, "access": access, "survey": survey, "sections": question_views(survey)},
    )


@login_required
def survey_invitations(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    survey, access = get_survey_for_user(request.user, pk)
    form = InvitationsForm(request.POST if request.method == "POST" else None)
    links: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            tokens = survey_invitations_create(survey=survey, **form.cleaned_data)
        except SurveyError as exc:
            form.add_error(None, str(exc))
        else:
            links = [request.build_absolute_uri(reverse("survey-invited", args=[t])) for t in tokens]
    return render(
        request,
        "frontend/surveys/invitations.html",
        {
            "panel": access.panel,
            "access": access,
            "survey": survey,
            "form": form,
            "links": links,
            "made": survey.invitations.count(),
            "used": survey.invitations.filter(used_at__isnull=False).count(),
        },
        status=400 if form.errors else 200,
    )


@login_required
def survey_qr(request: AuthenticatedHttpRequest, pk: int, fmt: str) -> HttpResponse:
    survey, _ = get_survey_for_user(request.user, pk)
    if fmt not in ("png", "svg"):
        raise Http404("PNG or SVG only.")
    url = request.build_absolute_uri(reverse("survey-respond", args=[survey.public_key]))
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind=fmt, scale=10, border=4)
    response = HttpResponse(buffer.getvalue(), content_type="image/png" if fmt == "png" else "image/svg+xml")
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}-qr.{fmt}"'
    return response


# --- Paper entry and the event kiosk ----------------------------------------------------------


@login_required
def survey_paper(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    survey, access = get_survey_for_user(request.user, pk)
    data: dict[str, list[str]] = {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        data = _form_data(request)
        try:
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
        },
    )


@login_required
@require_POST
def survey_kiosk_submit(request: AuthenticatedHttpRequest, pk: int) -> JsonResponse:
    """One response from the event kiosk, as JSON: {"client_id": "<uuid>", "answers": {"q1": ["Yes"], …}}."""
    survey, _ = get_survey_for_user(request.user, pk)
    try:
        payload = json.loads(request.body or b"{}")
        answers = {
            str(k): [str(v) for v in (vs if isinstance(vs, list) else [vs])] for k, vs in payload["answers"].items()
        }
        client_id = str(payload["client_id"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return JsonResponse(
            {"ok": False, "errors": {"": "The tablet sent something that could not be read."}}, status=400
        )
    try:
        response = response_submit(survey=survey, data=answers, channel=Response.Channel.EVENT, client_id=client_id)
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


def _respond(
    request: HttpRequest, survey: Survey, *, channel: str, invitation_token: str | None = None
) -> HttpResponse:
    state = survey.accepting_state()
    if state != "open":
        return _closed(request, survey, state)
    source = request.POST if request.method == "POST" else request.GET
    under_18 = source.get("age") == vocab.UNDER_18
    if request.method == "GET" and "start" not in request.GET:
        return render(request, "frontend/surveys/start.html", {"survey": survey, "age_bands": vocab.AGE_BANDS})
    data: dict[str, list[str]] = {}
    errors: dict[str, str] = {}
    form_token = request.POST.get("form_token") or form_token_issue(survey)
    if request.method == "POST":
        data = _form_data(request)
        said_young = any(k.endswith("_age_band") and vocab.UNDER_18 in v for k, v in data.items())
        if (under_18 or said_young) and not request.POST.get("young_consent"):
            errors["young_consent"] = "Tick the box to say you are happy to take part, or close this page"
        try:
            if errors:
                raise ResponseInvalid(errors)
            response_submit(
                survey=survey,
                data=data,
                channel=channel,
                form_token=form_token if channel == Response.Channel.ONLINE else None,
                invitation_token=invitation_token,
                under_18_start=under_18,
            )
        except ResponseInvalid as exc:
            errors = {**errors, **exc.errors}
        except ResponseRefused as exc:
            if exc.reason == "duplicate":
                return redirect("survey-thanks", public_key=survey.public_key)
            if exc.reason == "rate":  # keep what they typed: they can send it again in a minute
                return render(
                    request,
                    "frontend/surveys/respond.html",
                    {
                        "survey": survey,
                        "sections": question_views(survey, data),
                        "errors": {"": str(exc)},
                        "form_token": form_token,
                        "under_18": under_18,
                        "age": source.get("age", ""),
                    },
                    status=429,
                )
            return render(request, "frontend/surveys/refused.html", {"survey": survey, "message": str(exc)}, status=409)
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
            "under_18": under_18,
            # The demographics age answer that, when 14 to 17, brings up the young people's information.
            "young_trigger": next(
                (f"{q.field_name}_age_band" for q in survey_questions(survey) if q.kind == Question.Kind.DEMOGRAPHICS),
                "",
            ),
            "age": source.get("age", ""),
        },
        status=400 if errors else 200,
    )


def survey_respond(request: HttpRequest, public_key: str) -> HttpResponse:
    return _respond(request, get_public_survey(public_key), channel=Response.Channel.ONLINE)


def survey_invited(request: HttpRequest, token: str) -> HttpResponse:
    invitation = invitation_for_token(token)
    if invitation is None or invitation.survey.status == Survey.Status.DRAFT:
        raise Http404("No such invitation.")
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
    path("panels/<slug:slug>/surveys/", survey_list, name="survey-list"),
    path("panels/<slug:slug>/surveys/new/", survey_new, name="survey-create"),
    path("surveys/<int:pk>/", survey_detail, name="survey-detail"),
    path("surveys/<int:pk>/questions/new/", survey_question_new, name="survey-question-create"),
    path("surveys/<int:pk>/edit/", survey_edit, name="survey-edit"),
    path("surveys/<int:pk>/questions/<int:question_pk>/edit/", survey_question_edit, name="survey-question-edit"),
    path("surveys/<int:pk>/questions/<int:question_pk>/delete/", survey_question_delete, name="survey-question-delete"),
    path("surveys/<int:pk>/sections/new/", survey_section_new, name="survey-section-create"),
    path("surveys/<int:pk>/trust-set/", survey_trust_set, name="survey-trust-set"),
    path("surveys/<int:pk>/copy/", survey_copy_view, name="survey-copy"),
    path("surveys/<int:pk>/new-version/", survey_new_version_view, name="survey-new-version"),
    path("surveys/<int:pk>/open/", survey_open_view, name="survey-open"),
    path("surveys/<int:pk>/close/", survey_close_view, name="survey-close"),
    path("surveys/<int:pk>/preview/", survey_preview, name="survey-preview"),
    path("surveys/<int:pk>/invitations/", survey_invitations, name="survey-invitations"),
    path("surveys/<int:pk>/qr.<str:fmt>", survey_qr, name="survey-qr"),
    path("surveys/<int:pk>/paper/", survey_paper, name="survey-paper"),
    path("surveys/<int:pk>/event/", survey_kiosk, name="survey-kiosk"),
    path("surveys/<int:pk>/event/responses/", survey_kiosk_submit, name="survey-kiosk-submit"),
    path("s/<str:public_key>/", survey_respond, name="survey-respond"),
    path("s/<str:public_key>/thanks/", survey_thanks, name="survey-thanks"),
    path("i/<str:token>/", survey_invited, name="survey-invited"),
]
