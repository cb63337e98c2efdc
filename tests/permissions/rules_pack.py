"""Who gets the PCC's quarterly pack (frontend/views/pack.py, frontend/pack/access.py).

The area's OPCC officers and the coordinators of its panels read it (the OPCC officer, and the refusal of force
liaison officers, are tested in tests/frontend/test_pack.py); members, outsiders and anonymous visitors get nothing.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from frontend.pack.quarter import Quarter
from tests.permissions.routes import PANEL_MANAGE, Check, Rule, no_kwargs


def area_quarter(s: Any) -> dict[str, Any]:
    return {"area": s.panel.force_area.code, "quarter": Quarter.latest_whole(timezone.localdate()).slug}


RULES: dict[str, Rule] = {
    "pack-list": Rule(no_kwargs, (Check("GET", PANEL_MANAGE),)),
    "pack-detail": Rule(area_quarter, (Check("GET", PANEL_MANAGE),)),
    "pack-pdf": Rule(area_quarter, (Check("GET", PANEL_MANAGE),)),
}
