"""The forces compared and the months they hold records for."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.core.cache import cache
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from common.months import month_text, parse_month
from panels.forces import BRITISH_TRANSPORT_POLICE, FORCE_BY_ID
from panels.models import Organisation
from scrutiny import choices
from scrutiny.disproportionality.national.caching import CACHE_SECONDS, cache_key, data_versions
from scrutiny.disproportionality.national.period import MAX_MONTHS, NationalQuery, as_date, months_back
from scrutiny.records.models import EncounterRecord


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
    stop-and-search records: the period chooser's range. One query, cached with the forces' data versions
    (`versions`: `data_versions(forces)`, when the caller has them).

    Each force's first and latest month come from a subquery ordered by month with a limit of one, which the records'
    (force, month) index answers without reading the force's other records, whatever their number.
    """
    territorial = [f.pk for f in forces if is_territorial(f)]
    if not territorial:
        return None, None
    this_month = timezone.localdate().replace(day=1)
    if versions is None:
        versions = data_versions(forces)
    key = cache_key("national-months", [[f.pk for f in forces], list(versions), month_text(this_month)])
    found = cache.get(key)
    if found is None:
        records = EncounterRecord.objects.current().filter(
            force=OuterRef("pk"), kind=choices.Kind.STOP_SEARCH, month__lt=this_month
        )
        rows = (
            Organisation.objects.filter(pk__in=territorial)
            .annotate(
                first=Subquery(records.order_by("month").values("month")[:1]),
                latest=Subquery(records.order_by("-month").values("month")[:1]),
            )
            .values_list("first", "latest")
        )
        firsts = [as_date(a) for a, _ in rows]
        latests = [as_date(b) for _, b in rows]
        first = min((d for d in firsts if d is not None), default=None)
        latest = max((d for d in latests if d is not None), default=None)
        found = [month_text(first) if first else None, month_text(latest) if latest else None]
        cache.set(key, found, CACHE_SECONDS)
    return parse_month(found[0]) if found[0] else None, parse_month(found[1]) if found[1] else None


def latest_period(forces: Sequence[Organisation]) -> NationalQuery | None:
    """The latest 12 whole months with data (ending with the latest month any territorial force holds)."""
    _, latest = data_months(forces)
    if latest is None:
        return None
    return NationalQuery(months_back(latest, MAX_MONTHS - 1), latest)
