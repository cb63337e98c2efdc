"""Filters for the reporting and public area pages (docs/reporting.md): numbers rounded for reading (the CSVs keep
them exact), intervals, a chart table's cells, and whether to link the reporting page."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import template
from django.db.models import Q

from panels.models import Organisation, StaffRole
from scrutiny.disproportionality.access import REPORT_PANEL_ROLES

register = template.Library()

DASH = "–"


@register.filter
def num(value: float | int | None, places: int = 1) -> str:
    """12.345 -> "12.3"; whole numbers with thousands separators; None -> "–"."""
    if value is None:
        return DASH
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return f"{value:,.{int(places)}f}"


@register.filter
def pct(value: float | None, places: int = 0) -> str:
    """0.1234 -> "12%"; None -> "–"."""
    if value is None:
        return DASH
    return f"{100 * value:.{int(places)}f}%"


@register.filter
def interval(value: Sequence[float] | None, places: int = 2) -> str:
    """[1.234, 5.678] -> "1.23 to 5.68"; None -> "–"."""
    if not value or value[0] is None or value[1] is None:
        return DASH
    return f"{value[0]:,.{int(places)}f} to {value[1]:,.{int(places)}f}"


@register.filter
def pct_interval(value: Sequence[float] | None) -> str:
    if not value or value[0] is None or value[1] is None:
        return DASH
    return f"{100 * value[0]:.0f}% to {100 * value[1]:.0f}%"


@register.filter
def cell(value: Any) -> str:
    """A chart table's cell: floats to 3 significant decimals at most, None as a dash."""
    if value is None:
        return DASH
    if isinstance(value, float):
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        text = f"{value:,.3f}".rstrip("0")
        return text + "0" if text.endswith(".") else text
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


@register.filter
def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@register.simple_tag
def reads_reports(dashboard: Any, user: Any) -> bool:
    """Whether to link the reporting page on the dashboard: the rule of scrutiny/reporting_access.py, worked from
    the active memberships and staff roles the dashboard has already loaded, so that it costs one query (none for
    someone with no reporting role). The page itself checks again."""
    if getattr(user, "is_superuser", False):
        return True
    areas = {m.panel.force_area_id for m in dashboard.memberships if m.role in REPORT_PANEL_ROLES}
    forces = set()
    for r in dashboard.staff_roles:
        if r.role == StaffRole.Role.OPCC_OFFICER and r.organisation.kind == Organisation.Kind.OPCC:
            areas.add(r.organisation.force_area_id)
        elif r.role == StaffRole.Role.FORCE_LIAISON and r.organisation.kind == Organisation.Kind.FORCE:
            forces.add(r.organisation_id)
    if not areas and not forces:
        return False
    return (
        Organisation.objects.filter(kind=Organisation.Kind.FORCE)
        .filter(Q(force_area_id__in=areas) | Q(pk__in=forces))
        .exists()
    )


@register.filter
def get(mapping: Any, key: str) -> Any:
    return mapping.get(key) if mapping is not None else None


@register.filter
def area_url(area: Any) -> str:
    """The public transparency page of a force area."""
    from frontend.views.public_area import area_url as url_of

    return url_of(area)


@register.filter
def panel_areas(panels: Any) -> list[Any]:
    """The force areas of some panels, each once, by name."""
    areas = {p.force_area.pk: p.force_area for p in panels}
    return sorted(areas.values(), key=lambda a: a.name)
