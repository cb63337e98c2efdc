"""Reads of responses with a caller outside surveys: the consultations of a force area over a period, with their
response counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Q

from panels.models import ForceArea
from surveys.building.models import Survey
from surveys.responding.models import Response


@dataclass(frozen=True)
class SurveyResponses:
    survey: Survey
    in_period: int  # responses submitted in the period
    total: int  # responses ever


def consultations_in_period(
    area: ForceArea, *, first_day: date, last_day: date, start: datetime, end: datetime, today: date
) -> list[SurveyResponses]:
    """The surveys of the area's panels that were open or closed in a period (`first_day` to `last_day`; `start`
    to before `end` as times): those that took responses in it, those whose closing date fell in it, and, when
    `today` is in it, those open now; drafts never. By panel and title. Two queries."""
    in_period = {
        row["survey"]: row["n"]
        for row in Response.objects.filter(
            survey__panel__force_area=area, submitted_on__gte=first_day, submitted_on__lte=last_day
        )
        .values("survey")
        .annotate(n=Count("pk"))
        .order_by()
    }
    in_it = Q(pk__in=list(in_period)) | Q(closes_at__gte=start, closes_at__lt=end)
    if first_day <= today <= last_day:
        in_it |= Q(status=Survey.Status.OPEN)
    surveys = (
        Survey.objects.filter(panel__force_area=area)
        .exclude(status=Survey.Status.DRAFT)
        .filter(in_it)
        .select_related("panel")
        .annotate(total=Count("responses"))
        .order_by("panel__name", "title", "pk")
    )
    return [SurveyResponses(s, in_period.get(s.pk, 0), s.total) for s in surveys]
