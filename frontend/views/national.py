"""The national comparison pages (docs/national.md): every force of England and Wales beside the others, for staff
(`/reports/national/`, with small counts) and for the public (`/public/national/`, suppressed), each with the funnel
chart of each group (SVG and CSV) and the table of forces as CSV.

Deny by default: the staff page and its routes are for whoever `national.may_read_national` allows (anyone else
signed in gets a 403 before any parameter is read; a visitor is sent to sign in). The public routes need no sign-in
and show only the public report (`national_report(..., public=True)`), whose figures are suppressed before they
reach the page, a chart or a CSV.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils.translation import get_language

from frontend.charts import Chart, Table
from frontend.charts.funnel import chart_from_report
from frontend.views.public_area import PeriodError, choose_period, fy_label
from frontend.views.reporting import csv_response, svg_response
from panels.census import POLICE_UK_IDS
from panels.models import Organisation
from scrutiny import stats as st
from scrutiny.audit.services import audit_log
from scrutiny.disproportionality import national
from scrutiny.models import AuditEvent
from scrutiny.stats import funnel as fn
from scrutiny.stats import ranks as rk

GROUP_SLUGS = {g.lower(): g for g in national.COMPARED}
# GOV.UK tags for the funnel positions: the words say it, the colour only repeats it.
TAGS = {
    "high_outlier": "govuk-tag--red",
    "high_alert": "govuk-tag--orange",
    "within": "govuk-tag--grey",
    "low_alert": "govuk-tag--light-blue",
    "low_outlier": "govuk-tag--blue",
}
SORTS = {
    "name": "Force",
    "ratio": "Rate ratio against White, highest first",
    "volume": "Volume (expected searches), largest first",
    "rate": "Rate per 1,000, highest first",
}


# --- the figures a page shows --------------------------------------------------------------------------------------


@dataclass
class NationalFigures:
    public: bool
    years: list[int]
    query: national.NationalQuery | None
    report: dict[str, Any] | None
    error: str = ""


def national_figures(raw_year: str, *, public: bool, forces: list[Organisation] | None = None) -> NationalFigures:
    """The report for the period asked for (`year`, or the latest 12 months with data); PeriodError for a year
    that is not on offer. `forces`: `national.national_forces()`, when the caller has them."""
    forces = national.national_forces() if forces is None else forces
    versions = national.data_versions(forces)
    first, latest = national.data_months(forces, versions)
    period, years = choose_period(raw_year, first, latest)
    if period is None:
        return NationalFigures(public, years, None, None)
    query = national.NationalQuery(period.from_month, period.to_month, period.year)
    report = national.national_report(query, public=public, forces=forces, versions=versions)
    return NationalFigures(public, years, query, report)


def _require_reader(user: Any) -> None:
    if not national.may_read_national(user):
        raise PermissionDenied(national.NATIONAL_REFUSAL)


# --- the table of forces -------------------------------------------------------------------------------------------


def area_slug_of(police_uk_id: str) -> str | None:
    """The address of the force's area page (its data.police.uk id, for a territorial force)."""
    return police_uk_id if police_uk_id in POLICE_UK_IDS.values() else None


def force_rows(report: dict[str, Any], group: str, sort: str) -> list[dict[str, Any]]:
    """The table of forces for one group against White, ordered as asked (by name unless told otherwise; a force
    without the figure sorted after those with it, by name)."""
    rows = []
    for f in report["forces"]:
        g, white = f["groups"][group], f["groups"]["White"]
        compare = f["compare"].get(group)
        slug = area_slug_of(f["force"])
        rank = compare["rank"] if compare else None
        rows.append(
            {
                "force": f["force"],
                "name": f["name"],
                "url": reverse("area-public", kwargs={"area": slug}) if slug else None,
                "months_covered": f["months_covered"],
                "missing": len(f["missing"]),
                "total": f["total"],
                "group": g,
                "white": white,
                "compare": compare,
                "position_text": fn.POSITION_SHORT[compare["position"]].capitalize() if compare else "",
                "tag": TAGS[compare["position"]] if compare else "",
                "rank_cell": (
                    f"{rk.ordinal(rank['rank'])} of {rank['of']} ({rk.ordinal(rank['low'])} to "
                    f"{rk.ordinal(rank['high'])})"
                    if rank
                    else ""
                ),
            }
        )
    keys: dict[str, Callable[[dict[str, Any]], Any]] = {
        "ratio": lambda r: r["group"]["rate_ratio_vs_white"],
        "volume": lambda r: r["compare"]["expected"] if r["compare"] else None,
        "rate": lambda r: r["group"]["rate_per_1000"],
    }
    rows.sort(key=lambda r: r["name"])
    if sort in keys:
        get = keys[sort]
        rows.sort(key=lambda r: (get(r) is None, -(get(r) or 0)))
    return rows


def comparison_summary(comparison: dict[str, Any] | None, rows: list[dict[str, Any]]) -> dict[str, str]:
    """Two sentences: how many forces sit where on the funnel, and whether forces vary more than chance explains."""
    if not comparison or comparison["reference_ratio"] is None:
        return {"positions_sentence": "", "dispersion_sentence": ""}
    p = comparison["positions"]
    n = comparison["forces_compared"]
    alerts = p["high_alert"] + p["low_alert"]
    positions = (
        f"Of the {n} force{'s' if n != 1 else ''} compared: {_forces(p['high_outlier'])} above the 99.8% limits and "
        f"{_forces(p['low_outlier'])} below them (outliers), {_forces(alerts)} between the 95% and 99.8% limits "
        f"(alerts), and {_forces(p['within'])} within the limits."
    )
    d = comparison["overdispersion"]
    if not d or d["phi"] is None:
        dispersion = "Too few forces are compared to say whether they vary more than chance explains."
    elif d["overdispersed"]:
        still = sum(1 for r in rows if r["compare"] and r["compare"]["outside_limits_allowing_overdispersion"])
        dispersion = (
            f"Forces vary more than chance alone explains (over-dispersion {d['phi']:.1f}, where 1 is chance alone; "
            f"test p {_p(d['p_value'])}). So the differences between forces are real, and with this much "
            f"variation many forces fall outside limits drawn for chance alone: an outlier differs from England "
            f"and Wales by more than chance, but the funnel does not say why. Allowing for the extra variation "
            f"between forces (limits widened for it), {still} force{'s are' if still != 1 else ' is'} still outside "
            f"the 99.8% limits."
        )
    else:
        dispersion = (
            f"Forces vary no more than chance explains (over-dispersion {d['phi']:.1f}, where 1 is chance alone; "
            f"test p {_p(d['p_value'])}), so the limits drawn for chance are the right yardstick."
        )
    return {"positions_sentence": positions, "dispersion_sentence": dispersion}


def _forces(n: int) -> str:
    return "1 force" if n == 1 else f"{n} forces" if n else "none"


def _p(value: float) -> str:
    return "< 0.001" if value < 0.001 else f"= {value:.3f}"


def forces_table(report: dict[str, Any]) -> Table:
    """Every force's figures as one table (the page's CSV download): per group its searches, population, rate,
    ratio with interval, find and arrest rates, and for the compared groups the funnel position and rank."""
    header: list[str] = ["Force", "data.police.uk id", "Months held", "Months missing", "Searches", "Not stated"]
    header.append("Vehicle-only (excluded)")
    for g in st.GROUPS:
        header += [
            f"{g} searches",
            f"{g} population",
            f"{g} rate per 1,000",
            f"{g}/White rate ratio",
            f"{g} ratio lower 95%",
            f"{g} ratio upper 95%",
            f"{g} find rate",
            f"{g} arrest rate",
        ]
        if g in national.COMPARED:
            header += [f"{g} funnel position", f"{g} rank", f"{g} rank lower 95%", f"{g} rank upper 95%"]
    ew = {**report["england_and_wales"], "name": "England and Wales", "force": "", "months_covered": None}
    rows = [_table_row(ew, report, england_and_wales=True)]
    rows += [_table_row(f, report, england_and_wales=False) for f in [*report["forces"], *report["other_forces"]]]
    return Table(tuple(header), tuple(rows))


def _table_row(f: dict[str, Any], report: dict[str, Any], *, england_and_wales: bool) -> tuple[Any, ...]:
    row: list[Any] = [
        f["name"],
        f["force"] or None,
        f["months_covered"] if not england_and_wales else None,
        report["england_and_wales"]["force_months_missing"] if england_and_wales else len(f["missing"]),
        f["total"],
        f["not_stated"],
        f["vehicle_only_excluded"],
    ]
    for g in st.GROUPS:
        e = f["groups"][g]
        interval = e["rate_ratio_ci95"] or [None, None]
        row += [
            e["searches"],
            e["population"],
            e["rate_per_1000"],
            e["rate_ratio_vs_white"] if g != "White" else None,
            interval[0],
            interval[1],
            e["find_rate"],
            e["arrest_rate"],
        ]
        if g in national.COMPARED:
            c = None if england_and_wales else f["compare"].get(g)
            rank = c["rank"] if c else None
            row += [
                fn.POSITION_SHORT[c["position"]] if c else None,
                rank["rank"] if rank else None,
                rank["low"] if rank else None,
                rank["high"] if rank else None,
            ]
    return tuple(row)


# --- pages --------------------------------------------------------------------------------------------------------


def _query_string(figures: NationalFigures, **extra: str) -> str:
    params = QueryDict(mutable=True)
    if figures.query is not None and figures.query.year is not None:
        params["year"] = str(figures.query.year)
    for key, value in extra.items():
        if value:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else ""


def _choices(request: HttpRequest, figures: NationalFigures) -> tuple[str, str, str, list[tuple[str, str]]]:
    """The group compared, the order of the forces and the force picked out, as asked (or their defaults), with
    what is wrong with each (field, message)."""
    group = GROUP_SLUGS.get(request.GET.get("group", "black").strip().lower())
    sort = request.GET.get("sort", "name").strip() or "name"
    selected = request.GET.get("force", "").strip()
    errors: list[tuple[str, str]] = []
    if group is None:
        errors.append(("group", f"Compare one of {', '.join(national.COMPARED)} with White."))
        group = "Black"
    if sort not in SORTS:
        errors.append(("sort", f"Order the forces by one of: {', '.join(SORTS)}."))
        sort = "name"
    if selected and figures.report is not None and national.force_comparison(figures.report, selected) is None:
        # No field to point at (the force comes from a link): the summary links to the page's main content.
        errors.append(("main-content", f'Unknown force "{selected}": give its data.police.uk id, e.g. cheshire.'))
    return group, sort, selected, errors


def _charts(report: dict[str, Any], figures: NationalFigures, prefix: str, selected: str) -> list[dict[str, Any]]:
    """Each compared group's funnel chart that has forces on it, with the addresses of its SVG and CSV."""
    charts = []
    for g in national.COMPARED:
        chart = chart_from_report(report, g)
        if chart is None:
            continue
        qs = _query_string(figures, force=selected)
        charts.append(
            {
                "key": g.lower(),
                "group": g,
                "chart": chart,
                "svg_url": reverse(f"{prefix}-chart", kwargs={"group": g.lower()}) + qs,
                "csv_url": reverse(f"{prefix}-chart-csv", kwargs={"group": g.lower()}) + qs,
                "comparison": report["comparison"][g],
            }
        )
    return charts


def _page(request: HttpRequest, *, public: bool, forces: list[Organisation] | None = None) -> HttpResponse:
    raw_year = request.GET.get("year", "")
    errors: list[tuple[str, str]] = []
    try:
        figures = national_figures(raw_year, public=public, forces=forces)
    except PeriodError as exc:
        figures = national_figures("", public=public, forces=forces)
        errors.append(("year", str(exc)))
    group, sort, selected, wrong = _choices(request, figures)
    errors += wrong
    prefix = "national-public" if public else "national-report"
    report = figures.report if not errors else None
    rows = force_rows(report, group, sort) if report else []
    for r in rows:
        r["selected"] = r["force"] == selected
    charts = _charts(report, figures, prefix, selected) if report is not None else []
    context = {
        "public": public,
        "figures": figures,
        "report": report,
        "years": [(y, fy_label(y)) for y in figures.years],
        "chosen_year": raw_year.strip(),
        "group": group,
        "groups": list(national.COMPARED),
        "all_groups": list(st.GROUPS),
        "sort": sort,
        "sorts": SORTS,
        "errors": errors,
        "field_errors": dict(errors),
        "rows": rows,
        "comparison": report["comparison"][group] if report else None,
        "summary": comparison_summary(report["comparison"][group] if report else None, rows),
        "charts": charts,
        "missing_words": national.describe_missing(national.missing_from_json(report["missing"])) if report else [],
        "page_url": reverse(prefix),
        "csv_url": reverse(f"{prefix}-csv") + _query_string(figures) if report else "",
        "other_url": reverse("national-report" if public else "national-public"),
        "sort_urls": {key: _query_string(figures, group=group.lower(), sort=key, force=selected) for key in SORTS},
        "selected": selected,
        "position_labels": fn.POSITION_LABELS,
    }
    return render(request, "frontend/national/page.html", context, status=400 if errors else 200)


@login_required
def national_page(request: HttpRequest) -> HttpResponse:
    _require_reader(request.user)
    return _page(request, public=False)


# How long a visitor's copy of the public page is kept. Records changing (an import, a sync) change the forces' data
# versions in its key at once; what else the page shows (a month newly missing because its fetch failed) can be this
# much behind.
PUBLIC_PAGE_SECONDS = 300


def national_public_page(request: HttpRequest) -> HttpResponse:
    """The public page. For visitors who are not signed in it is the same page for the same address and data, so the
    rendered page is kept (about 30 ms of templates and charts a request; bench/national.py measures it under load);
    signed-in people get their own navigation, and a visitor with a message waiting gets it shown, not a copy."""
    if request.user.is_authenticated or len(messages.get_messages(request)):
        return _page(request, public=True)
    forces = national.national_forces()
    versions = national.data_versions(forces)
    material = json.dumps([request.get_full_path(), get_language(), versions], separators=(",", ":"))
    key = f"national-public-page:{hashlib.sha256(material.encode()).hexdigest()}"
    content = cache.get(key)
    if content is not None:
        return HttpResponse(content)
    response = _page(request, public=True, forces=forces)
    if response.status_code == 200:
        cache.set(key, response.content, PUBLIC_PAGE_SECONDS)
    return response


# --- charts and CSVs ---------------------------------------------------------------------------------------------


def _figures_or_400(request: HttpRequest, *, public: bool) -> tuple[NationalFigures, dict[str, Any]] | HttpResponse:
    """A chart's or a CSV's figures for the period asked for; a 400 saying why for a year not on offer, a 404 when
    there are no figures at all."""
    try:
        figures = national_figures(request.GET.get("year", ""), public=public)
    except PeriodError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    if figures.report is None:
        raise Http404("No figures yet.")
    return figures, figures.report


def _chart(request: HttpRequest, group_slug: str, *, public: bool) -> tuple[Chart, NationalFigures] | HttpResponse:
    group = GROUP_SLUGS.get(group_slug)
    if group is None:
        raise Http404("No such chart.")
    found = _figures_or_400(request, public=public)
    if isinstance(found, HttpResponse):
        return found
    figures, report = found
    selected = request.GET.get("force", "").strip() or None
    chart = chart_from_report(report, group, selected=selected)
    if chart is None:
        raise Http404(f"No England and Wales {group}/White ratio for this period.")
    return chart, figures


def _period_name(figures: NationalFigures) -> str:
    assert figures.query is not None
    return f"{figures.query.from_month:%Y-%m}-to-{figures.query.to_month:%Y-%m}"


def _audit_export(request: HttpRequest, what: str, figures: NationalFigures) -> None:
    # The unsuppressed figures leave the site: who took which, as for the reporting page's exports.
    assert figures.query is not None
    audit_log(
        by=request.user,
        action=AuditEvent.Action.EXPORTED,
        obj=request.user,
        detail={"what": what, "format": "csv", **figures.query.header()},
        panel=None,
    )


@login_required
def national_chart_svg(request: HttpRequest, group: str) -> HttpResponse:
    _require_reader(request.user)
    found = _chart(request, group, public=False)
    return found if isinstance(found, HttpResponse) else svg_response(found[0])


@login_required
def national_chart_csv(request: HttpRequest, group: str) -> HttpResponse:
    _require_reader(request.user)
    found = _chart(request, group, public=False)
    if isinstance(found, HttpResponse):
        return found
    chart, figures = found
    _audit_export(request, f"national funnel {group}", figures)
    return csv_response(chart, f"national-funnel-{group}-{_period_name(figures)}.csv")


def national_public_chart_svg(request: HttpRequest, group: str) -> HttpResponse:
    found = _chart(request, group, public=True)
    if isinstance(found, HttpResponse):
        return found
    response = svg_response(found[0])
    response["Cache-Control"] = "public, max-age=3600"
    return response


def national_public_chart_csv(request: HttpRequest, group: str) -> HttpResponse:
    found = _chart(request, group, public=True)
    if isinstance(found, HttpResponse):
        return found
    chart, figures = found
    return csv_response(chart, f"national-funnel-{group}-{_period_name(figures)}.csv")


def _forces_csv(request: HttpRequest, *, public: bool) -> HttpResponse:
    found = _figures_or_400(request, public=public)
    if isinstance(found, HttpResponse):
        return found
    figures, report = found
    if not public:
        _audit_export(request, "national comparison", figures)
    response = HttpResponse(forces_table(report).csv(), content_type="text/csv; charset=utf-8")
    suffix = "" if not public else "-public"
    response["Content-Disposition"] = f'attachment; filename="national-comparison{suffix}-{_period_name(figures)}.csv"'
    return response


@login_required
def national_csv(request: HttpRequest) -> HttpResponse:
    _require_reader(request.user)
    return _forces_csv(request, public=False)


def national_public_csv(request: HttpRequest) -> HttpResponse:
    return _forces_csv(request, public=True)


urlpatterns: list[URLPattern] = [
    path("reports/national/", national_page, name="national-report"),
    path("reports/national/forces.csv", national_csv, name="national-report-csv"),
    path("reports/national/charts/<slug:group>.svg", national_chart_svg, name="national-report-chart"),
    path("reports/national/charts/<slug:group>.csv", national_chart_csv, name="national-report-chart-csv"),
    path("public/national/", national_public_page, name="national-public"),
    path("public/national/forces.csv", national_public_csv, name="national-public-csv"),
    path("public/national/charts/<slug:group>.svg", national_public_chart_svg, name="national-public-chart"),
    path("public/national/charts/<slug:group>.csv", national_public_chart_csv, name="national-public-chart-csv"),
]
