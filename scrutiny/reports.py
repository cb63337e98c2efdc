"""Reads for findings and escalations: the anonymised public view of findings, the published data.police.uk
fields of the records a finding names, and the OPCC's report of escalations (open, overdue, response times,
outcomes) with its CSV and PDF forms.

Nothing here reads an assessment: a finding and an escalation never carry who scored what.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from panels.models import Panel
from panels.permissions import opcc_force_area_ids
from scrutiny.escalations.models import AWAITING_FORCE
from scrutiny.models import (
    ActionTaken,
    EncounterRecord,
    Escalation,
    EscalationEvent,
    EscalationOutcome,
    EscalationStatus,
    Finding,
    ReviewSession,
    SessionRecord,
)
from scrutiny.permissions import escalations_for_user
from scrutiny.workdays import working_days_between

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


# --- lists ------------------------------------------------------------------------------------------------------


def event_actor(event: EscalationEvent, escalation: Escalation, *, panel_view: bool) -> str:
    """Who took a step, as the reader may see it: a person's name for the panel's own people; for force and OPCC
    staff only the side that acted (the panel, the force), never which panel member (docs/threat-model.md). Never an
    email address: a person who gave no name shows as their side to the panel too."""
    if panel_view and event.actor_label and "@" not in event.actor_label:
        return event.actor_label  # a name, or "system"
    # Staff, and a person with no name (older entries stored their email address): the side that acted.
    if event.step in ("acknowledge", "respond"):
        return escalation.force.name
    if event.step == "reminder":
        return "system"
    return "" if event.step == "close" else escalation.finding.panel.name


def escalation_timeline(escalation: Escalation, *, panel_view: bool) -> list[tuple[EscalationEvent, str]]:
    """The escalation's steps in order, each with `event_actor`'s answer."""
    return [(e, event_actor(e, escalation, panel_view=panel_view)) for e in escalation.events.all()]


def escalation_list(user: Any) -> QuerySet[Escalation]:
    """Every escalation the user may read, ready for a list page."""
    return (
        escalations_for_user(user)
        .select_related("finding", "finding__panel", "force")
        .order_by("status", "due_date", "pk")
    )


def report_escalations(user: Any) -> QuerySet[Escalation]:
    """The escalations of the user's OPCC force areas (all of them for a superuser)."""
    qs = Escalation.objects.select_related("finding", "finding__panel", "finding__panel__force_area", "force")
    if not user.is_superuser:
        qs = qs.filter(finding__panel__force_area_id__in=opcc_force_area_ids(user))
    return qs.order_by("sent_at", "pk")


# --- the OPCC report --------------------------------------------------------------------------------------------


@dataclass
class ReportRow:
    escalation: Escalation
    overdue: bool
    response_days: int | None  # working days from sent to responded
    open: bool


@dataclass
class Report:
    today: date
    rows: list[ReportRow]
    total: int
    open: int
    overdue: int
    awaiting_force: int
    responded: int
    responded_on_time: int
    disputed: int  # ever referred to the OPCC
    median_response_days: float | None
    mean_response_days: float | None
    by_status: list[tuple[str, int]]
    by_action: list[tuple[str, int]]
    by_outcome: list[tuple[str, int]]


def escalation_report(escalations: QuerySet[Escalation] | list[Escalation], *, today: date) -> Report:
    rows = []
    for e in escalations:
        days = (
            working_days_between(timezone.localdate(e.sent_at), timezone.localdate(e.responded_at))
            if (e.responded_at)
            else None
        )
        rows.append(ReportRow(e, e.is_overdue(today), days, e.status != EscalationStatus.CLOSED))
    times = [r.response_days for r in rows if r.response_days is not None]
    on_time = sum(
        1
        for r in rows
        if r.escalation.responded_at is not None
        and timezone.localdate(r.escalation.responded_at) <= r.escalation.due_date
    )
    statuses = Counter(r.escalation.status for r in rows)
    actions = Counter(r.escalation.action_taken for r in rows if r.escalation.action_taken)
    outcomes = Counter(r.escalation.outcome for r in rows if r.escalation.outcome)
    return Report(
        today=today,
        rows=rows,
        total=len(rows),
        open=sum(r.open for r in rows),
        overdue=sum(r.overdue for r in rows),
        awaiting_force=sum(r.escalation.status in AWAITING_FORCE for r in rows),
        responded=len(times),
        responded_on_time=on_time,
        disputed=sum(r.escalation.referred_to_opcc_at is not None for r in rows),
        median_response_days=statistics.median(times) if times else None,
        mean_response_days=round(statistics.fmean(times), 1) if times else None,
        by_status=[(label, statuses[value]) for value, label in EscalationStatus.choices],
        by_action=[(label, actions[value]) for value, label in ActionTaken.choices],
        by_outcome=[(label, outcomes[value]) for value, label in EscalationOutcome.choices],
    )


CSV_HEADER = (
    "escalation",
    "panel",
    "force",
    "finding",
    "category",
    "rag",
    "status",
    "sent",
    "due",
    "overdue",
    "acknowledged",
    "responded",
    "response_working_days",
    "action_taken",
    "referred_to_opcc",
    "closed",
    "outcome",
)


def _day(value: Any) -> str:
    return timezone.localdate(value).isoformat() if value else ""


def _cell(value: Any) -> Any:
    # A title typed by a panel member that starts with =, +, - or @ would be run as a formula by a spreadsheet.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def report_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for r in report.rows:
        e = r.escalation
        row = [
            e.pk,
            e.finding.panel.name,
            e.force.name,
            e.finding.title,
            e.finding.get_category_display(),
            e.finding.get_rag_display(),
            e.get_status_display(),
            _day(e.sent_at),
            e.due_date.isoformat(),
            "yes" if r.overdue else "no",
            _day(e.acknowledged_at),
            _day(e.responded_at),
            "" if r.response_days is None else r.response_days,
            e.get_action_taken_display() if e.action_taken else "",
            _day(e.referred_to_opcc_at),
            _day(e.closed_at),
            e.get_outcome_display() if e.outcome else "",
        ]
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def _latin1(text: str) -> str:
    # fpdf2's core fonts are Latin-1: typographic quotes and dashes are swapped, anything else replaced.
    swaps = {"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "…": "..."}
    return "".join(swaps.get(c, c) for c in text).encode("latin-1", "replace").decode("latin-1")


def report_pdf(report: Report, *, title: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(orientation="L", format="A4")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, _latin1(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(0, 6, f"As at {report.today:%d %B %Y}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    figures = [
        ("Escalations", report.total),
        ("Open", report.open),
        ("Overdue (past due date, waiting on the force)", report.overdue),
        ("Responded", report.responded),
        ("Responded by the due date", report.responded_on_time),
        ("Referred to the OPCC (disputed)", report.disputed),
        (
            "Median response time (working days)",
            "-" if report.median_response_days is None else report.median_response_days,
        ),
        ("Mean response time (working days)", "-" if report.mean_response_days is None else report.mean_response_days),
    ]
    for label, value in figures:
        pdf.cell(110, 6, _latin1(label))
        pdf.cell(30, 6, str(value), new_x="LMARGIN", new_y="NEXT")
    for heading, counts in (("Action taken", report.by_action), ("Outcomes", report.by_outcome)):
        pdf.ln(2)
        pdf.set_font("Helvetica", "B", 11)
        pdf.cell(0, 7, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 10)
        for label, n in counts:
            pdf.cell(110, 6, _latin1(label))
            pdf.cell(30, 6, str(n), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 7, "Escalations", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 8)
    widths = (12, 50, 60, 16, 34, 22, 22, 22, 16, 20)
    head = ("No.", "Panel", "Finding", "RAG", "Status", "Sent", "Due", "Responded", "Days", "Overdue")
    pdf.set_font("Helvetica", "B", 8)
    for w, h in zip(widths, head, strict=True):
        pdf.cell(w, 6, h, border=1)
    pdf.ln()
    pdf.set_font("Helvetica", "", 8)
    for r in report.rows:
        e = r.escalation
        cells = (
            str(e.pk),
            e.finding.panel.name[:32],
            e.finding.title[:40],
            e.finding.get_rag_display(),
            e.get_status_display()[:24],
            _day(e.sent_at),
            e.due_date.isoformat(),
            _day(e.responded_at),
            "" if r.response_days is None else str(r.response_days),
            "yes" if r.overdue else "no",
        )
        for w, c in zip(widths, cells, strict=True):
            pdf.cell(w, 6, _latin1(c), border=1)
        pdf.ln()
    return bytes(pdf.output())
