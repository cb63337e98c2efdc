"""Who gets data.police.uk coverage (frontend/views/coverage.py, scrutiny/sync/api.py, scrutiny/sync/permissions.py).

Coordinators read it (and OPCC officers and site staff, tested in tests/frontend/test_coverage_pages.py with the
refusal of chairs, observers and force liaison officers); members, outsiders and anonymous visitors get nothing.
"""

from __future__ import annotations

from typing import Any

from tests.permissions.routes import PANEL_MANAGE, Check, Rule, no_kwargs


def force(s: Any) -> dict[str, Any]:
    return {"police_uk_id": s.force.police_uk_id}


RULES: dict[str, Rule] = {
    "coverage": Rule(no_kwargs, (Check("GET", PANEL_MANAGE),)),
    "coverage-force": Rule(force, (Check("GET", PANEL_MANAGE),)),
    "api-coverage": Rule(no_kwargs, (Check("GET", PANEL_MANAGE),)),
    "api-coverage-force": Rule(force, (Check("GET", PANEL_MANAGE),)),
}
