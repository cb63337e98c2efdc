"""The public transparency page of a force area, its charts and CSVs, and the public methods page
(docs/reporting.md). No sign-in. The page also says how the area's force compares with the others (the public
national report, docs/national.md).

Every figure comes from the suppressed report (`reporting.public_disproportionality_report`, `monthly_trend(...,
public=True)`), and the chart adapters apply the same rule again, so no count under 10 appears in the page, a chart,
its text alternative, its table or its CSV. One more rule is applied here: the months add up to the period's total, so
while the hidden months would add up to a count under 10 (the total less the months shown), the smallest month still
shown is hidden too. Trust comes from the public panels' survey waves in their shared form (`TrustReport.shared()`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse

from common.months import add_months, financial_year_start
from frontend.views.reporting import ShownChart, chart_makers, csv_response, svg_response
from panels import selectors
from panels.census import POLICE_UK_IDS
from panels.models import ForceArea, Organisation, Panel
from scrutiny import stats as st
from scrutiny.disproportionality import national
from scrutiny.disproportionality import report as reporting
from scrutiny.records.selectors import data_months
from scrutiny.reviews import selectors as scrutiny_public
from surveys.loop.selectors import public_recommendations
from surveys.results.trust import TrustReport, trust_report

SLUG_TO_CODE = {slug: code for code, slug in POLICE_UK_IDS.items()}


def area_slug(area: ForceArea) -> str:
    """The area's address on the site: its territorial force's data.police.uk id (e.g. cheshire), else its code."""
    return POLICE_UK_IDS.get(area.code, area.code)


def area_url(area: ForceArea) -> str:
    return reverse("area-public", kwargs={"area": area_slug(area)})


def get_public_area(slug: str) -> tuple[ForceArea, list[Organisation], list[Panel]]:
    """The area, its forces and its public panels; 404 unless the platform holds a force or a public panel there."""
    code = SLUG_TO_CODE.get(slug, slug.upper())
    area = ForceArea.objects.filter(code=code).first()
    if area is None:
        raise Http404("No such force area.")
    forces = reporting.area_forces(area)
    panels = list(selectors.public_panels().filter(force_area=area))
    if not forces and not panels:
        raise Http404("This force area has no public page.")
    return area, forces, panels


# --- the period --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    from_month: date
    to_month: date
    label: str
    year: int | None  # the financial year's first calendar year, or None for the latest 12 months


class PeriodError(ValueError):
    pass


def fy_label(year: int) -> str:
    return f"April {year} to March {year + 1}"


def choose_period(raw: str, first: date | None, latest: date | None) -> tuple[Period | None, list[int]]:
    """The period asked for (`?year=YYYY`, a financial year with data) or the latest 12 whole months with data;
    and the financial years on offer, newest first. PeriodError for a year that is not one of them."""
    years = list(range(financial_year_start(latest), financial_year_start(first) - 1, -1)) if first and latest else []
    raw = raw.strip()
    if raw:
        if not raw.isdigit() or int(raw) not in years:
            offered = ", ".join(str(y) for y in years) or "none yet"
            raise PeriodError(f'"{raw}" is not a financial year with figures here. Years on offer: {offered}.')
        year = int(raw)
        start, end = date(year, 4, 1), date(year + 1, 3, 1)
        return Period(start, end, fy_label(year), year), years
    if latest is None:
        return None, years
    start = add_months(latest, -11)
    label = f"the 12 months from {start:%B %Y} to {latest:%B %Y}"
    return Period(start, latest, label, None), years


# --- suppression beyond the report's own -------------------------------------------------------------------------


def protect_month_totals(months: list[dict[str, Any]], year_total: int | None) -> list[dict[str, Any]]:
    """The months add up to the period's total, so the hidden months' sum is the total less the months shown. While
    that sum would be a count under 10 (one hidden month, or several adding up to under 10), hide the smallest month
    still shown (the first of them on a tie)."""
    if year_total is None:
        return months
    out = [dict(m) for m in months]
    while True:
        hidden = [m for m in out if m["total"] is None]
        shown = [m for m in out if m["total"] is not None]
        if not hidden or not shown:
            return out
        if not st.is_suppressed(year_total - sum(m["total"] for m in shown)):
            return out
        min(shown, key=lambda m: m["total"])["total"] = None


# --- what the page and the chart routes share --------------------------------------------------------------------


@dataclass
class AreaFigures:
    area: ForceArea
    forces: list[Organisation]
    panels: list[Panel]
    period: Period | None
    years: list[int]
    report: dict[str, Any] | None
    query: reporting.ReportQuery | None

    def months(self) -> list[dict[str, Any]]:
        assert self.query is not None
        assert self.report is not None
        trend = reporting.monthly_trend(query=self.query, public=True)["months"]
        return protect_month_totals(trend, self.report["total"])


def area_figures(slug: str, raw_year: str) -> AreaFigures:
    area, forces, panels = get_public_area(slug)
    first, latest = data_months(forces) if forces else (None, None)
    period, years = choose_period(raw_year, first, latest)
    report = query = None
    if period is not None and forces:
        query = reporting.report_query(forces, period.from_month, period.to_month, "self")
        report = reporting.public_disproportionality_report(query=query)
    return AreaFigures(area, forces, panels, period, years, report, query)


def _chart_urls(figures: AreaFigures, kind: str) -> tuple[str, str]:
    slug = area_slug(figures.area)
    suffix = f"?year={figures.period.year}" if figures.period and figures.period.year is not None else ""
    svg = reverse("area-public-chart", kwargs={"area": slug, "kind": kind}) + suffix
    csv = reverse("area-public-chart-csv", kwargs={"area": slug, "kind": kind}) + suffix
    return svg, csv


@dataclass(frozen=True)
class PanelTrust:
    panel: Panel
    report: TrustReport


def _public_trust(panels: list[Panel]) -> list[PanelTrust]:
    out = []
    for panel in panels:
        report = trust_report(panel)
        if report.waves and report.measures:
            out.append(PanelTrust(panel, report.shared()))
    return out


def _headline_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"group": g, **report["groups"][g]} for g in st.GROUPS]


def _comparisons(figures: AreaFigures) -> tuple[list[national.ForceComparison], str]:
    """From the public national report for the page's period: its figures are suppressed as the page's are, and
    the funnel and ranks are worked from the forces it shows. With the national page's address for the period,
    ready for a force's id to be added."""
    if figures.period is None or not figures.forces:
        return [], ""
    query = national.NationalQuery(figures.period.from_month, figures.period.to_month, figures.period.year)
    report = national.national_report(query, public=True)
    params = urlencode({"year": query.year}) + "&" if query.year is not None else ""
    return national.forces_compared(report, figures.forces), f"{reverse('national-public')}?{params}"


# --- views -------------------------------------------------------------------------------------------------------


def area_public(request: HttpRequest, area: str) -> HttpResponse:
    raw_year = request.GET.get("year", "")
    try:
        figures = area_figures(area, raw_year)
        error = ""
    except PeriodError as exc:
        figures = area_figures(area, "")
        error = str(exc)
    charts = []
    if figures.report is not None:
        makers = chart_makers(figures.report, figures.months, public=True)
        charts = [ShownChart(key, make(), *_chart_urls(figures, key)) for key, make in makers.items()]
    comparisons, national_url = _comparisons(figures) if not error else ([], "")
    context = {
        "area": figures.area,
        "forces": figures.forces,
        "period": figures.period if not error else None,
        "years": [(y, fy_label(y)) for y in figures.years],
        "chosen_year": raw_year.strip(),
        "error": error,
        "report": figures.report if not error else None,
        "rows": _headline_rows(figures.report) if figures.report and not error else [],
        "charts": charts if not error else [],
        "panels": [
            {
                "panel": p,
                "findings": scrutiny_public.public_findings(p),
                "recommendations": public_recommendations(p),
            }
            for p in figures.panels
        ],
        "trust": _public_trust(figures.panels),
        "comparisons": comparisons,
        "national_url": national_url,
    }
    return render(request, "frontend/public/area.html", context, status=400 if error else 200)


def _area_chart(area: str, kind: str, raw_year: str) -> tuple[Any, AreaFigures] | HttpResponse:
    try:
        figures = area_figures(area, raw_year)
    except PeriodError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    if figures.report is None:
        raise Http404("No figures for this area yet.")
    makers = chart_makers(figures.report, figures.months, public=True)
    if kind not in makers:
        raise Http404("No such chart.")
    return makers[kind](), figures


def area_public_chart(request: HttpRequest, area: str, kind: str) -> HttpResponse:
    found = _area_chart(area, kind, request.GET.get("year", ""))
    if isinstance(found, HttpResponse):
        return found
    response = svg_response(found[0])
    response["Cache-Control"] = "public, max-age=3600"
    return response


def area_public_chart_csv(request: HttpRequest, area: str, kind: str) -> HttpResponse:
    found = _area_chart(area, kind, request.GET.get("year", ""))
    if isinstance(found, HttpResponse):
        return found
    chart, figures = found
    assert figures.period is not None
    period = f"{figures.period.from_month:%Y-%m}-to-{figures.period.to_month:%Y-%m}"
    return csv_response(chart, f"{area_slug(figures.area)}-{kind}-{period}.csv")


def public_methods(request: HttpRequest) -> HttpResponse:
    return render(request, "frontend/public/area_methods.html")


urlpatterns: list[URLPattern] = [
    path("public/areas/<slug:area>/", area_public, name="area-public"),
    path("public/areas/<slug:area>/charts/<slug:kind>.svg", area_public_chart, name="area-public-chart"),
    path("public/areas/<slug:area>/charts/<slug:kind>.csv", area_public_chart_csv, name="area-public-chart-csv"),
    path("public/methods/", public_methods, name="public-methods"),
]
