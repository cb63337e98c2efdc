"""Survey pages for builders: sections, questions, the trust set, conditions, preview, copy, versions, opening and
closing, invitation links and QR codes. Answering (public, paper, kiosk) is survey_answering.py.

Who may build is decided in surveys/building/permissions.py; the rules a response must meet in
surveys/responding/answers.py.
"""

from __future__ import annotations

import io
from typing import Any

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_POST

from frontend.forms import form_page
from frontend.views.survey_forms import question_views
from panels.typing import AuthenticatedHttpRequest
from surveys import vocab
from surveys.building.models import SAMPLING_DESIGN_CHOICES, Question, Section, Survey, condition_choices
from surveys.building.permissions import (
    get_question_on_survey,
    get_section_on_survey,
    get_survey_for_user,
    get_survey_panel_access,
)
from surveys.building.selectors import survey_outline, survey_questions, surveys_of_panel
from surveys.building.services import (
    QuestionInput,
    SurveyError,
    question_add,
    question_delete,
    question_move,
    question_update,
    section_add,
    section_delete,
    section_move,
    survey_add_trust_set,
    survey_close,
    survey_copy,
    survey_create,
    survey_new_version,
    survey_open,
    survey_update,
)
from surveys.responding.services import survey_invitations_create
from surveys.stats import SamplingDesign

# --- Forms ----------------------------------------------------------------------------------


class SurveyForm(forms.Form):
    title = forms.CharField(max_length=200, error_messages={"required": "Give the survey a title"})
    introduction = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the survey is for and who will read the answers. Shown on the first page.",
    )
    sampling_design = forms.ChoiceField(
        label="How are the people who answer found?",
        choices=SAMPLING_DESIGN_CHOICES,
        initial=SamplingDesign.OPT_IN.value,
        widget=forms.RadioSelect,
        # Left out (an old form, a script): a new survey is opt-in, the design that claims nothing; a changed survey
        # keeps its design.
        required=False,
        help_text=(
            "Most consultations are opt-in: a link shared online, a stall at an event, forms handed out at a "
            "meeting. Choose a probability sample only if the people asked were picked at random from a list of "
            "everyone in the area you want to describe (for example, addresses drawn from the postcode address "
            "file) and only they can answer. Its results are weighted to the Census and given a margin of error; "
            "opt-in results are not, because the people who chose to answer are not a random draw from anyone."
        ),
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
        try:
            survey = survey_create(
                panel=access.panel,
                by=request.user,
                title=form.cleaned_data["title"],
                introduction=form.cleaned_data["introduction"],
                sampling_design=form.cleaned_data["sampling_design"] or SamplingDesign.OPT_IN,
            )
        except SurveyError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Survey created. Add its questions.")
            return redirect("survey-detail", pk=survey.pk)
    return form_page(
        request,
        "frontend/surveys/new.html",
        {"panel": access.panel, "access": access, "form": form},
        form,
    )


@login_required
def survey_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    survey, access = get_survey_for_user(request.user, pk)
    outline = survey_outline(survey)
    return render(
        request,
        "frontend/surveys/detail.html",
        {
            "panel": access.panel,
            "access": access,
            "survey": survey,
            "outline": outline,
            "question_total": sum(len(s.questions) for s in outline),
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


def _question_input(survey: Survey, form: QuestionForm) -> tuple[Section, QuestionInput]:
    """From the form to the section and what question_add / question_update take."""
    data = form.cleaned_data
    show_if_question, show_if_values = None, []
    if data["show_if"]:
        question_pk, _, value = data["show_if"].partition(":")
        show_if_question = get_question_on_survey(survey, int(question_pk))
        show_if_values = [value]
    return get_section_on_survey(survey, data["section"]), QuestionInput(
        kind=data["kind"],
        text=data["text"],
        help_text=data["help_text"],
        required=data["required"],
        options=data["options"].splitlines(),
        allow_other=data["allow_other"],
        scale=data["scale"] or ("agreement" if data["kind"] == Question.Kind.MATRIX else ""),
        minimum=data["minimum"],
        maximum=data["maximum"],
        show_if_question=show_if_question,
        show_if_values=show_if_values,
    )


@login_required
def survey_question_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    survey, access = get_survey_for_user(request.user, pk)
    form = QuestionForm(request.POST if request.method == "POST" else None, survey=survey)
    if request.method == "POST" and form.is_valid():
        try:
            section, data = _question_input(survey, form)
            question_add(section=section, data=data)
        except SurveyError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Question added.")
            return redirect("survey-detail", pk=survey.pk)
    return form_page(
        request,
        "frontend/surveys/question_form.html",
        {"panel": access.panel, "access": access, "survey": survey, "form": form, "question": None},
        form,
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
            section, data = _question_input(survey, form)
            question_update(question=question, section=section, data=data)
        except SurveyError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Question changed.")
            return redirect("survey-detail", pk=survey.pk)
    return form_page(
        request,
        "frontend/surveys/question_form.html",
        {"panel": access.panel, "access": access, "survey": survey, "form": form, "question": question},
        form,
    )


@login_required
def survey_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    survey, access = get_survey_for_user(request.user, pk)
    form = SurveyForm(
        request.POST if request.method == "POST" else None,
        initial={
            "title": survey.title,
            "introduction": survey.introduction,
            "sampling_design": survey.sampling_design,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            survey_update(
                survey=survey,
                title=form.cleaned_data["title"],
                introduction=form.cleaned_data["introduction"],
                sampling_design=form.cleaned_data["sampling_design"] or None,
            )
        except SurveyError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Survey details saved.")
            return redirect("survey-detail", pk=survey.pk)
    return form_page(
        request,
        "frontend/surveys/edit.html",
        {"panel": access.panel, "access": access, "survey": survey, "form": form},
        form,
    )


def _builder_action(
    request: AuthenticatedHttpRequest, survey: Survey, action: Any, done: str, *, anchor: str = ""
) -> HttpResponse:
    try:
        action()
    except SurveyError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    url = reverse("survey-detail", args=[survey.pk])
    # Back to the item moved, so a keyboard user's place on the page is kept.
    return redirect(f"{url}#{anchor}" if anchor else url)


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
def survey_question_move(request: AuthenticatedHttpRequest, pk: int, question_pk: int) -> HttpResponse:
    survey, _ = get_survey_for_user(request.user, pk)
    question = get_question_on_survey(survey, question_pk)
    direction = request.POST.get("direction", "")
    return _builder_action(
        request,
        survey,
        lambda: question_move(question=question, direction=direction),
        f"Question moved {direction}.",
        anchor=f"question-{question.pk}",
    )


@login_required
@require_POST
def survey_section_move(request: AuthenticatedHttpRequest, pk: int, section_pk: int) -> HttpResponse:
    survey, _ = get_survey_for_user(request.user, pk)
    section = get_section_on_survey(survey, section_pk)
    direction = request.POST.get("direction", "")
    return _builder_action(
        request,
        survey,
        lambda: section_move(section=section, direction=direction),
        f"Section moved {direction}.",
        anchor=f"section-{section.pk}",
    )


@login_required
@require_POST
def survey_section_delete(request: AuthenticatedHttpRequest, pk: int, section_pk: int) -> HttpResponse:
    """Delete a section. One with questions is deleted only once the builder confirms, on a page listing them."""
    survey, access = get_survey_for_user(request.user, pk)
    section = get_section_on_survey(survey, section_pk)
    questions = list(section.questions.order_by("position", "pk"))
    if questions and request.POST.get("confirm") != "yes":
        return render(
            request,
            "frontend/surveys/section_delete.html",
            {"panel": access.panel, "access": access, "survey": survey, "section": section, "questions": questions},
        )
    count = len(questions)
    return _builder_action(
        request,
        survey,
        lambda: section_delete(section=section, delete_questions=bool(questions)),
        f"Section deleted{f', with its {count} question' + ('s' if count != 1 else '') if count else ''}.",
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
    return form_page(
        request,
        "frontend/surveys/open.html",
        {"panel": access.panel, "access": access, "survey": survey, "form": form},
        form,
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
    return form_page(
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
        form,
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


urlpatterns: list[URLPattern] = [
    path("panels/<slug:slug>/surveys/", survey_list, name="survey-list"),
    path("panels/<slug:slug>/surveys/new/", survey_new, name="survey-create"),
    path("surveys/<int:pk>/", survey_detail, name="survey-detail"),
    path("surveys/<int:pk>/questions/new/", survey_question_new, name="survey-question-create"),
    path("surveys/<int:pk>/edit/", survey_edit, name="survey-edit"),
    path("surveys/<int:pk>/questions/<int:question_pk>/edit/", survey_question_edit, name="survey-question-edit"),
    path("surveys/<int:pk>/questions/<int:question_pk>/delete/", survey_question_delete, name="survey-question-delete"),
    path("surveys/<int:pk>/questions/<int:question_pk>/move/", survey_question_move, name="survey-question-move"),
    path("surveys/<int:pk>/sections/new/", survey_section_new, name="survey-section-create"),
    path("surveys/<int:pk>/sections/<int:section_pk>/move/", survey_section_move, name="survey-section-move"),
    path("surveys/<int:pk>/sections/<int:section_pk>/delete/", survey_section_delete, name="survey-section-delete"),
    path("surveys/<int:pk>/trust-set/", survey_trust_set, name="survey-trust-set"),
    path("surveys/<int:pk>/copy/", survey_copy_view, name="survey-copy"),
    path("surveys/<int:pk>/new-version/", survey_new_version_view, name="survey-new-version"),
    path("surveys/<int:pk>/open/", survey_open_view, name="survey-open"),
    path("surveys/<int:pk>/close/", survey_close_view, name="survey-close"),
    path("surveys/<int:pk>/preview/", survey_preview, name="survey-preview"),
    path("surveys/<int:pk>/invitations/", survey_invitations, name="survey-invitations"),
    path("surveys/<int:pk>/qr.<str:fmt>", survey_qr, name="survey-qr"),
]
