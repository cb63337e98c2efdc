"""The coverage API: what the coverage pages show, as JSON (docs/api.md, docs/sync.md).

`GET /api/v1/coverage/`: every force's coverage and the last runs; `GET /api/v1/coverage/<police_uk_id>/`: one
force's, month by month. For coordinators, OPCC officers and site staff (scrutiny/sync/permissions.py); anyone else
is a 403 before anything is read.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.months import month_text
from scrutiny.sync.models import SourceMonth, SourceMonthStatus, SyncRun, SyncRunStatus
from scrutiny.sync.permissions import require_coverage_role
from scrutiny.sync.selectors import ForceCoverage, coverage_overview, force_months

MONTH_HELP = "YYYY-MM"


def _month(d: date | None) -> str | None:
    return month_text(d) if d else None


class MonthFailureSerializer(serializers.Serializer[Any]):
    month = serializers.CharField(help_text=MONTH_HELP)
    failures = serializers.IntegerField(help_text="Failed fetches or imports in a row.")
    reason = serializers.CharField()
    held = serializers.BooleanField(help_text="Held from an earlier fetch: only its refresh failed.")


class MonthRevisionSerializer(serializers.Serializer[Any]):
    month = serializers.CharField(help_text=MONTH_HELP)
    revisions = serializers.IntegerField(help_text="Times data.police.uk re-published it with different content.")
    withdrawn = serializers.IntegerField(help_text="Records no longer in the source as of the last revision.")


class ForceCoverageSerializer(serializers.Serializer[Any]):
    force = serializers.CharField(help_text="The force's data.police.uk id.")
    name = serializers.CharField()
    state = serializers.ChoiceField(choices=["not_synced", "not_published", "failing", "incomplete", "complete"])
    months_listed = serializers.IntegerField(help_text="Months of data.police.uk's availability list recorded.")
    months_published = serializers.IntegerField(help_text="Of those, months the list names the force for.")
    months_held = serializers.IntegerField()
    first_held = serializers.CharField(allow_null=True, help_text=MONTH_HELP)
    last_held = serializers.CharField(allow_null=True, help_text=MONTH_HELP)
    records = serializers.IntegerField(help_text="Rows of the held months, as the source had them.")
    withdrawn = serializers.IntegerField(help_text="Records withdrawn (no longer published by data.police.uk).")
    gaps = serializers.ListField(child=serializers.CharField(), help_text="Months the list does not name it for.")
    pending = serializers.ListField(child=serializers.CharField(), help_text="Published months not fetched yet.")
    no_longer_listed = serializers.ListField(
        child=serializers.CharField(), help_text="Months held that the list no longer names it for (kept)."
    )
    failed = MonthFailureSerializer(many=True)
    revised = MonthRevisionSerializer(many=True)
    last_checked = serializers.DateTimeField(allow_null=True, help_text="End of the last finished run covering it.")
    last_changed = serializers.DateTimeField(
        allow_null=True, help_text="The last fetch that changed one of its months."
    )


class SyncRunSerializer(serializers.ModelSerializer[SyncRun]):
    status = serializers.ChoiceField(choices=SyncRunStatus.choices)
    latest_month = serializers.SerializerMethodField(help_text=MONTH_HELP)

    class Meta:
        model = SyncRun
        fields = [
            "id",
            "started_at",
            "finished_at",
            "status",
            "forces",
            "latest_month",
            "fetched",
            "changed",
            "failed",
            "error",
        ]
        read_only_fields = fields

    def get_latest_month(self, run: SyncRun) -> str | None:
        return _month(run.latest_month)


class CoverageSerializer(serializers.Serializer[Any]):
    first_month = serializers.CharField(allow_null=True, help_text="The oldest month any availability list covered.")
    last_month = serializers.CharField(allow_null=True, help_text="The newest.")
    forces = ForceCoverageSerializer(many=True)
    runs = SyncRunSerializer(many=True, help_text="The last runs, newest first.")


class SourceMonthSerializer(serializers.ModelSerializer[SourceMonth]):
    month = serializers.SerializerMethodField(help_text=MONTH_HELP)
    status = serializers.ChoiceField(choices=SourceMonthStatus.choices)
    rows = serializers.IntegerField(source="source_rows", allow_null=True, help_text="Rows in the source.")
    reason = serializers.CharField(source="last_error", help_text="Why the last fetch failed, while it fails.")

    class Meta:
        model = SourceMonth
        fields = ["month", "published", "status", "rows", "revisions", "withdrawn", "failures", "reason", "changed_at"]
        read_only_fields = fields

    def get_month(self, row: SourceMonth) -> str:
        return month_text(row.month)


class ForceMonthsSerializer(serializers.Serializer[Any]):
    coverage = ForceCoverageSerializer()
    months = SourceMonthSerializer(many=True, help_text="Each month the availability list covered, newest first.")


def coverage_json(c: ForceCoverage) -> dict[str, Any]:
    return {
        "force": c.force.police_uk_id,
        "name": c.force.name,
        "state": c.state,
        "months_listed": c.listed,
        "months_published": c.published,
        "months_held": c.held,
        "first_held": _month(c.first_held),
        "last_held": _month(c.last_held),
        "records": c.records,
        "withdrawn": c.withdrawn,
        "gaps": [_month(m) for m in c.gaps],
        "pending": [_month(m) for m in c.pending],
        "no_longer_listed": [_month(m) for m in c.no_longer_listed],
        "failed": [
            {"month": _month(f.month), "failures": f.failures, "reason": f.reason, "held": f.held} for f in c.failed
        ],
        "revised": [{"month": _month(r.month), "revisions": r.revisions, "withdrawn": r.withdrawn} for r in c.revised],
        "last_checked": c.last_checked,
        "last_changed": c.last_changed,
    }


REFUSED = OpenApiResponse(description="Not a coordinator, OPCC officer or site staff.")


class CoverageApi(APIView):
    @extend_schema(operation_id="coverage_list", responses={200: CoverageSerializer, 403: REFUSED})
    def get(self, request: Request) -> Response:
        """Every force's data.police.uk coverage: months held, gaps in the source, months revised or withdrawn,
        failures with their reason, when it was last checked; and the last sync runs."""
        require_coverage_role(request.user)
        coverage = coverage_overview()
        data = {
            "first_month": _month(coverage.first_month),
            "last_month": _month(coverage.last_month),
            "forces": [coverage_json(c) for c in coverage.forces],
            "runs": coverage.runs,
        }
        return Response(CoverageSerializer(data).data)


class CoverageForceApi(APIView):
    @extend_schema(
        operation_id="coverage_force",
        responses={200: ForceMonthsSerializer, 403: REFUSED, 404: OpenApiResponse(description="No such force.")},
    )
    def get(self, request: Request, police_uk_id: str) -> Response:
        """One force's coverage, and each month data.police.uk's availability list has covered."""
        require_coverage_role(request.user)
        found = force_months(police_uk_id)
        return Response(ForceMonthsSerializer({"coverage": coverage_json(found.coverage), "months": found.months}).data)


urlpatterns: list[Any] = [
    path("v1/coverage/", CoverageApi.as_view(), name="api-coverage"),
    path("v1/coverage/<slug:police_uk_id>/", CoverageForceApi.as_view(), name="api-coverage-force"),
]
