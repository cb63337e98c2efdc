"""The PCC's quarterly pack: the list of packs the user may read, one pack as a page, and its PDF.

Who may read which area's pack: frontend/pack/access.py (the area's OPCC officers and its panels' coordinators).
The access check comes before the quarter is read, so a refused user learns nothing from a bad quarter.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.safestring import mark_safe

from frontend.pack import (
    Pack,
    Quarter,
    QuarterError,
    build_pack,
    pack_areas_for_user,
    pack_pdf,
    parse_quarter,
    require_pack_area,
    require_pack_role,
    table_rows,
)
from panels.models import ForceArea
from panels.typing import AuthenticatedHttpRequest
from scrutiny.audit.services import audit_log
from scrutiny.models import AuditEvent

QUARTERS_LISTED = 4


@login_required
def pack_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_pack_role(request.user)
    today = timezone.localdate()
    latest = Quarter.latest_whole(today)
    quarters = [latest]
    while len(quarters) < QUARTERS_LISTED:
        quarters.append(quarters[-1].previous())
    return render(
        request,
        "frontend/pack/list.html",
        {
            "areas": list(pack_areas_for_user(request.user)),
            "quarters": quarters,
            "current": Quarter.of_day(today),
        },
    )


def _area(request: AuthenticatedHttpRequest, code: str) -> ForceArea:
    area = ForceArea.objects.filter(code=code).first()
    if area is None:
        raise Http404(f'No police force area has the code "{code}".')
    require_pack_area(request.user, area)
    return area


def _pack(request: AuthenticatedHttpRequest, code: str, quarter: str) -> Pack | HttpResponse:
    area = _area(request, code)
    today = timezone.localdate()
    try:
        chosen = parse_quarter(quarter, today=today)
    except QuarterError as exc:
        return render(
            request,
            "frontend/pack/bad_quarter.html",
            {"area": area, "message": str(exc), "latest": Quarter.latest_whole(today)},
            status=400,
        )
    return build_pack(area, chosen, today=today)


@login_required
def pack_detail(request: AuthenticatedHttpRequest, area: str, quarter: str) -> HttpResponse:
    pack = _pack(request, area, quarter)
    if isinstance(pack, HttpResponse):
        return pack
    charts = {
        item.key: {
            "item": item,
            # The chart's own SVG: drawn by frontend/charts from numbers, with its title and text alternative
            # escaped inside (base._accessible_svg); nothing a user typed reaches it.
            "svg": mark_safe(item.chart.image("svg").decode()),  # noqa: S308
            "rows": table_rows(item.chart),
        }
        for item in pack.charts()
    }
    return render(request, "frontend/pack/detail.html", {"pack": pack, "charts": charts})


@login_required
def pack_download(request: AuthenticatedHttpRequest, area: str, quarter: str) -> HttpResponse:
    pack = _pack(request, area, quarter)
    if isinstance(pack, HttpResponse):
        return pack
    data = pack_pdf(pack)
    audit_log(
        by=request.user,
        action=AuditEvent.Action.EXPORTED,
        obj=request.user,
        detail={"what": "quarterly pack", "format": "pdf", "area": pack.area.code, "quarter": pack.quarter.slug},
        panel=None,
    )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="pack-{pack.area.code}-{pack.quarter.slug}.pdf"'
    return response


urlpatterns: list[URLPattern] = [
    path("packs/", pack_list, name="pack-list"),
    path("packs/<str:area>/<str:quarter>/", pack_detail, name="pack-detail"),
    path("packs/<str:area>/<str:quarter>/pack.pdf", pack_download, name="pack-pdf"),
]
