"""The reports API: `GET /api/v1/reports/disproportionality?force=…&from=YYYY-MM&to=YYYY-MM&ethnicity=self`.

The same JSON as `manage.py disproportionality --json` (scrutiny/reporting.py; definitions in
docs/disproportionality.md). Who may call it: scrutiny/reporting_access.py. Anyone without a reporting role is a 403
before the parameters are looked at; bad parameters are a 400 saying what is wrong with each; a force the caller
may not read is a 403 naming it.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from scrutiny import reporting
from scrutiny.reporting_access import require_report_forces, require_reports_role


class ReportGroupSerializer(serializers.Serializer[dict[str, Any]]):
    searches = serializers.IntegerField()
    population = serializers.IntegerField()
    rate_per_1000 = serializers.FloatField(allow_null=True)
    rate_ratio_vs_white = serializers.FloatField(allow_null=True)
    rate_ratio_ci95 = serializers.ListField(child=serializers.FloatField(), allow_null=True, min_length=2, max_length=2)
    find_rate = serializers.FloatField(allow_null=True)
    find_rate_ci95 = serializers.ListField(child=serializers.FloatField(), allow_null=True, min_length=2, max_length=2)
    arrest_rate = serializers.FloatField(allow_null=True)
    unstable = serializers.BooleanField()


class ReportGroupsSerializer(serializers.Serializer[dict[str, Any]]):
    Asian = ReportGroupSerializer()
    Black = ReportGroupSerializer()
    Mixed = ReportGroupSerializer()
    White = ReportGroupSerializer()
    Other = ReportGroupSerializer()


class DisproportionalityReportSerializer(serializers.Serializer[dict[str, Any]]):
    """The schema of the answer (the view returns the report's dict as it is)."""

    forces = serializers.ListField(child=serializers.CharField())
    ethnicity = serializers.ChoiceField(choices=reporting.ETHNICITY_VIEWS)
    total = serializers.IntegerField()
    vehicle_only_excluded = serializers.IntegerField()
    not_stated = serializers.IntegerField()
    groups = ReportGroupsSerializer()

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        # "from" is a Python keyword, so the two month fields are added by name.
        fields["from"] = serializers.CharField(help_text="First month, YYYY-MM.")
        fields["to"] = serializers.CharField(help_text="Last month (included), YYYY-MM.")
        return fields


PARAMETERS = [
    OpenApiParameter(
        "force",
        OpenApiTypes.STR,
        many=True,
        required=True,
        description="A force's data.police.uk id (e.g. cheshire); repeat, or separate with commas, for several.",
    ),
    OpenApiParameter("from", OpenApiTypes.STR, required=True, description="First month, YYYY-MM."),
    OpenApiParameter("to", OpenApiTypes.STR, required=True, description="Last month (included), YYYY-MM."),
    OpenApiParameter(
        "ethnicity",
        OpenApiTypes.STR,
        enum=list(reporting.ETHNICITY_VIEWS),
        description="self (self-defined, the default) or officer (officer-defined).",
    ),
]


class DisproportionalityReportApi(APIView):
    @extend_schema(
        parameters=PARAMETERS,
        responses={
            200: DisproportionalityReportSerializer,
            400: OpenApiResponse(description="A parameter is missing or wrong: messages by parameter."),
            403: OpenApiResponse(description="No reporting role, or a force the caller may not read."),
        },
    )
    def get(self, request: Request) -> Response:
        """Search rates per 1,000 by ethnic group, ratios against White with 95% intervals, find and arrest rates,
        for one or more forces over whole months (vehicle-only searches excluded; "not stated" in the total only)."""
        require_reports_role(request.user)
        params = request.query_params
        forces = [name.strip() for value in params.getlist("force") for name in value.split(",") if name.strip()]
        try:
            query = reporting.report_query(
                forces, params.get("from", ""), params.get("to", ""), params.get("ethnicity", "self")
            )
        except reporting.ReportQueryError as exc:
            raise ValidationError(exc.errors) from None
        require_report_forces(request.user, list(query.forces))
        return Response(reporting.disproportionality_report(query=query))
