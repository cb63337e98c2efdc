"""The reports API: `GET /api/v1/reports/disproportionality?force=…&from=YYYY-MM&to=YYYY-MM&ethnicity=self`, and
`GET /api/v1/reports/national?year=YYYY` (or `from` and `to`), the national comparison
(scrutiny/disproportionality/national/).

The same JSON as `manage.py disproportionality --json` (scrutiny/disproportionality/report.py; definitions in
docs/disproportionality.md). Who may call it: scrutiny/disproportionality/access.py. Anyone without a reporting
role is a 403 before the parameters are looked at; bad parameters are a 400 saying what is wrong with each; a force
the caller may not read is a 403 naming it.
"""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from scrutiny.disproportionality import national
from scrutiny.disproportionality import report as reporting
from scrutiny.disproportionality.access import require_report_forces, require_reports_role
from scrutiny.stats import funnel as fn


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


# --- the national comparison ---------------------------------------------------------------------------------------


class NationalGroupSerializer(ReportGroupSerializer):
    searches = serializers.IntegerField(allow_null=True, help_text="Null in a public report when not shown.")
    population = serializers.IntegerField(
        allow_null=True, help_text="Census 2021 residents for the months held; null for British Transport Police."
    )


class NationalGroupsSerializer(serializers.Serializer[dict[str, Any]]):
    Asian = NationalGroupSerializer()
    Black = NationalGroupSerializer()
    Mixed = NationalGroupSerializer()
    White = NationalGroupSerializer()
    Other = NationalGroupSerializer()


class FunnelLimitsSerializer(serializers.Serializer[dict[str, Any]]):
    lower_998 = serializers.FloatField()
    lower_95 = serializers.FloatField()
    upper_95 = serializers.FloatField()
    upper_998 = serializers.FloatField()


class RankSerializer(serializers.Serializer[dict[str, Any]]):
    rank = serializers.IntegerField(help_text="1 = the highest ratio.")
    low = serializers.IntegerField(help_text="The 95% interval of ranks: best.")
    high = serializers.IntegerField(help_text="The 95% interval of ranks: worst.")
    of = serializers.IntegerField(help_text="Forces ranked.")


class ForceComparisonSerializer(serializers.Serializer[dict[str, Any]]):
    observed = serializers.IntegerField(help_text="The force's searches of the group.")
    expected = serializers.FloatField(help_text="Its searches of the group at the England and Wales ratio.")
    ratio = serializers.FloatField(help_text="Its rate ratio against White.")
    standardised = serializers.FloatField(help_text="observed / expected: its ratio over England and Wales's.")
    position = serializers.ChoiceField(choices=list(fn.POSITIONS))
    position_text = serializers.CharField()
    limits = FunnelLimitsSerializer(help_text="The control limits at its volume, on the ratio scale.")
    outside_limits_allowing_overdispersion = serializers.BooleanField(allow_null=True)
    rank = RankSerializer()
    rank_text = serializers.CharField()


class ForceCompareSerializer(serializers.Serializer[dict[str, Any]]):
    Black = ForceComparisonSerializer(required=False)
    Asian = ForceComparisonSerializer(required=False)
    Mixed = ForceComparisonSerializer(required=False)
    Other = ForceComparisonSerializer(required=False)


class NationalForceSerializer(serializers.Serializer[dict[str, Any]]):
    force = serializers.CharField(help_text="data.police.uk id.")
    name = serializers.CharField()
    area = serializers.CharField(allow_null=True, help_text="Census 2021 police force area code.")
    area_name = serializers.CharField(allow_null=True)
    territorial = serializers.BooleanField()
    months_covered = serializers.IntegerField()
    missing = serializers.ListField(child=serializers.CharField(), help_text="Months missing, YYYY-MM.")
    total = serializers.IntegerField(allow_null=True)
    vehicle_only_excluded = serializers.IntegerField(allow_null=True)
    not_stated = serializers.IntegerField(allow_null=True)
    groups = NationalGroupsSerializer()
    compare = ForceCompareSerializer(help_text="Where the force sits for each group compared with White.")


class EnglandAndWalesSerializer(serializers.Serializer[dict[str, Any]]):
    forces = serializers.IntegerField(help_text="Territorial forces with at least one month held.")
    territorial_forces = serializers.IntegerField()
    force_months = serializers.IntegerField()
    force_months_missing = serializers.IntegerField()
    total = serializers.IntegerField(allow_null=True)
    vehicle_only_excluded = serializers.IntegerField(allow_null=True)
    not_stated = serializers.IntegerField(allow_null=True)
    groups = NationalGroupsSerializer()

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        # "label" is a Field attribute, so the field is added by name.
        fields["label"] = serializers.CharField(help_text="What the figures cover: forces and force-months missing.")
        return fields


class OverdispersionSerializer(serializers.Serializer[dict[str, Any]]):
    forces = serializers.IntegerField()
    phi = serializers.FloatField(allow_null=True)
    p_value = serializers.FloatField(allow_null=True)
    tau2 = serializers.FloatField(allow_null=True)
    overdispersed = serializers.BooleanField()


class GroupComparisonSerializer(serializers.Serializer[dict[str, Any]]):
    reference_ratio = serializers.FloatField(allow_null=True, help_text="England and Wales's ratio against White.")
    reference_ci95 = serializers.ListField(child=serializers.FloatField(), allow_null=True, min_length=2, max_length=2)
    forces_compared = serializers.IntegerField()
    overdispersion = OverdispersionSerializer(allow_null=True)
    positions = serializers.DictField(child=serializers.IntegerField(), help_text="Forces in each position.")


class ComparisonSerializer(serializers.Serializer[dict[str, Any]]):
    Black = GroupComparisonSerializer()
    Asian = GroupComparisonSerializer()
    Mixed = GroupComparisonSerializer()
    Other = GroupComparisonSerializer()


class MissingMonthSerializer(serializers.Serializer[dict[str, Any]]):
    force = serializers.CharField()
    name = serializers.CharField()
    month = serializers.CharField(help_text="YYYY-MM.")
    reason = serializers.ChoiceField(choices=list(national.REASONS))
    reason_text = serializers.CharField()


class NationalReportSerializer(serializers.Serializer[dict[str, Any]]):
    """The schema of the national report (the view returns `scrutiny.disproportionality.national.national_report`'s
    dict as it is)."""

    year = serializers.IntegerField(allow_null=True, help_text="The financial year's first year, if one was asked.")
    months = serializers.IntegerField()
    ethnicity = serializers.CharField()
    public = serializers.BooleanField()
    england_and_wales = EnglandAndWalesSerializer()
    comparison = ComparisonSerializer()
    forces = NationalForceSerializer(many=True, help_text="The 43 territorial forces, by name.")
    other_forces = NationalForceSerializer(many=True, help_text="British Transport Police: no rates per 1,000.")
    missing = MissingMonthSerializer(many=True)

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        fields["from"] = serializers.CharField(help_text="First month, YYYY-MM.")
        fields["to"] = serializers.CharField(help_text="Last month (included), YYYY-MM.")
        fields["label"] = serializers.CharField(help_text="The period in words.")
        return fields


NATIONAL_PARAMETERS = [
    OpenApiParameter(
        "year",
        OpenApiTypes.INT,
        description="A financial year, by the year it starts: 2024 is April 2024 to March 2025.",
    ),
    OpenApiParameter("from", OpenApiTypes.STR, description="First month, YYYY-MM (instead of year)."),
    OpenApiParameter("to", OpenApiTypes.STR, description="Last month (included), YYYY-MM; at most 12 months."),
    OpenApiParameter(
        "public", OpenApiTypes.BOOL, description="true: the public version, with small numbers suppressed."
    ),
]


class NationalReportApi(APIView):
    @extend_schema(
        parameters=NATIONAL_PARAMETERS,
        responses={
            200: NationalReportSerializer,
            400: OpenApiResponse(description="A parameter is missing or wrong: messages by parameter."),
            403: OpenApiResponse(description="No role that may read the national comparison."),
        },
    )
    def get(self, request: Request) -> Response:
        """Every force of England and Wales beside the others over a financial year or up to 12 months: rates per
        1,000 by group, ratios against White with 95% intervals, find and arrest rates, where each force sits on the
        funnel plot of each group and its rank with a 95% interval, and which force-months are missing
        (docs/national.md)."""
        if not national.may_read_national(request.user):
            raise PermissionDenied(national.NATIONAL_REFUSAL)
        params = request.query_params
        public = params.get("public", "").strip().lower()
        if public not in ("", "true", "false", "1", "0"):
            raise ValidationError({"public": ['Write "true" or "false".']})
        try:
            query = national.national_query(
                from_month=params.get("from"), to_month=params.get("to"), year=params.get("year")
            )
        except reporting.ReportQueryError as exc:
            raise ValidationError(exc.errors) from None
        return Response(national.national_report(query, public=public in ("true", "1")))


urlpatterns: list[Any] = [
    path("v1/reports/disproportionality", DisproportionalityReportApi.as_view(), name="api-report-disproportionality"),
    path("v1/reports/national", NationalReportApi.as_view(), name="api-report-national"),
]
