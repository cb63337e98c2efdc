"""Who gets what from the national comparison (frontend/views/national.py,
scrutiny/disproportionality/api.py): the staff page, its funnel charts and CSVs, and the national report API are for
whoever `scrutiny.disproportionality.national.may_read_national` allows
(here the panel's coordinator, whose area holds the scenario's force); members and outsiders are refused, anonymous
visitors sent to sign in (the API answers 401). The public page, its charts and CSV need no sign-in.

A funnel chart exists only when England and Wales has a Black/White ratio to draw it around (and, in public, one
that can be shown: 10 or more searches of each group), so the chart rules first add 12 Black and 12 White searches
in the scenario's month. The API check sends no parameters, so the coordinator's answer is a 400.
"""

from __future__ import annotations

from typing import Any

from scrutiny import choices
from scrutiny.records import versions
from tests.permissions.routes import PANEL_MANAGE, PUBLIC, Check, Rule, no_kwargs
from tests.scrutiny.factories import make_record


def funnel(s: Any) -> dict[str, Any]:
    for group in (choices.EthnicGroup.BLACK, choices.EthnicGroup.WHITE):
        for _ in range(12):
            make_record(s.batch, ethnic_group=group)
    versions.records_changed(s.force.pk)
    return {"group": "black"}


RULES: dict[str, Rule] = {
    "national-report": Rule(no_kwargs, (Check("GET", PANEL_MANAGE),)),
    "national-report-csv": Rule(no_kwargs, (Check("GET", PANEL_MANAGE),)),
    "national-report-chart": Rule(funnel, (Check("GET", PANEL_MANAGE),)),
    "national-report-chart-csv": Rule(funnel, (Check("GET", PANEL_MANAGE),)),
    "national-public": Rule(no_kwargs, (Check("GET", PUBLIC),)),
    "national-public-csv": Rule(no_kwargs, (Check("GET", PUBLIC),)),
    "national-public-chart": Rule(funnel, (Check("GET", PUBLIC),)),
    "national-public-chart-csv": Rule(funnel, (Check("GET", PUBLIC),)),
    "api-report-national": Rule(no_kwargs, (Check("GET", PANEL_MANAGE),)),
}
