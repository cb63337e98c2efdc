"""The PCC's quarterly pack for a force area: gathered from the apps (docs/pack.md says where each number comes from).

It composes scrutiny (disproportionality, reviews, findings, escalations) and surveys (consultations, themes,
recommendations, trust), so it lives in `frontend`, like `loaddemo`. Nothing here checks who is asking: the views do
(frontend/pack/access.py).

Small numbers: the pack often goes to a public board meeting, so it is suppressed by default: counts of people under
10 (searches, survey responses, theme mentions, trust bases) are not shown, as on the public pages. Counts of the
panels' own work (sessions, records reviewed, findings, escalations, recommendations) are shown in full.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from frontend.charts import (
    Chart,
    find_rate_chart,
    rates_chart,
    ratio_chart,
    trend_chart,
    trust_group_chart,
    trust_time_chart,
)
from frontend.charts.funnel import chart_from_report
from frontend.charts.sources import (
    find_rates_from_report,
    rates_from_report,
    ratios_from_report,
    trend_from_months,
    trust_by_group,
    trust_measures_over_time,
)
from frontend.pack.quarter import Quarter
from panels.census import population_by_five_group
from panels.models import ForceArea, Organisation, Panel
from panels.selectors import panels_of_area
from scrutiny import stats as st
from scrutiny.choices import EthnicGroup
from scrutiny.disproportionality import national
from scrutiny.disproportionality import report as reporting
from scrutiny.escalations.report import Report, escalation_report
from scrutiny.escalations.selectors import escalations_open_from_before, escalations_sent
from scrutiny.models import Finding, ReviewSession
from scrutiny.reviews.selectors import findings_by_rag, sessions_held, sessions_records, sessions_summary
from surveys.building.models import Survey
from surveys.loop.models import Recommendation
from surveys.loop.selectors import recommendations_of_area, theme_summaries
from surveys.responding.selectors import consultations_in_period
from surveys.results.trust import TrustReport, trust_report

TREND_MONTHS = 12
TOP_THEMES = 3
TRUST_MEASURES_CHARTED = 3  # lines on the trust-over-time chart: more than three cannot be told apart in print
FEWER_THAN_10 = "fewer than 10"


# --- the pack's parts --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PackChart:
    """A chart of the pack, with where its numbers come from (written under its table)."""

    key: str  # unique within the pack, for anchors and tests
    chart: Chart
    source: str


@dataclass(frozen=True)
class Figure:
    """A labelled number as the pack prints it; `value` None: not shown (the reason in `note`)."""

    label: str
    value: int | float | str | None
    note: str = ""

    @property
    def shown(self) -> str:
        if self.value is None:
            return self.note or "not shown"
        if isinstance(self.value, int):
            return f"{self.value:,}"
        return str(self.value)


@dataclass
class DisproportionalitySection:
    forces: list[Organisation]
    report: dict[str, Any] | None  # the public (suppressed) contract for the quarter; None without a force
    trend: dict[str, Any] | None
    figures: list[Figure] = field(default_factory=list)
    charts: list[PackChart] = field(default_factory=list)
    # How the area's forces compare with the others (the public national report, docs/national.md)
    comparison_period: str = ""
    comparisons: list[national.ForceComparison] = field(default_factory=list)
    comparison_charts: list[PackChart] = field(default_factory=list)


@dataclass(frozen=True)
class GroundsShare:
    group: str
    judged: int
    not_reasonable: int

    @property
    def share(self) -> float | None:
        return self.not_reasonable / self.judged if self.judged else None

    @property
    def small(self) -> bool:
        return self.judged < st.SMALL_NUMBER


@dataclass
class ReviewSection:
    sessions: list[ReviewSession]
    records_sampled: int
    records_reviewed: int  # revealed to the panel, so scored and discussed
    grounds: list[GroundsShare]
    findings: int
    findings_by_rag: list[tuple[str, int]]


@dataclass
class EscalationSection:
    report: Report  # the escalations sent in the quarter, as at the day the pack is made
    open_from_before: int  # sent before the quarter and still not closed


@dataclass(frozen=True)
class ThemeLine:
    name: str
    count: int | None  # None: suppressed (fewer than 10)


@dataclass(frozen=True)
class ConsultationLine:
    survey: Survey
    responses_in_quarter: int | None  # None: suppressed
    responses_total: int | None
    themes: list[ThemeLine]
    quote: str | None


@dataclass(frozen=True)
class RecommendationLine:
    recommendation: Recommendation
    overdue: bool


@dataclass
class ConsultationSection:
    consultations: list[ConsultationLine]
    recommendations: list[RecommendationLine]
    awaiting: int
    by_decision: list[tuple[str, int]]
    overdue: int


@dataclass
class TrustPanel:
    panel: Panel
    report: TrustReport  # shared (suppressed) form
    charts: list[PackChart]


@dataclass
class Pack:
    area: ForceArea
    quarter: Quarter
    made_on: date
    suppressed: bool
    disproportionality: DisproportionalitySection
    reviews: ReviewSection
    escalations: EscalationSection
    consultation: ConsultationSection
    trust: list[TrustPanel]
    population: dict[str, int]
    methods: list[tuple[str, list[str]]]

    @property
    def title(self) -> str:
        return f"Quarterly pack for the Police and Crime Commissioner: {self.area.name}"

    @property
    def partial(self) -> bool:
        """The quarter has not ended yet: the pack covers it to date."""
        return self.quarter.last_day >= self.made_on

    def charts(self) -> list[PackChart]:
        d = self.disproportionality
        return [*d.charts, *d.comparison_charts, *(c for t in self.trust for c in t.charts)]


# --- gathering ---------------------------------------------------------------------------------------------------


def _disproportionality(forces: list[Organisation], quarter: Quarter) -> DisproportionalitySection:
    if not forces:
        return DisproportionalitySection(forces, None, None)
    query = reporting.report_query(forces, quarter.first_month, quarter.last_month, "self")
    trend_query = reporting.report_query(forces, quarter.months_back(TREND_MONTHS), quarter.last_month, "self")
    report = reporting.public_disproportionality_report(query=query)
    trend = reporting.monthly_trend(query=trend_query, public=True)
    ids = ", ".join(query.force_ids)
    period = f"{report['from']} to {report['to']}"
    source = (
        f"scrutiny.disproportionality.report.public_disproportionality_report({ids}, {period}, self-defined ethnicity)"
    )
    trend_source = f"scrutiny.disproportionality.report.monthly_trend({ids}, {trend['from']} to {trend['to']}, public)"
    charts = [
        PackChart("rates", rates_chart(rates_from_report(report)), source),
        PackChart("ratios", ratio_chart(ratios_from_report(report)), source),
        PackChart("find-rates", find_rate_chart(find_rates_from_report(report)), source),
        PackChart("trend", trend_chart(trend_from_months(trend["months"])), trend_source),
    ]
    figures = [
        # The total is hidden when it is small or when it would give hidden groups' counts away by subtraction.
        Figure(
            "Searches in the quarter (vehicle-only searches excluded)",
            report["total"],
            "not shown: it would give a count under 10 away",
        ),
        Figure("Of which ethnicity not stated (in the total, in no group)", report["not_stated"], FEWER_THAN_10),
        Figure("Vehicle-only searches (excluded)", report["vehicle_only_excluded"], FEWER_THAN_10),
    ]
    black = report["groups"].get("Black", {})
    if black.get("rate_ratio_vs_white") is not None:
        low, high = black["rate_ratio_ci95"]
        figures.append(
            Figure(
                "Black people were this many times as likely as White people to be searched",
                f"{black['rate_ratio_vs_white']:.1f} (95% interval {low:.1f} to {high:.1f})",
            )
        )
    section = DisproportionalitySection(forces, report, trend, figures, charts)
    _compare(section, quarter)
    return section


def _compare(section: DisproportionalitySection, quarter: Quarter) -> None:
    """How the area's forces compare with every other force over the 12 months to the quarter's end (a quarter is
    too short to rank forces): the public national report, and its Black/White funnel with the force marked."""
    query = national.NationalQuery(quarter.months_back(TREND_MONTHS), quarter.last_month)
    report = national.national_report(query, public=True)
    section.comparison_period = query.label
    section.comparisons = national.forces_compared(report, section.forces)
    for comparison in section.comparisons:
        force = comparison.force
        chart = chart_from_report(report, "Black", selected=force.police_uk_id)
        if chart is not None:
            period = f"{query.header()['from']} to {query.header()['to']}"
            source = f"scrutiny.disproportionality.national.national_report({period}, public)"
            section.comparison_charts.append(PackChart(f"funnel-black-{force.police_uk_id}", chart, source))


def _reviews(area: ForceArea, quarter: Quarter, today: date) -> ReviewSection:
    # Held: dated in the quarter and not after today (a session planned for next week has not been held).
    sessions = sessions_held(area, quarter.first_day, min(quarter.last_day, today))
    sampled, revealed = sessions_records(sessions)
    # Each share's records judged and those judged not reasonable, by ethnic group, over all the sessions.
    shares = {share.key: (share.total, share.hits) for share in sessions_summary(sessions)["ethnic_group"]}
    labels = dict(EthnicGroup.choices)
    grounds = [GroundsShare(labels[code], *shares.get(code, (0, 0))) for code in EthnicGroup.values]
    by_rag = findings_by_rag(area, *quarter.bounds())
    return ReviewSection(
        sessions=sessions,
        records_sampled=sampled,
        records_reviewed=revealed,
        grounds=grounds,
        findings=sum(by_rag.values()),
        findings_by_rag=[(label, by_rag.get(value, 0)) for value, label in Finding.Rag.choices],
    )


def _escalations(area: ForceArea, quarter: Quarter, today: date) -> EscalationSection:
    start, end = quarter.bounds()
    sent = escalations_sent(area, start, end)
    return EscalationSection(escalation_report(sent, today=today), escalations_open_from_before(area, start))


def _consultations(area: ForceArea, quarter: Quarter, today: date) -> list[ConsultationLine]:
    """The surveys of the area's panels that were open or closed in the quarter: those that took responses in it,
    those whose closing date fell in it, and (for the current quarter) those open now."""
    start, end = quarter.bounds()
    found = consultations_in_period(
        area, first_day=quarter.first_day, last_day=quarter.last_day, start=start, end=end, today=today
    )
    lines = []
    for row in found:
        summaries = theme_summaries(row.survey)[:TOP_THEMES]
        quote = next((s.quotes[0] for s in summaries if s.quotes), None)
        lines.append(
            ConsultationLine(
                survey=row.survey,
                responses_in_quarter=st.suppress(row.in_period),
                responses_total=st.suppress(row.total),
                themes=[ThemeLine(s.theme.name, st.suppress(s.count)) for s in summaries],
                quote=quote,
            )
        )
    return lines


def _recommendations(area: ForceArea, today: date) -> tuple[list[RecommendationLine], int, list[tuple[str, int]], int]:
    recommendations = recommendations_of_area(area)
    lines = []
    for r in recommendations:
        overdue = bool(
            r.status == Recommendation.Status.RESPONDED
            and r.decision != Recommendation.Decision.NOT_ACCEPTED
            and r.due_by is not None
            and r.due_by < today
            and not r.completed  # type: ignore[attr-defined]
        )
        lines.append(RecommendationLine(r, overdue))
    awaiting = sum(r.status == Recommendation.Status.AWAITING for r in recommendations)
    decisions = Counter(r.decision for r in recommendations if r.status == Recommendation.Status.RESPONDED)
    by_decision = [(label, decisions[value]) for value, label in Recommendation.Decision.choices]
    return lines, awaiting, by_decision, sum(line.overdue for line in lines)


def _trust(area: ForceArea, quarter: Quarter) -> list[TrustPanel]:
    out = []
    for panel in panels_of_area(area):
        report = trust_report(panel).shared()
        waves = [w for w in report.waves if w.first_day <= quarter.last_day]
        if not waves or not report.measures:
            continue
        if len(waves) < len(report.waves):
            report = TrustReport(panel=report.panel, waves=waves, measures=report.measures)
        codes = [m.measure.code for m in report.measures[:TRUST_MEASURES_CHARTED]]
        labels, series = trust_measures_over_time(report, codes)
        latest = waves[-1]
        first = report.measures[0]
        source = f"surveys.results.trust.trust_report({panel.slug}).shared()"
        charts = [
            PackChart(f"trust-time-{panel.pk}", trust_time_chart(labels, series), source),
            PackChart(
                f"trust-groups-{panel.pk}",
                trust_group_chart(
                    first.measure.label,
                    latest.label,
                    trust_by_group(report, first.measure.code, "ethnic_group", latest.key),
                    dimension="ethnic group",
                ),
                source,
            ),
        ]
        out.append(TrustPanel(panel, report, charts))
    return out


# The methods page's sections that say the same for every area and quarter (the denominators come first).
_METHODS_EVERY_PACK: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "What is counted",
        (
            "Stop and search records only. Vehicle-only searches are excluded. Searches whose ethnicity was not "
            "stated count in the total and in no group, as the Home Office does. Self-defined ethnicity.",
            "Find rate: of a group's searches with 'outcome linked to object of search' recorded, the share "
            "recorded as linked. Arrest rate: the share of searches ending in arrest.",
            "Panel reviews: records revealed to the panel in sessions held in the quarter; grounds are judged "
            "not reasonable by the panel's agreed view, or by most members' scores where none was agreed. "
            "Findings made, escalations sent and consultation responses received in the quarter. Escalation "
            "and recommendation status is as at the day the pack was made; response times are working days "
            "(weekends and bank holidays in England not counted).",
        ),
    ),
    (
        "Intervals",
        (
            "Rate ratios against White carry a 95% interval by the log method (exp(ln RR +/- 1.96 "
            "sqrt(1/a + 1/b))), exact (conditional binomial) when a count is under 20. Find rates and trust "
            "shares carry Wilson 95% intervals; on opt-in surveys these show chance variation only and are "
            "not a margin of error.",
        ),
    ),
    (
        "How the force compares",
        (
            "Over the 12 months to the quarter's end, from every force of England and Wales (the public, "
            "suppressed figures). Each force's ratio is set against the England and Wales ratio on a funnel "
            "plot (Spiegelhalter, 2005): its expected searches of a group are those it would make at the "
            "England and Wales ratio given its searches of White people and its populations, and the control "
            "limits are exact Poisson limits at 95% (alert) and 99.8% (outlier). Ranks come with the range "
            "of ranks in 95% of 2,000 simulations from each force's counts (1st = highest ratio). Months a "
            "force does not hold are left out with their population.",
        ),
    ),
    (
        "Small numbers",
        (
            "This pack is suppressed for a public meeting: counts of people under 10 (searches, survey "
            "responses, theme mentions, trust answers) are not shown, nor anything they could be worked back "
            "from. Rates and shares from fewer than 20 events are marked unstable (*). Review shares over "
            "fewer than 10 records are marked small. Counts of the panels' own work are shown in full.",
        ),
    ),
    (
        "Sources and licence",
        (
            "Stop and search records: data.police.uk, published under the Open Government Licence v3.0. "
            "Population: Census 2021, Office for National Statistics, Open Government Licence v3.0. Panel "
            "reviews, findings, escalations, consultations and recommendations: this platform's records.",
        ),
    ),
)


def _methods(
    area: ForceArea, quarter: Quarter, forces: Sequence[Organisation], population: dict[str, int]
) -> list[tuple[str, list[str]]]:
    people = ", ".join(f"{g} {population[g]:,}" for g in st.GROUPS)
    force_names = ", ".join(f.name for f in forces) or "no force is registered for this area yet"
    denominators = [
        f"Rates per 1,000 use the Census 2021 usual resident population of the {area.name} police force area "
        f"({area.code}) by five-group self-defined ethnicity (ONS table TS021): {people}.",
        f"Forces counted: {force_names}. Period: {quarter.label} (calendar months of the search date in UK "
        f"time); the trend covers the {TREND_MONTHS} months to {quarter.last_month:%B %Y}.",
    ]
    return [("Denominators", denominators), *((heading, list(lines)) for heading, lines in _METHODS_EVERY_PACK)]


def build_pack(area: ForceArea, quarter: Quarter, *, today: date) -> Pack:
    """Gather the pack of `area` for `quarter` as at `today` (suppressed for a public meeting)."""
    forces = reporting.area_forces(area)
    try:
        population = population_by_five_group(area.code)
    except KeyError:
        population = dict.fromkeys(st.GROUPS, 0)
    recommendations, awaiting, by_decision, overdue = _recommendations(area, today)
    return Pack(
        area=area,
        quarter=quarter,
        made_on=today,
        suppressed=True,
        disproportionality=_disproportionality(forces, quarter),
        reviews=_reviews(area, quarter, today),
        escalations=_escalations(area, quarter, today),
        consultation=ConsultationSection(
            consultations=_consultations(area, quarter, today),
            recommendations=recommendations,
            awaiting=awaiting,
            by_decision=by_decision,
            overdue=overdue,
        ),
        trust=_trust(area, quarter),
        population=population,
        methods=_methods(area, quarter, forces, population),
    )


# --- the numbers as tables print them ----------------------------------------------------------------------------

SHARE_KINDS = {"find_rates", "trust_groups", "trust_time"}
RATIO_KINDS = {"ratios", "trend", "funnel"}


def cell_text(kind: str, value: Any) -> str:
    """One table cell as the pack prints it: counts with thousands separators, rates to 1 place, ratios to 2,
    shares as percentages to 1 place; a blank where nothing is shown (the row's note says why)."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if kind in SHARE_KINDS:
            return f"{100 * value:.1f}%"
        if kind in RATIO_KINDS:
            return f"{value:.2f}"
        return f"{value:,.1f}"
    return str(value)


def count_text(count: int) -> str:
    """A count of people as the (suppressed) pack prints it."""
    return FEWER_THAN_10 if st.is_suppressed(count) else f"{count:,}"


def table_rows(chart: Chart) -> list[list[str]]:
    return [[cell_text(chart.kind, v) for v in row] for row in chart.table.rows]
