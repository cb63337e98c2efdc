"""Who gets what from the reports API (scrutiny/api_reports.py, scrutiny/reporting_access.py).

Coordinators of a panel in the force's area (and the area's OPCC officers and the force's liaison officers, tested
in tests/scrutiny/test_disproportionality_api.py) read disproportionality reports; members and outsiders are
refused before the parameters are read. The check sends no parameters, so the coordinator's answer is a 400.
"""

from __future__ import annotations

from tests.permissions.routes import PANEL_MANAGE, Check, Rule, no_kwargs

RULES: dict[str, Rule] = {
    "api-report-disproportionality": Rule(no_kwargs, (Check("GET", PANEL_MANAGE),)),
}
