"""Closing the loop: coding a survey's free-text answers into themes, and recommendations to the PCC with the
PCC's response and progress updates. Who may do what is in surveys/loop/permissions.py (docs/recommendations.md)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_POST

from frontend.forms import form_page
from panels.typing import AuthenticatedHttpRequest
from surveys.building.models import Survey
from surveys.building.permissions import get_survey_for_user
from surveys.loop.models import Recommendation, Theme
from surveys.loop.permissions import get_recommendation_for_user, get_recommendation_panel_access, get_theme_on_survey
from surveys.loop.selectors import (
    recommendations_awaiting_response,
    recommendations_of_panel,
    recommendations_visible_to,
    text_answers,
    theme_summaries,
)
from surveys.loop.services import (
    RecommendationError,
    ThemeError,
    answer_tag,
    answer_untag,
    recommendation_add_update,
    recommendation_create,
    recommendation_publish,
    recommendation_respond,
    recommendation_send,
    recommendation_update,
    theme_create,
    theme_merge,
)

# --- Forms ----------------------------------------------------------------------------------


class ThemeForm(forms.Form):
    name = forms.CharField(label="Theme", max_length=100, error_messages={"required": "Give the theme a name"})
    description = forms.CharField(label="What it covers", max_length=500, required=False)


class TagForm(forms.Form):
    answer = forms.IntegerField()
    theme = forms.IntegerField()
    quote = forms.BooleanField(required=False)
    remove = forms.BooleanField(required=False)


class MergeForm(forms.Form):
    theme = forms.TypedChoiceField(label="Merge this theme", coerce=int)
    into = forms.TypedChoiceField(label="into this one", coerce=int)

    def __init__(self, *args: Any, themes: list[Theme], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(t.pk, t.name) for t in themes]
        self.fields["theme"].choices = choices  # type: ignore[attr-defined]
        self.fields["into"].choices = choices  # type: ignore[attr-defined]


class RecommendationForm(forms.Form):
    survey = forms.TypedChoiceField(label="From the consultation", coerce=int, required=False, empty_value=None)
    title = forms.CharField(label="Recommendation", max_length=200, error_messages={"required": "Write a title"})
    body = forms.CharField(
        label="What the panel recommends, and why",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What people said, and what the PCC should do about it. Do not name anyone.",
        error_messages={"required": "Say what the panel recommends"},
    )
    themes = forms.TypedMultipleChoiceField(
        label="Themes it comes from", coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, surveys: list[Survey], themes: list[Theme], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["survey"].choices = [("", "None"), *[(s.pk, s.title) for s in surveys]]  # type: ignore[attr-defined]
        self.fields["themes"].choices = [(t.pk, t.name) for t in themes]  # type: ignore[attr-defined]
        if not themes:
            del self.fields["themes"]


class RespondForm(forms.Form):
    decision = forms.ChoiceField(
        label="The PCC's decision",
        choices=Recommendation.Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose accepted, partly accepted or not accepted"},
    )
    response = forms.CharField(
        label="What will be done",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Or, if not accepted, why not.",
        error_messages={"required": "Say what will be done, or why not"},
    )
    due_by = forms.DateField(
        label="By when",
        required=False,
        help_text="Needed unless the recommendation is not accepted. For example, 2027-03-31",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class UpdateForm(forms.Form):
    text = forms.CharField(
        label="Progress update",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what has been done"},
    )
    complete = forms.BooleanField(label="This finishes what was promised", required=False)


# --- Themes ---------------------------------------------------------------------------------


@login_required
def survey_themes(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    survey, access = get_survey_for_user(request.user, pk)
    form = ThemeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            theme_create(survey=survey, by=request.user, **form.cleaned_data)
        except ThemeError as exc:
            form.add_error("name", str(exc))
        else:
            messages.success(request, "Theme added.")
            return redirect("survey-themes", pk=survey.pk)
    summaries = theme_summaries(survey)
    themes = sorted((s.theme for s in summaries), key=lambda t: t.name.lower())
    return form_page(
        request,
        "frontend/surveys/themes/themes.html",
        {
            "panel": access.panel,
            "access": access,
            "survey": survey,
            "form": form,
            "summaries": summaries,
            "themes": themes,
            "answers": list(text_answers(survey)),
            "merge_form": MergeForm(themes=themes) if len(themes) > 1 else None,
        },
        form,
    )


@login_required
@require_POST
def survey_theme_tag(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    survey, _ = get_survey_for_user(request.user, pk)
    form = TagForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a theme for the answer.")
        return redirect("survey-themes", pk=survey.pk)
    theme = get_theme_on_survey(survey, form.cleaned_data["theme"])
    answer_id = form.cleaned_data["answer"]
    try:
        if form.cleaned_data["remove"]:
            answer_untag(theme=theme, answer_id=answer_id)
        else:
            answer_tag(theme=theme, answer_id=answer_id, is_quote=form.cleaned_data["quote"], by=request.user)
    except ThemeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Theme “{theme.name}” {'removed' if form.cleaned_data['remove'] else 'tagged'}.")
    return redirect(f"{reverse('survey-themes', kwargs={'pk': survey.pk})}#answer-{answer_id}")


@login_required
@require_POST
def survey_theme_merge(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    survey, _ = get_survey_for_user(request.user, pk)
    themes = list(Theme.objects.filter(survey=survey))
    form = MergeForm(request.POST, themes=themes)
    if not form.is_valid():
        messages.error(request, "Choose two themes to merge.")
        return redirect("survey-themes", pk=survey.pk)
    theme = get_theme_on_survey(survey, form.cleaned_data["theme"])
    into = get_theme_on_survey(survey, form.cleaned_data["into"])
    try:
        theme_merge(theme=theme, into=into)
    except ThemeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"“{theme.name}” merged into “{into.name}”.")
    return redirect("survey-themes", pk=survey.pk)


# --- Recommendations ------------------------------------------------------------------------


@login_required
def recommendation_inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "frontend/recommendations/inbox.html",
        {
            "awaiting": list(recommendations_awaiting_response(request.user)),
            "all": list(recommendations_visible_to(request.user).order_by("-created_at", "-pk")[:100]),
        },
    )


@login_required
def recommendation_list(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = get_recommendation_panel_access(request.user, slug)
    panel = access.panel_access.panel
    surveys = list(Survey.objects.filter(panel=panel).order_by("-created_at", "-pk")) if access.can_write else []
    return render(
        request,
        "frontend/recommendations/list.html",
        {
            "panel": panel,
            "access": access.panel_access,
            "rec_access": access,
            "recommendations": list(recommendations_of_panel(access)),
            "surveys": surveys,
        },
    )


def _form_themes(survey_id: Any, panel_id: int) -> list[Theme]:
    if not survey_id:
        return []
    return list(Theme.objects.filter(survey_id=survey_id, survey__panel_id=panel_id))


@login_required
def recommendation_new(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = get_recommendation_panel_access(request.user, slug, write=True)
    panel = access.panel_access.panel
    surveys = list(Survey.objects.filter(panel=panel).order_by("-created_at", "-pk"))
    chosen = request.POST.get("survey") if request.method == "POST" else request.GET.get("survey")
    chosen_id = int(chosen) if chosen and chosen.isdigit() else None
    form = RecommendationForm(
        request.POST if request.method == "POST" else None,
        initial={"survey": chosen_id},
        surveys=surveys,
        themes=_form_themes(chosen_id, panel.pk),
    )
    if request.method == "POST" and form.is_valid():
        survey = next((s for s in surveys if s.pk == form.cleaned_data["survey"]), None)
        themes = list(Theme.objects.filter(pk__in=form.cleaned_data.get("themes") or [], survey=survey))
        try:
            recommendation = recommendation_create(
                panel=panel,
                survey=survey,
                themes=themes,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                by=request.user,
            )
        except RecommendationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Recommendation saved as a draft. Send it to the PCC when it is ready.")
            return redirect("recommendation-detail", pk=recommendation.pk)
    return form_page(
        request,
        "frontend/recommendations/form.html",
        {"panel": panel, "access": access.panel_access, "form": form, "recommendation": None},
        form,
    )


@login_required
def recommendation_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    recommendation, access = get_recommendation_for_user(request.user, pk)
    return render(
        request,
        "frontend/recommendations/detail.html",
        {
            "panel": recommendation.panel,
            "access": access.panel_access,
            "rec_access": access,
            "recommendation": recommendation,
            "update_form": UpdateForm(),
        },
    )


@login_required
def recommendation_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    recommendation, access = get_recommendation_for_user(request.user, pk, action="write")
    survey = recommendation.survey
    form = RecommendationForm(
        request.POST if request.method == "POST" else None,
        initial={
            "survey": recommendation.survey_id,
            "title": recommendation.title,
            "body": recommendation.body,
            "themes": [t.pk for t in recommendation.themes.all()],
        },
        surveys=[survey] if survey else [],
        themes=_form_themes(recommendation.survey_id, recommendation.panel_id),
    )
    form.fields["survey"].disabled = True
    if request.method == "POST" and form.is_valid():
        themes = list(Theme.objects.filter(pk__in=form.cleaned_data.get("themes") or [], survey=survey))
        try:
            recommendation_update(
                recommendation=recommendation,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                themes=themes,
            )
        except RecommendationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Recommendation saved.")
            return redirect("recommendation-detail", pk=recommendation.pk)
    return form_page(
        request,
        "frontend/recommendations/form.html",
        {
            "panel": recommendation.panel,
            "access": access.panel_access,
            "form": form,
            "recommendation": recommendation,
        },
        form,
    )


def _step(request: AuthenticatedHttpRequest, recommendation: Recommendation, action: Any, done: str) -> HttpResponse:
    try:
        action()
    except RecommendationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect("recommendation-detail", pk=recommendation.pk)


@login_required
@require_POST
def recommendation_send_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    recommendation, _ = get_recommendation_for_user(request.user, pk, action="write")
    return _step(
        request,
        recommendation,
        lambda: recommendation_send(recommendation=recommendation),
        "Sent to the PCC. The Office of the PCC will respond.",
    )


@login_required
@require_POST
def recommendation_publish_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    recommendation, _ = get_recommendation_for_user(request.user, pk, action="publish")
    return _step(
        request,
        recommendation,
        lambda: recommendation_publish(recommendation=recommendation),
        "Published on the panel's public page.",
    )


@login_required
def recommendation_respond_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    recommendation, access = get_recommendation_for_user(request.user, pk, action="respond")
    initial = {
        "decision": recommendation.decision,
        "response": recommendation.response,
        "due_by": recommendation.due_by,
    }
    form = RespondForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            recommendation_respond(recommendation=recommendation, by=request.user, **form.cleaned_data)
        except RecommendationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Response saved. The panel can now publish it.")
            return redirect("recommendation-detail", pk=recommendation.pk)
    return form_page(
        request,
        "frontend/recommendations/respond.html",
        {"panel": recommendation.panel, "access": access.panel_access, "recommendation": recommendation, "form": form},
        form,
    )


@login_required
@require_POST
def recommendation_update_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    recommendation, access = get_recommendation_for_user(request.user, pk, action="update")
    form = UpdateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say what has been done.")
        return redirect("recommendation-detail", pk=recommendation.pk)
    return _step(
        request,
        recommendation,
        lambda: recommendation_add_update(
            recommendation=recommendation, source=access.update_source, by=request.user, **form.cleaned_data
        ),
        "Progress update added.",
    )


urlpatterns: list[URLPattern] = [
    path("surveys/<int:pk>/themes/", survey_themes, name="survey-themes"),
    path("surveys/<int:pk>/themes/tag/", survey_theme_tag, name="survey-theme-tag"),
    path("surveys/<int:pk>/themes/merge/", survey_theme_merge, name="survey-theme-merge"),
    path("recommendations/", recommendation_inbox, name="recommendation-inbox"),
    path("panels/<slug:slug>/recommendations/", recommendation_list, name="recommendation-list"),
    path("panels/<slug:slug>/recommendations/new/", recommendation_new, name="recommendation-create"),
    path("recommendations/<int:pk>/", recommendation_detail, name="recommendation-detail"),
    path("recommendations/<int:pk>/edit/", recommendation_edit, name="recommendation-edit"),
    path("recommendations/<int:pk>/send/", recommendation_send_view, name="recommendation-send"),
    path("recommendations/<int:pk>/respond/", recommendation_respond_view, name="recommendation-respond"),
    path("recommendations/<int:pk>/updates/", recommendation_update_view, name="recommendation-add-update"),
    path("recommendations/<int:pk>/publish/", recommendation_publish_view, name="recommendation-publish"),
]
