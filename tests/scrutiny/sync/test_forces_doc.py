"""docs/forces.md, where an unknown force id points people, lists every force with its data.police.uk id."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

from panels.forces import FORCES


def test_the_forces_page_lists_every_force_with_its_id_and_area() -> None:
    text = (Path(settings.BASE_DIR) / "docs" / "forces.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (.+?) \| `([a-z0-9-]+)` \| (.+?) \|$", text, re.MULTILINE)
    assert len(rows) == len(FORCES) == 44
    listed = {police_uk_id: (name, area) for name, police_uk_id, area in rows}
    for force in FORCES:
        name, area = listed[force.police_uk_id]
        assert name == force.name
        assert area == (force.area_code or "none (railways)")
