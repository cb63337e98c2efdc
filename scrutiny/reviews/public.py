"""What the public and the force see of a panel's findings: the anonymised public view of findings and
published session minutes, and the published data.police.uk fields of the records a finding names. Nothing here
reads an assessment: a finding never carries who scored what."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from panels.models import Panel
from scrutiny.records.models import EncounterRecord
from scrutiny.reviews.models import Finding, ReviewSession, SessionRecord

# The fields data.police.uk publishes for a stop and search, and nothing else (no grounds text, no pseudonyms,
# no agreed view, no scores): what an escalation or a public page may show of a record a finding names.
PUBLISHED_RECORD_FIELDS: tuple[tuple[str, str], ...] = (
    ("kind", "Type of record"),
    ("search_type", "Type of search"),
    ("legislation", "Legislation"),
    ("object_of_search", "Object of search"),
    ("outcome", "Outcome"),
    ("outcome_linked_to_object", "Outcome linked to object of search"),
    ("removal_of_more_than_outer_clothing", "Removal of more than outer clothing"),
    ("gender", "Gender"),
    ("age_range", "Age range"),
    ("self_defined_ethnicity", "Self-defined ethnicity"),
    ("officer_defined_ethnicity", "Officer-defined ethnicity"),
)


def published_fields(record: EncounterRecord) -> list[tuple[str, str]]:
    """(label, value) of a record's published data.police.uk fields, its date first; blanks left out."""
    rows = [("Date", f"{timezone.localtime(record.occurred_at):%d %B %Y}")]
    for name, label in PUBLISHED_RECORD_FIELDS:
        value = getattr(record, name)
        if value is None or value == "":
            continue
        if isinstance(value, bool):
            shown = "Yes" if value else "No"
        else:
            display = getattr(record, f"get_{name}_display", None)
            shown = str(display()) if display else str(value)
        rows.append((label, shown))
    return rows


def finding_records(finding: Finding) -> list[list[tuple[str, str]]]:
    items = finding.items.select_related("record").order_by("session_id", "position")
    return [published_fields(item.record) for item in items]


# --- public page ------------------------------------------------------------------------------------------------


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
