"""The OPCC's report of escalations: open, overdue, response times in working days, outcomes; with its CSV and
PDF forms."""

from __future__ import annotations

import csv
import io
import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from scrutiny.escalations.models import AWAITING_FORCE, ActionTaken, Escalation, EscalationOutcome, EscalationStatus
from scrutiny.escalations.workdays import working_days_between

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
    """The report as an A4 landscape PDF: the figures, the counts by action and outcome, then a row an escalation."""
    from fpdf import FPDF

    pdf = FPDF(orientation="L", format="A4")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, _latin1(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(0, 6, f"As at {report.today:%d %B %Y}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    _pdf_figures(pdf, report)
    _pdf_rows(pdf, report)
    return bytes(pdf.output())


def _pdf_figures(pdf: Any, report: Report) -> None:
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


def _pdf_rows(pdf: Any, report: Report) -> None:
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 7, "Escalations", new_x="LMARGIN", new_y="NEXT")
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
