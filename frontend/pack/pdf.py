"""The quarterly pack as a PDF (fpdf2, as the OPCC's escalation report in scrutiny/reports.py): A4 portrait, a
heading and bookmark per section, each chart as a PNG with its text alternative as the caption and its table of the
same numbers under it, page numbers in the footer, and the methods page last."""

from __future__ import annotations

import io
from collections.abc import Sequence

from fpdf import FPDF

from frontend.pack.assemble import Figure, Pack, PackChart, count_text, table_rows
from scrutiny.disproportionality import national

# Charts are drawn at 1200 x 675 pixels (the charts' 16:9) and printed 180 mm wide: about 170 dots an inch.
IMAGE_SIZE = (1200, 675)
CONTENT_WIDTH = 180  # mm: A4's 210 less 15 mm margins
INK = (11, 12, 12)
GREY = (80, 90, 95)
METHODS_HEADING = "Methods and denominators"


def latin1(text: str) -> str:
    """fpdf2's core fonts are Latin-1: typographic quotes and dashes are swapped, anything else replaced."""
    swaps = {"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "…": "...", "×": "x", "≥": ">="}
    return "".join(swaps.get(c, c) for c in text).encode("latin-1", "replace").decode("latin-1")


class PackPDF(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.pack_title = latin1(title)
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(auto=True, margin=18)
        self.set_title(self.pack_title)
        self.set_lang("en-GB")
        self.set_creator("Community scrutiny platform")
        self.set_text_color(*INK)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", "", 8)
        self.set_text_color(*GREY)
        self.cell(0, 5, self.pack_title[:95], align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(*INK)

    def heading(self, text: str, *, level: int = 0) -> None:
        size = {0: 16, 1: 13, 2: 11}[level]
        # Charts (1) and subsections (2) are both one level down in the bookmarks.
        self.start_section(latin1(text), level=min(level, 1))
        self.set_font("Helvetica", "B", size)
        self.multi_cell(0, size * 0.5, latin1(text), align="L", new_x="LMARGIN", new_y="NEXT")
        self.ln(1.5)

    def para(self, text: str, *, size: int = 10, style: str = "", colour: tuple[int, int, int] = INK) -> None:
        self.set_font("Helvetica", style, size)
        self.set_text_color(*colour)
        self.multi_cell(0, size * 0.5, latin1(text), align="L", new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(*INK)
        self.ln(1.5)

    def grid(
        self,
        header: Sequence[str] | None,
        rows: Sequence[Sequence[str]],
        *,
        widths: Sequence[float] | None = None,
        size: int = 8,
    ) -> None:
        """A table; `header` None for a two-column list of labelled figures."""
        if not rows:
            return
        self.set_font("Helvetica", "", size)
        with self.table(
            col_widths=tuple(widths) if widths else None,
            width=CONTENT_WIDTH if widths is None else sum(widths),
            align="LEFT",
            first_row_as_headings=header is not None,
            line_height=size * 0.55,
            text_align="LEFT",
        ) as table:
            for row in ([list(header)] if header is not None else []) + [list(r) for r in rows]:
                line = table.row()
                for value in row:
                    line.cell(latin1(str(value)))
        self.ln(3)

    def figures(self, figures: Sequence[Figure] | Sequence[tuple[str, str]]) -> None:
        rows = [[f.label, f.shown] if isinstance(f, Figure) else [f[0], f[1]] for f in figures]
        self.grid(None, rows, widths=(125, 55), size=9)

    def chart(self, item: PackChart) -> None:
        """The chart on a page of its own: heading, image, caption (its text alternative), table, source."""
        chart = item.chart
        self.add_page()
        self.heading(chart.title, level=1)
        png = chart.image("png", IMAGE_SIZE)
        height = CONTENT_WIDTH * IMAGE_SIZE[1] / IMAGE_SIZE[0]
        self.image(io.BytesIO(png), x=self.l_margin, w=CONTENT_WIDTH, h=height, alt_text=latin1(chart.alt_text))
        self.ln(2)
        self.para(chart.alt_text, size=8, style="I", colour=GREY)
        self.grid(chart.table.header, table_rows(chart))
        self.para(f"Numbers from {item.source}.", size=7, colour=GREY)


def pack_pdf(pack: Pack) -> bytes:
    pdf = PackPDF(pack.title)
    pdf.add_page()
    _cover(pdf, pack)
    _disproportionality(pdf, pack)
    _reviews(pdf, pack)
    _escalations(pdf, pack)
    _consultation(pdf, pack)
    _trust(pdf, pack)
    _methods(pdf, pack)
    return bytes(pdf.output())


def _cover(pdf: PackPDF, pack: Pack) -> None:
    pdf.heading(pack.title)
    pdf.para(f"{pack.quarter.label} ({pack.quarter.slug})", size=13, style="B")
    made = f"Made on {pack.made_on:%d %B %Y}."
    if pack.partial:
        made += " The quarter has not ended: the pack covers it to date."
    pdf.para(made)
    pdf.para(
        "Prepared for a public meeting: counts of fewer than 10 people are not shown, and rates from fewer than "
        "20 searches are marked unstable (*). The last page gives the methods, denominators and sources."
    )
    pdf.para("Contents", style="B")
    for line in (
        "1. Disproportionality in stop and search",
        "2. What panels reviewed and found",
        "3. Escalations and the force's responses",
        "4. Youth consultation and recommendations",
        "5. Trust and confidence",
        f"6. {METHODS_HEADING}",
    ):
        pdf.para(line)


def _disproportionality(pdf: PackPDF, pack: Pack) -> None:
    section = pack.disproportionality
    pdf.add_page()
    pdf.heading("1. Disproportionality in stop and search")
    if section.report is None:
        pdf.para("No police force with records is registered for this area, so there is nothing to report.")
        return
    pdf.para(f"Forces: {', '.join(f.name for f in section.forces)}. Self-defined ethnicity, {pack.quarter.label}.")
    pdf.figures(section.figures)
    for item in section.charts:
        pdf.chart(item)
    for comparison in section.comparisons:
        _comparison(pdf, comparison, section.comparison_period)
    for item in section.comparison_charts:
        pdf.chart(item)


def _comparison(pdf: PackPDF, c: national.ForceComparison, period: str) -> None:
    pdf.add_page()
    pdf.heading(f"How {c.force.name} compares with other forces", level=1)
    held = f" ({c.months_covered} of {c.months} months held)" if c.months_covered < c.months else ""
    pdf.para(
        f"Over {period}{held}: each ratio beside the England and Wales ratio, where the force sits on the funnel "
        "plot of every force (which allows for each force's size), and its rank among the forces with the range "
        "chance allows. A quarter is too short to rank forces, so this covers the 12 months to the quarter's end."
    )
    rows = []
    for g in c.groups:
        if g.shown:
            interval = f" ({g.interval[0]:.2f} to {g.interval[1]:.2f})" if g.interval else ""
            reference = f"{g.reference_ratio:.2f}" if g.reference_ratio is not None else "-"
            rows.append([f"{g.group} people", f"{g.ratio:.2f}{interval}", reference, g.position_label, g.rank_text])
        else:
            rows.append([f"{g.group} people", "not compared: too few searches to show", "", "", ""])
    pdf.grid(
        ("Group", "Ratio vs White (95% interval)", "England and Wales", "On the funnel", "Rank"),
        rows,
        widths=(22, 34, 22, 52, 50),
    )


def _reviews(pdf: PackPDF, pack: Pack) -> None:
    r = pack.reviews
    pdf.add_page()
    pdf.heading("2. What panels reviewed and found")
    pdf.figures(
        [
            ("Review sessions held", f"{len(r.sessions):,}"),
            ("Records in the sessions' samples", f"{r.records_sampled:,}"),
            ("Records reviewed (revealed to the panel)", f"{r.records_reviewed:,}"),
            ("Findings made", f"{r.findings:,}"),
            *((f"Findings rated {label}", f"{n:,}") for label, n in r.findings_by_rag),
        ]
    )
    pdf.heading("Grounds judged not reasonable, by ethnic group", level=2)
    pdf.grid(
        ("Group", "Records judged", "Not reasonable", "Share", "Note"),
        [
            [
                g.group,
                f"{g.judged:,}",
                f"{g.not_reasonable:,}",
                "-" if g.share is None else f"{100 * g.share:.0f}%",
                "fewer than 10 records: read with care" if g.small and g.judged else "",
            ]
            for g in r.grounds
        ],
        widths=(30, 30, 30, 25, 65),
    )
    if r.sessions:
        pdf.para("Sessions: " + "; ".join(f"{s.panel.name}, {s.date:%d %B %Y}" for s in r.sessions), size=8)


def _escalations(pdf: PackPDF, pack: Pack) -> None:
    e = pack.escalations
    report = e.report
    pdf.heading("3. Escalations and the force's responses")
    median = "-" if report.median_response_days is None else f"{report.median_response_days} working days"
    pdf.figures(
        [
            ("Escalations sent in the quarter", f"{report.total:,}"),
            (f"Of those, open on {pack.made_on:%d %B %Y}", f"{report.open:,}"),
            ("Of those, overdue (past due, waiting on the force)", f"{report.overdue:,}"),
            ("Of those, answered by the force", f"{report.responded:,} ({report.responded_on_time:,} on time)"),
            ("Median response time", median),
            ("Sent before the quarter and still open", f"{e.open_from_before:,}"),
        ]
    )
    pdf.grid(
        ("Outcome", "Escalations"),
        [[label, f"{n:,}"] for label, n in report.by_outcome],
        widths=(125, 55),
    )


def _consultation(pdf: PackPDF, pack: Pack) -> None:
    c = pack.consultation
    pdf.add_page()
    pdf.heading("4. Youth consultation and recommendations")
    if not c.consultations:
        pdf.para("No consultation took responses in the quarter.")
    for line in c.consultations:
        pdf.heading(f"{line.survey.title} ({line.survey.panel.name})", level=2)
        pdf.figures(
            [
                Figure("Responses in the quarter", line.responses_in_quarter, "fewer than 10"),
                Figure("Responses in all", line.responses_total, "fewer than 10"),
                *(Figure(f"Theme: {t.name}", t.count, "fewer than 10 mentions") for t in line.themes),
            ]
        )
        if line.quote:
            pdf.para(f"\u201c{line.quote}\u201d", style="I")
    pdf.heading("Recommendations to the PCC", level=2)
    pdf.figures(
        [
            ("Awaiting the PCC's response", f"{c.awaiting:,}"),
            *((f"Responded: {label}", f"{n:,}") for label, n in c.by_decision),
            ("Overdue against the date promised", f"{c.overdue:,}"),
        ]
    )
    pdf.grid(
        ("Recommendation", "Panel", "Status", "Due by", "Overdue"),
        [
            [
                r.recommendation.title,
                r.recommendation.panel.name,
                r.recommendation.get_decision_display() or r.recommendation.get_status_display(),
                f"{r.recommendation.due_by:%d %b %Y}" if r.recommendation.due_by else "-",
                "yes" if r.overdue else "no",
            ]
            for r in c.recommendations
        ],
        widths=(60, 45, 35, 22, 18),
    )


def _trust(pdf: PackPDF, pack: Pack) -> None:
    pdf.add_page()
    pdf.heading("5. Trust and confidence")
    if not pack.trust:
        pdf.para("No panel in the area has asked the trust questions yet.")
        return
    for panel in pack.trust:
        waves = ", ".join(f"{w.label}: {count_text(w.responses)} answering" for w in panel.report.waves)
        pdf.para(f"{panel.panel.name}. Survey waves: {waves}.")
    for panel in pack.trust:
        for item in panel.charts:
            pdf.chart(item)


def _methods(pdf: PackPDF, pack: Pack) -> None:
    pdf.add_page()
    pdf.heading(f"6. {METHODS_HEADING}")
    for heading, paragraphs in pack.methods:
        pdf.heading(heading, level=2)
        for text in paragraphs:
            pdf.para(text, size=9)
