"""Who gets what from the reporting page and its charts (frontend/views/reporting.py), and the public area pages
(frontend/views/public_area.py).

The reporting page and its chart routes follow scrutiny/reporting_access.py: the coordinator of the panel (whose
area holds the scenario's force) reads them; members and outsiders are refused, anonymous visitors sent to sign in.
The chart checks send no parameters, so the coordinator's answer is a 400 (reached the view). The public area page,
its charts and CSVs and the methods page need no sign-in.
"""

from __future__ import annotations

from typing import Any

from frontend.views.public_area import area_slug
from tests.permissions.routes import PANEL_MANAGE, PUBLIC, Check, Rule, no_kwargs


def chart(s: Any) -> dict[str, Any]:
    return {"kind": "rates"}


def area(s: Any) -> dict[str, Any]:
    return {"area": area_slug(s.panel.force_area)}


def area_chart(s: Any) -> dict[str, Any]:
    return {**area(s), "kind": "ratios"}


RULES: dict[str, Rule] = {
    "report-page": Rule(no_kwargs, (Check("GET", PANEL_MANAGE),)),
    "report-chart": Rule(chart, (Check("GET", PANEL_MANAGE),)),
    "report-chart-csv": Rule(chart, (Check("GET", PANEL_MANAGE),)),
    "area-public": Rule(area, (Check("GET", PUBLIC),)),
    "area-public-chart": Rule(area_chart, (Check("GET", PUBLIC),)),
    "area-public-chart-csv": Rule(area_chart, (Check("GET", PUBLIC),)),
    "public-methods": Rule(no_kwargs, (Check("GET", PUBLIC),)),
}
