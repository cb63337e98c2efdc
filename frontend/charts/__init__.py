"""Charts for reporting pages and packs (docs/charts.md): plain numbers in, a `Chart` out, whose `image(fmt, size)`
gives SVG, PNG or PDF bytes (cached by the data drawn), with its text alternative, its table and the table's CSV."""

from frontend.charts.base import DEFAULT_SIZE, FORMATS, GROUP_STYLE, Chart, Table, contrast_ratio
from frontend.charts.disproportionality import (
    GroupRate,
    GroupRatio,
    GroupShare,
    MonthPoint,
    find_rate_chart,
    rates_chart,
    ratio_chart,
    share_chart,
    trend_chart,
)
from frontend.charts.funnel import FunnelDot, funnel_chart
from frontend.charts.trust import SharePoint, TrustSeries, trust_group_chart, trust_time_chart

__all__ = [
    "DEFAULT_SIZE",
    "FORMATS",
    "GROUP_STYLE",
    "Chart",
    "FunnelDot",
    "GroupRate",
    "GroupRatio",
    "GroupShare",
    "MonthPoint",
    "SharePoint",
    "Table",
    "TrustSeries",
    "contrast_ratio",
    "find_rate_chart",
    "funnel_chart",
    "rates_chart",
    "ratio_chart",
    "share_chart",
    "trend_chart",
    "trust_group_chart",
    "trust_time_chart",
]
