from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def percent(value: float | None, places: int = 0) -> str:
    """0.1234 -> "12%" (or "12.3%" with places=1); None -> "–"."""
    if value is None:
        return "–"
    return f"{value * 100:.{int(places)}f}%"
