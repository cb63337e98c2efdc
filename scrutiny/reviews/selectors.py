"""Reads of review work: the population a sample is drawn from, scores as each reader may see them, presence, the
agreement and summary of a session, and the panel's published findings and minutes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from panels.models import ForceArea, Membership, Organisation, Panel
from scrutiny.choices import EthnicGroup
from scrutiny.records.models import EncounterRecord, EncounterRecordQuerySet
from scrutiny.records.selectors import published_fields
from scrutiny.reviews.models import Assessment, Finding, GroundsRating, ReviewSession, SessionPresence, SessionRecord
from scrutiny.reviews.sampling import Candidate, SampleSpec, compare, is_cannabis_smell_only
from scrutiny.stats import Kappa, Share, fleiss_kappa, shares_by

PRESENCE_STALE_AFTER = timedelta(seconds=90)  # the live page sends a heartbeat every 30 s


def records_for_panel(panel: Panel) -> EncounterRecordQuerySet:
    """The records a panel's sessions may draw on: those of the forces in the panel's force area."""
    return EncounterRecord.objects.filter(force__kind=Organisation.Kind.FORCE, force__force_area_id=panel.force_area_id)


def sample_population(*, panel: Panel, spec: SampleSpec) -> QuerySet[EncounterRecord]:
    """The records a specification's filters select (before drawing). Records waiting for a redaction check are
    never drawn: members may not see them yet."""
    records = (
        records_for_panel(panel).current().filter(kind=spec.kind).exclude(pii_flagged=True, redaction_checked_at=None)
    )
    if spec.month_from:
        records = records.filter(month__gte=spec.month_from)
    if spec.month_to:
        records = records.filter(month__lte=spec.month_to)
    for name in ("legislation", "outcome", "object_of_search", "age_range"):
        values = getattr(spec, name)
        if values:
            records = records.filter(**{f"{name}__in": values})
    if spec.ethnic_group:
        groups = list(spec.ethnic_group)
        if EthnicGroup.NOT_STATED in groups:
            groups.append("")
        records = records.filter(ethnic_group__in=groups)
    if spec.bwv_missing:
        records = records.filter(body_worn_video=False)
    if spec.grounds_flagged:
        records = records.filter(pii_flagged=True)
    if spec.cannabis_smell_only:
        records = records.exclude(grounds_text="")
    return records


def sample_candidates(*, panel: Panel, spec: SampleSpec) -> list[Candidate]:
    """The population as plain data for `sampling.draw` (the cannabis test runs on the grounds text here)."""
    rows = sample_population(panel=panel, spec=spec).order_by("pk")
    if spec.cannabis_smell_only:
        return [
            Candidate(pk, group)
            for pk, group, grounds in rows.values_list("pk", "ethnic_group", "grounds_text")
            if is_cannabis_smell_only(grounds)
        ]
    return [Candidate(pk, group) for pk, group in rows.values_list("pk", "ethnic_group")]


def scored_count(item: SessionRecord) -> tuple[int, int]:
    """(submitted scores on the item, people on the panel who score): counts only, never whose."""
    scored = Assessment.objects.filter(item=item, status=Assessment.Status.SUBMITTED).count()
    scorers = (
        Membership.objects.active()
        .filter(panel_id=item.session.panel_id, role__in=[Membership.Role.MEMBER, Membership.Role.CHAIR])
        .count()
    )
    return scored, scorers


def spread(item: SessionRecord) -> dict[str, Any]:
    """After the reveal: how the submitted scores fell, by grounds rating and by grade (no names)."""
    grounds = dict.fromkeys(GroundsRating.values, 0)
    grades = {str(n): 0 for n in range(1, 10)}
    submitted = Assessment.objects.filter(item=item, status=Assessment.Status.SUBMITTED)
    for rating, grade in submitted.values_list("grounds", "grade"):
        if rating in grounds:
            grounds[rating] += 1
        if grade:
            grades[str(grade)] += 1
    return {"grounds": grounds, "grades": grades, "scored": sum(grounds.values())}


def assessments_visible_to(user: Any, item: SessionRecord) -> QuerySet[Assessment]:
    """The assessments of the item the user may read: their own always; everyone's submitted ones once the chair
    has revealed the record. The one place that decides, for pages, API and socket alike."""
    own = Assessment.objects.filter(item=item, member=user)
    if not item.is_revealed:
        return own
    return (
        Assessment.objects.filter(item=item)
        .filter(Q(member=user) | Q(status=Assessment.Status.SUBMITTED))
        .select_related("member")
    )


def present_members(session: ReviewSession, *, now: datetime | None = None) -> list[str]:
    """Names of those on the live page now (a fresh heartbeat), each once, sorted. Someone who has not given a
    name shows as "A panel member", never as their email address: members do not see each other's addresses."""
    cutoff = (now or timezone.now()) - PRESENCE_STALE_AFTER
    rows = SessionPresence.objects.filter(session=session, last_seen__gte=cutoff).select_related("user")
    people = {p.user_id: p.user.name or "A panel member" for p in rows}
    return sorted(people.values())


def session_kappa(session: ReviewSession) -> Kappa:
    """Fleiss' kappa on the grounds rating over the submitted scores of the session's revealed records.

    Records not yet revealed are left out: agreement over them would hint at how the others scored."""
    categories = GroundsRating.values
    counts: dict[int, list[int]] = {}
    rows = Assessment.objects.filter(
        item__session=session, item__revealed_at__isnull=False, status=Assessment.Status.SUBMITTED
    ).values_list("item_id", "grounds")
    for item_id, rating in rows:
        counts.setdefault(item_id, [0] * len(categories))[categories.index(rating)] += 1
    return fleiss_kappa(list(counts.values()))


def session_summary(session: ReviewSession) -> dict[str, list[Share]]:
    """Share of revealed records judged not reasonable (the panel's agreed view; the members' majority where none
    was agreed) by ethnic group, outcome and legislation. Shares over fewer than 10 records are marked small.
    Records not yet revealed are left out, so the summary cannot hint at scores still blind."""
    return sessions_summary([session])


def sessions_summary(sessions: Sequence[ReviewSession]) -> dict[str, list[Share]]:
    """`session_summary` over the records of several sessions together, in two queries whatever their number."""
    items = list(
        SessionRecord.objects.filter(session__in=sessions, revealed_at__isnull=False)
        .select_related("record")
        .prefetch_related("assessments")
    )
    judged: list[tuple[EncounterRecord, bool]] = []
    for item in items:
        if item.agreed_grounds:
            verdict = item.agreed_grounds == GroundsRating.NOT_REASONABLE
        else:
            ratings = [a.grounds for a in item.assessments.all() if a.status == Assessment.Status.SUBMITTED]
            if not ratings:
                continue
            verdict = ratings.count(GroundsRating.NOT_REASONABLE) * 2 > len(ratings)
        judged.append((item.record, verdict))
    return {
        "ethnic_group": shares_by(
            ((r.ethnic_group or EthnicGroup.NOT_STATED, v) for r, v in judged), EthnicGroup.values
        ),
        "outcome": shares_by((r.outcome or "not_recorded", v) for r, v in judged),
        "legislation": shares_by((r.legislation or "not_recorded", v) for r, v in judged),
    }


def sessions_held(area: ForceArea, first_day: date, last_day: date) -> list[ReviewSession]:
    """The sessions of the area's panels dated from `first_day` to `last_day`, by date, with their panels."""
    return list(
        ReviewSession.objects.filter(panel__force_area=area, date__gte=first_day, date__lte=last_day)
        .select_related("panel")
        .order_by("date", "pk")
    )


def sessions_records(sessions: Sequence[ReviewSession]) -> tuple[int, int]:
    """(records sampled, records revealed) over the sessions: one query."""
    counts = SessionRecord.objects.filter(session__in=sessions).aggregate(
        sampled=Count("pk"), revealed=Count("pk", filter=Q(revealed_at__isnull=False))
    )
    return counts["sampled"] or 0, counts["revealed"] or 0


def findings_by_rag(area: ForceArea, start: datetime, end: datetime) -> dict[str, int]:
    """How many findings the area's panels made from `start` to before `end`, by RAG rating (those made)."""
    rows = (
        Finding.objects.filter(panel__force_area=area, created_at__gte=start, created_at__lt=end)
        .values("rag")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["rag"]: row["n"] for row in rows}


def sample_comparison(session: ReviewSession, items: list[SessionRecord]) -> list[dict[str, Any]]:
    """How the session's drawn sample compares with the population it was drawn from, by five-group ethnicity.
    Hand-picked records are left out of the sample side: they were not drawn. One query, whatever the size."""
    spec = SampleSpec.from_json(session.sample_spec)
    population: dict[str, int] = dict.fromkeys(EthnicGroup.values, 0)
    if spec.cannabis_smell_only:
        for c in sample_candidates(panel=session.panel, spec=spec):
            population[c.ethnic_group or EthnicGroup.NOT_STATED] += 1
    else:
        rows = sample_population(panel=session.panel, spec=spec).values("ethnic_group").annotate(n=Count("pk"))
        for row in rows.order_by():
            population[row["ethnic_group"] or EthnicGroup.NOT_STATED] += row["n"]
    sample: dict[str, int] = dict.fromkeys(EthnicGroup.values, 0)
    for item in items:
        if not item.hand_picked:
            sample[item.record.ethnic_group or EthnicGroup.NOT_STATED] += 1
    labels = dict(EthnicGroup.choices)
    return [{**row, "label": labels.get(row["key"], row["key"])} for row in compare(population, sample)]


def scored_counts(session: ReviewSession) -> dict[int, int]:
    """Submitted scores per item of the session (item id -> count): counts only, never whose."""
    rows = (
        Assessment.objects.filter(item__session=session, status=Assessment.Status.SUBMITTED)
        .values("item_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["item_id"]: row["n"] for row in rows}


def own_assessments(user: Any, session: ReviewSession) -> dict[int, Assessment]:
    """The user's own assessments in the session, by item id."""
    if not user.is_authenticated:
        return {}
    return {a.item_id: a for a in Assessment.objects.filter(item__session=session, member=user)}


# --- findings and minutes ---------------------------------------------------------------------------------------


def finding_records(finding: Finding) -> list[list[tuple[str, str]]]:
    items = finding.items.select_related("record").order_by("session_id", "position")
    return [published_fields(item.record) for item in items]


@dataclass
class PublicFinding:
    finding: Finding
    records: list[list[tuple[str, str]]] = field(default_factory=list)


def public_findings(panel: Panel) -> list[PublicFinding]:
    """The panel's published findings, newest first, each with the published fields of the records it names."""
    findings = (
        Finding.objects.filter(panel=panel, published_at__isnull=False)
        .order_by("-published_at", "-pk")
        .prefetch_related(
            Prefetch("items", queryset=SessionRecord.objects.select_related("record").order_by("position"))
        )
    )
    return [PublicFinding(f, [published_fields(i.record) for i in f.items.all()]) for f in findings]


def public_session_minutes(panel: Panel) -> QuerySet[ReviewSession]:
    return ReviewSession.objects.filter(panel=panel, minutes_published_at__isnull=False).order_by("-date", "-pk")
