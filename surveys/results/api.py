"""A survey's results as JSON, for the same people and audiences as the results pages."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from surveys.building.permissions import get_survey_for_user
from surveys.results.report import Audience, SurveyResults, Table, survey_results

# --- Results ----------------------------------------------------------------------------------------------------


def _table_data(table: Table) -> dict[str, Any]:
    return {
        "title": table.title,
        "columns": table.columns,
        "bases": table.bases,
        "multiple": table.multiple,
        "n_eff": table.n_eff,
        "rows": [
            {
                "code": row.code,
                "label": row.label,
                "cells": [
                    {
                        "count": c.count,
                        "base": c.base,
                        "share": c.share,
                        "low": c.low,
                        "high": c.high,
                        "small": c.small,
                        "hidden": c.hidden,
                        "margin_of_error": c.margin_of_error,
                    }
                    for c in row.cells
                ],
            }
            for row in table.rows
        ],
    }


def results_data(results: SurveyResults) -> dict[str, Any]:
    """The results as JSON: the same figures, suppression and notes as the results pages (surveys/results/report.py)."""
    return {
        "survey": results.survey.pk,
        "audience": str(results.audience),
        "responses": results.responses,
        "design": str(results.reporting.design),
        "weighted": results.reporting.weighted,
        "margin_of_error": results.reporting.margin_of_error,
        "note": results.reporting.note,
        "interval_note": results.interval_note,
        "weighting_note": results.weighting_note,
        "breakdown": results.breakdown.key if results.breakdown else None,
        "breakdown_choices": [{"key": c.key, "label": c.label} for c in results.breakdown_choices],
        "questions": [
            {
                "number": q.number,
                "question": q.question.pk,
                "text": q.question.text,
                "kind": q.question.kind,
                "answered": q.answered,
                "tables": [_table_data(t) for t in q.tables],
                "number_summary": (
                    None
                    if q.number_summary is None
                    else {
                        "count": q.number_summary.count,
                        "median": q.number_summary.median,
                        "minimum": q.number_summary.minimum,
                        "maximum": q.number_summary.maximum,
                    }
                ),
                "text_count": q.text_count,
                "texts": q.texts,
            }
            for q in results.questions
        ],
    }


class SurveyResultsApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("audience", str, enum=["panel", "shared"], description="panel (default) or shared"),
            OpenApiParameter("by", str, description="A breakdown key from breakdown_choices"),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request, pk: int) -> Response:
        """The survey's results, as on the results pages: `audience=shared` suppresses small numbers and leaves out
        free text, as the shared version does. For the people who build and run the survey."""
        survey, _ = get_survey_for_user(request.user, pk)
        audience = request.query_params.get("audience", Audience.PANEL)
        if audience not in Audience:
            raise ValidationError({"audience": ["panel or shared"]})
        results = survey_results(survey, audience=audience, breakdown=request.query_params.get("by") or None)
        return Response(results_data(results))
