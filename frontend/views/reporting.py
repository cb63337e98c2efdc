"""The reporting page: disproportionality for the forces a user may read (scrutiny/reporting_access.py), with its
charts, breakdowns and monthly trend, and each chart's SVG and CSV (docs/reporting.md).

Deny by default: anyone without a reporting role is refused (403) before the parameters are read, on the page and
on every chart route alike; a force outside the user's forces is a 403 naming it; bad parameters are a 400 with
the GOV.UK error summary (the page) or the messages as text (the chart routes). The figures are the unsuppressed
report (`reporting.disproportionality_report`): the page says so ("not for publication").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from common.months import add_months, month_text
from frontend.charts import Chart, find_rate_chart, rates_chart, ratio_chart, trend_chart
from frontend.charts.sources import find_rates_from_report, rates_from_report, ratios_from_report, trend_from_months
from panels.models import Organisation
from panels.typing import AuthenticatedHttpRequest
from scrutiny import stats as st
from scrutiny.audit.services import audit_log
from scrutiny.disproportionality import report as reporting
from scrutiny.disproportionality.access import REFUSAL, report_forces_for_user
from scrutiny.models import AuditEvent
from scrutiny.records.selectors import data_months

GROUPS = list(st.GROUPS)
BREAKDOWN_CHOICES: list[tuple[str, str]] = [
    ("none", "None"),
    ("legislation", "Legislation"),
    ("object_of_search", "Object of search"),
    ("age_range", "Age range"),
    ("gender", "Gender"),
    ("month", "Month"),
]
ETHNICITY_CHOICES = [("self", "Self-defined"), ("officer", "Officer-defined")]
CHART_TITLES = {
    "rates": "Searches per 1,000 residents, by ethnic group",
    "ratios": "How many times as likely to be searched as White people",
    "find-rates": "Searches that found what they were looking for",
    "trend": "Searches each month, and the Black/White rate ratio",
}


# --- charts (shared with the public area page) -------------------------------------------------------------------


def chart_makers(
    report: Mapping[str, Any], trend: Callable[[], list[dict[str, Any]]], *, public: bool
) -> dict[str, Callable[[], Chart]]:
    """Each chart of a report by its URL name, built only when asked for. `trend` gives the months to draw."""
    return {
        "rates": lambda: rates_chart(rates_from_report(report, public=public), title=CHART_TITLES["rates"]),
        "ratios": lambda: ratio_chart(ratios_from_report(report, public=public), title=CHART_TITLES["ratios"]),
        "find-rates": lambda: find_rate_chart(
            find_rates_from_report(report, public=public), title=CHART_TITLES["find-rates"]
        ),
        "trend": lambda: trend_chart(trend_from_months(trend(), public=public), title=CHART_TITLES["trend"]),
    }


def svg_response(chart: Chart) -> HttpResponse:
    response = HttpResponse(chart.image("svg"), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=300"
    return response


def csv_response(chart: Chart, filename: str) -> HttpResponse:
    response = HttpResponse(chart.csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@dataclass(frozen=True)
class ShownChart:
    """A chart as a page shows it: its image and CSV addresses beside its text alternative and table."""

    key: str
    chart: Chart
    svg_url: str
    csv_url: str


# --- parameters --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageParams:
    query: reporting.ReportQuery
    by: str  # "none" or a key of reporting.BREAKDOWNS


def default_values(forces: list[Organisation]) -> dict[str, Any]:
    """The form's values on a first visit: every force the user may read, the 12 months to the latest with data."""
    latest = data_months(forces)[1] or add_months(timezone.localdate().replace(day=1), -1)
    return {
        "force": [f.police_uk_id for f in forces],
        "from": month_text(add_months(latest, -11)),
        "to": month_text(latest),
        "ethnicity": "self",
        "by": "none",
    }


def read_values(params: QueryDict) -> dict[str, Any]:
    forces = [name.strip() for value in params.getlist("force") for name in value.split(",") if name.strip()]
    return {
        "force": forces,
        "from": params.get("from", "").strip(),
        "to": params.get("to", "").strip(),
        "ethnicity": params.get("ethnicity", "self").strip() or "self",
        "by": params.get("by", "none").strip() or "none",
    }


def parse_params(values: dict[str, Any]) -> PageParams:
    """The page's parameters as a report query; ReportQueryError with messages by parameter otherwise."""
    errors: dict[str, list[str]] = {}
    query = None
    try:
        query = reporting.report_query(values["force"], values["from"], values["to"], values["ethnicity"])
    except reporting.ReportQueryError as exc:
        errors.update(exc.errors)
    by = values["by"]
    if by not in dict(BREAKDOWN_CHOICES):
        errors["by"] = [
            f'Break down by one of {", ".join(label.lower() for _, label in BREAKDOWN_CHOICES)}, not "{by}".'
        ]
    if errors or query is None:
        raise reporting.ReportQueryError(errors)
    return PageParams(query, by)


def _query_string(values: dict[str, Any]) -> str:
    params = QueryDict(mutable=True)
    params.setlist("force", list(values["force"]))
    for key in ("from", "to", "ethnicity"):
        params[key] = values[key]
    return params.urlencode()


def readable_forces(user: Any) -> list[Organisation]:
    """The forces the user may read; 403 (before any parameter is read) when there are none. One query, where
    reporting_access's require_* helpers would ask again for each check."""
    forces = list(report_forces_for_user(user))
    if not forces:
        raise PermissionDenied(REFUSAL)
    return forces


def require_among(query: reporting.ReportQuery, forces: list[Organisation]) -> None:
    """403 naming the forces asked for that the user may not read (as reporting_access.require_report_forces)."""
    allowed = {f.pk for f in forces}
    refused = [f.police_uk_id for f in query.forces if f.pk not in allowed]
    if refused:
        raise PermissionDenied(f"You may not read reports for: {', '.join(refused)}.")


# --- the page ----------------------------------------------------------------------------------------------------


ERROR_ANCHORS = {"force": "force", "from": "from", "to": "to", "ethnicity": "ethnicity", "by": "by"}


def _headline_rows(report: dict[str, Any], details: dict[str, Any] | None) -> list[dict[str, Any]]:
    """One row per group: the contract's figures, the arrest-rate interval and the not-stated bounds (self view)."""
    rows = []
    for group in GROUPS:
        g = report["groups"][group]
        rows.append(
            {
                "group": group,
                **g,
                "small": g["searches"] < st.SUPPRESS_BELOW,
                "arrest_rate_ci95": details["arrest_rate_ci95"].get(group) if details else None,
                "bounds": details["rate_ratio_bounds_not_stated"].get(group) if details else None,
            }
        )
    return rows


def _not_stated_bounds(report: dict[str, Any]) -> dict[str, list[float] | None]:
    """The officer-defined view's bounds, from its own counts (report_details gives the self-defined view's)."""
    counts = {
        g: st.GroupCounts(searches=v["searches"], population=v["population"]) for g, v in report["groups"].items()
    }
    return {
        g: (list(b) if b else None) for g, b in st.not_stated_bounds(counts, not_stated=report["not_stated"]).items()
    }


@login_required
def report_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    forces = readable_forces(request.user)
    submitted = any(key in request.GET for key in ("force", "from", "to", "ethnicity", "by"))
    values = read_values(request.GET) if submitted else default_values(forces)
    context: dict[str, Any] = {
        "forces": forces,
        "values": values,
        "ethnicity_choices": ETHNICITY_CHOICES,
        "breakdown_choices": BREAKDOWN_CHOICES,
        "errors": [],
    }
    try:
        params = parse_params(values)
    except reporting.ReportQueryError as exc:
        context["errors"] = [
            (ERROR_ANCHORS.get(key, key), message) for key, messages in exc.errors.items() for message in messages
        ]
        context["field_errors"] = {key: " ".join(messages) for key, messages in exc.errors.items()}
        return render(request, "frontend/reporting/page.html", context, status=400)
    query = params.query
    require_among(query, forces)

    report = reporting.disproportionality_report(query=query)
    details = reporting.report_details(query=query)
    if query.ethnicity == "self":
        bounds_details: dict[str, Any] | None = details
        not_stated_share = details["not_stated_share"]
    else:
        bounds_details = {"arrest_rate_ci95": {}, "rate_ratio_bounds_not_stated": _not_stated_bounds(report)}
        not_stated_share = report["not_stated"] / report["total"] if report["total"] else None
    qs = _query_string(values)
    makers = chart_makers(report, lambda: reporting.monthly_trend(query=query)["months"], public=False)
    charts = [
        ShownChart(
            key,
            make(),
            f"{path_of('report-chart', key)}?{qs}",
            f"{path_of('report-chart-csv', key)}?{qs}",
        )
        for key, make in makers.items()
    ]
    breakdown = None
    if params.by != "none":
        breakdown = reporting.disproportionality_breakdown(query=query, by=params.by)
    context.update(
        {
            "query": query,
            "report": report,
            "rows": _headline_rows(report, bounds_details),
            "not_stated_share": not_stated_share,
            "officer_view": query.ethnicity == "officer",
            "charts": charts,
            "breakdown": breakdown,
            "breakdown_label": dict(BREAKDOWN_CHOICES)[params.by],
            "groups": GROUPS,
            "ratio_groups": [g for g in GROUPS if g != "White"],
            "force_names": ", ".join(f.name for f in query.forces),
        }
    )
    return render(request, "frontend/reporting/page.html", context)


def path_of(name: str, kind: str) -> str:
    return reverse(name, kwargs={"kind": kind})


def _chart_for(request: AuthenticatedHttpRequest, kind: str) -> tuple[Chart, reporting.ReportQuery] | HttpResponse:
    forces = readable_forces(request.user)
    if kind not in CHART_TITLES:
        raise Http404("No such chart.")
    values = read_values(request.GET)
    values["by"] = "none"
    try:
        query = parse_params(values).query
    except reporting.ReportQueryError as exc:
        text = "\n".join(m for messages in exc.errors.values() for m in messages)
        return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")
    require_among(query, forces)
    report = reporting.disproportionality_report(query=query)
    chart = chart_makers(report, lambda: reporting.monthly_trend(query=query)["months"], public=False)[kind]()
    return chart, query


@login_required
def report_chart_svg(request: AuthenticatedHttpRequest, kind: str) -> HttpResponse:
    found = _chart_for(request, kind)
    if isinstance(found, HttpResponse):
        return found
    return svg_response(found[0])


@login_required
def report_chart_csv(request: AuthenticatedHttpRequest, kind: str) -> HttpResponse:
    found = _chart_for(request, kind)
    if isinstance(found, HttpResponse):
        return found
    chart, query = found
    # The unsuppressed figures leave the site: who took which, as for the other exports.
    audit_log(
        by=request.user,
        action=AuditEvent.Action.EXPORTED,
        obj=request.user,
        detail={"what": f"disproportionality chart {kind}", "format": "csv", **query.header()},
        panel=None,
    )
    name = f"{kind}-{'-'.join(query.force_ids)}-{month_text(query.from_month)}-to-{month_text(query.to_month)}"
    return csv_response(chart, f"{name}.csv")


urlpatterns: list[URLPattern] = [
    path("reports/", report_page, name="report-page"),
    path("reports/charts/<slug:kind>.svg", report_chart_svg, name="report-chart"),
    path("reports/charts/<slug:kind>.csv", report_chart_csv, name="report-chart-csv"),
]
