"""Survey results pages and exports: the panel's own results (every count), the shared results (small numbers
suppressed, no free text), and CSV/XLSX exports of the responses and of either set of results.

The arrangement of figures is surveys/results/report.py; the spreadsheets surveys/results/exports.py. The panel page
listens on ws/surveys/<pk>/results/ and reloads its figures when a response arrives
(frontend/static/frontend/survey-results.js).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.text import slugify

from panels.typing import AuthenticatedHttpRequest
from surveys.building.permissions import get_survey_for_user
from surveys.results.exports import FORMATS, responses_export, results_export
from surveys.results.report import SUPPRESSED_LABEL, Audience, survey_results


def _results_page(request: AuthenticatedHttpRequest, pk: int, audience: Audience) -> HttpResponse:
    survey, access = get_survey_for_user(request.user, pk)
    breakdown = request.GET.get("by") or None
    results = survey_results(survey, audience=audience, breakdown=breakdown)
    context = {
        "panel": access.panel,
        "access": access,
        "survey": survey,
        "results": results,
        "shared": audience is Audience.SHARED,
        "suppressed_label": SUPPRESSED_LABEL,
        "by": results.breakdown.key if results.breakdown else "",
    }
    if request.GET.get("fragment"):
        # The live page fetches just the figures when a response arrives.
        return render(request, "frontend/surveys/results/_results.html", context)
    return render(request, "frontend/surveys/results/page.html", context)


@login_required
def survey_results_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _results_page(request, pk, Audience.PANEL)


@login_required
def survey_results_shared(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _results_page(request, pk, Audience.SHARED)


def _download(content: bytes, fmt: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def survey_responses_export(request: AuthenticatedHttpRequest, pk: int, fmt: str) -> HttpResponse:
    survey, _ = get_survey_for_user(request.user, pk)
    if fmt not in FORMATS:
        raise Http404("No such format.")
    return _download(responses_export(survey, fmt), fmt, f"{slugify(survey.title) or 'survey'}-responses")


@login_required
def survey_results_export(request: AuthenticatedHttpRequest, pk: int, audience: str, fmt: str) -> HttpResponse:
    survey, _ = get_survey_for_user(request.user, pk)
    if fmt not in FORMATS or audience not in Audience:
        raise Http404("No such export.")
    content = results_export(survey, fmt, audience=audience, breakdown=request.GET.get("by") or None)
    return _download(content, fmt, f"{slugify(survey.title) or 'survey'}-results-{audience}")


urlpatterns: list[URLPattern] = [
    path("surveys/<int:pk>/results/", survey_results_view, name="survey-results"),
    path("surveys/<int:pk>/results/shared/", survey_results_shared, name="survey-results-shared"),
    path("surveys/<int:pk>/export/responses.<str:fmt>", survey_responses_export, name="survey-responses-export"),
    path(
        "surveys/<int:pk>/export/results-<str:audience>.<str:fmt>",
        survey_results_export,
        name="survey-results-export",
    ),
]
