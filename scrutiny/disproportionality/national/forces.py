"""The forces compared and the months they hold records for."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.core.cache import cache
from django.utils import timezone

from common.months import add_months, month_text, parse_month
from panels.forces import BRITISH_TRANSPORT_POLICE, FORCE_BY_ID
from panels.models import Organisation
from scrutiny.disproportionality.national.caching import CACHE_SECONDS, cache_key, data_versions
from scrutiny.disproportionality.national.period import MAX_MONTHS, NationalQuery
from scrutiny.records import selectors as record_selectors


def national_forces() -> list[Organisation]:
    """The 43 territorial forces and British Transport Police (panels/forces.py), with their areas, by name."""
    return list(
        Organisation.objects.filter(kind=Organisation.Kind.FORCE, police_uk_id__in=list(FORCE_BY_ID))
        .select_related("force_area")
        .order_by("name")
    )


def is_territorial(force: Organisation) -> bool:
    """A force with a resident population (British Transport Police has none): in England and Wales's sums and on
    the funnel."""
    return force.force_area is not None and force.police_uk_id != BRITISH_TRANSPORT_POLICE


def data_months(
    forces: Sequence[Organisation], versions: Sequence[str] | None = None
) -> tuple[date | None, date | None]:
    """The first and the latest whole month (before this one, UK time) in which any territorial force holds current
    stop-and-search records: the period chooser's range (`records.selectors.data_months` of the territorial forces),
    cached with the forces' data versions (`versions`: `data_versions(forces)`, when the caller has them).
    """
    territorial = [f for f in forces if is_territorial(f)]
    if not territorial:
        return None, None
    this_month = timezone.localdate().replace(day=1)
    if versions is None:
        versions = data_versions(forces)
    key = cache_key("national-months", [[f.pk for f in forces], list(versions), month_text(this_month)])
    found = cache.get(key)
    if found is None:
        first, latest = record_selectors.data_months(territorial)
        found = [month_text(first) if first else None, month_text(latest) if latest else None]
        cache.set(key, found, CACHE_SECONDS)
    return parse_month(found[0]) if found[0] else None, parse_month(found[1]) if found[1] else None


def latest_period(forces: Sequence[Organisation]) -> NationalQuery | None:
    """The latest 12 whole months with data (ending with the latest month any territorial force holds)."""
    _, latest = data_months(forces)
    if latest is None:
        return None
    return NationalQuery(add_months(latest, -(MAX_MONTHS - 1)), latest)
