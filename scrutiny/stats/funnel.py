"""Funnel plots for comparing forces (Spiegelhalter 2005, "Funnel plots for comparing institutional performance",
Statistics in Medicine 24:1185–1202), with the over-dispersion check of Spiegelhalter (2005), "Handling
over-dispersion of performance indicators", Quality and Safety in Health Care 14:347–351.

Pure: plain numbers in, plain numbers out. docs/national.md gives the formulas and the reasons for each choice.

The indicator is an indirectly standardised ratio. For a force and a group g, O is the force's searches of g and
E = RR0 · W · Pg / Pw the searches of g expected if the force searched g at the England and Wales ratio RR0, given
its searches of White people W and its populations Pg, Pw; so O/E = RR / RR0 (the force's ratio over the national
one). Under the null hypothesis O is Poisson with mean E, and the control limits for O/E at probability p are
Spiegelhalter's interpolated exact Poisson limits:

    r_p = the p-quantile of Poisson(E)   (the smallest r with F(r) ≥ p)
    α   = (F(r_p) − p) / (F(r_p) − F(r_p − 1))
    limit = (r_p − α) / E                 (never below 0)

The Poisson distribution function comes from `scipy.special.pdtr` and its inverse from `scipy.special.pdtrik`
(the tests check every limit against `scipy.stats.poisson` independently).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.special import ndtri, pdtr, pdtrik
from scipy.stats import chi2

# The two funnels: two-sided 95 % ("alert") and 99.8 % ("outlier"), the usual pair (about 2 and 3 standard errors).
ALERT = 0.95
OUTLIER = 0.998
# Spiegelhalter winsorises the z-scores at 10 % at each end before estimating over-dispersion, so that the outliers
# the funnel is meant to find do not themselves inflate it.
WINSOR = 0.10
# Over-dispersion is reported when the test of "forces vary only by chance" fails at this level.
OVERDISPERSION_LEVEL = 0.05
# Fewer forces than this say nothing useful about how much forces vary.
MIN_UNITS_FOR_DISPERSION = 5

POSITIONS = ("high_outlier", "high_alert", "within", "low_alert", "low_outlier")
POSITION_LABELS = {
    "high_outlier": "Outlier: higher than England and Wales (outside the 99.8% limits)",
    "high_alert": "Alert: higher than England and Wales (outside the 95% limits, inside the 99.8%)",
    "within": "Within the limits: no different from England and Wales beyond chance",
    "low_alert": "Alert: lower than England and Wales (outside the 95% limits, inside the 99.8%)",
    "low_outlier": "Outlier: lower than England and Wales (outside the 99.8% limits)",
}
POSITION_SHORT = {
    "high_outlier": "outlier (higher)",
    "high_alert": "alert (higher)",
    "within": "within the limits",
    "low_alert": "alert (lower)",
    "low_outlier": "outlier (lower)",
}


def poisson_quantile(p: float, mean: float) -> int:
    """The smallest whole r with P(X ≤ r) ≥ p for X Poisson with this mean."""
    if not 0 < p < 1:
        raise ValueError(f"p must be strictly between 0 and 1, not {p}")
    if not mean > 0:
        raise ValueError(f"the mean must be positive, not {mean}")
    # pdtrik inverts the continuous extension of the distribution function; step to the whole number from there.
    r = max(0, math.floor(float(pdtrik(p, mean))))
    while float(pdtr(r, mean)) < p:
        r += 1
    while r > 0 and float(pdtr(r - 1, mean)) >= p:
        r -= 1
    return r


def poisson_limit(p: float, expected: float) -> float:
    """Spiegelhalter's interpolated exact limit for O/E at probability p (0.025 and 0.975 for the 95 % funnel)."""
    r = poisson_quantile(p, expected)
    at_r = float(pdtr(r, expected))
    below = float(pdtr(r - 1, expected)) if r > 0 else 0.0
    alpha = (at_r - p) / (at_r - below)
    # At a small E the lower quantile is 0 and the interpolation would go below it: a ratio cannot be negative.
    return max(0.0, (r - alpha) / expected)


@dataclass(frozen=True)
class Limits:
    """The control limits for O/E at one expected count (multiply by RR0 for the ratio scale)."""

    expected: float
    lower_998: float
    lower_95: float
    upper_95: float
    upper_998: float


@lru_cache(maxsize=8192)
def funnel_limits(expected: float) -> Limits:
    """The four limits at one expected count (kept: pages draw the same forces' limits on every request)."""
    a, o = (1 - ALERT) / 2, (1 - OUTLIER) / 2
    return Limits(
        expected=expected,
        lower_998=poisson_limit(o, expected),
        lower_95=poisson_limit(a, expected),
        upper_95=poisson_limit(1 - a, expected),
        upper_998=poisson_limit(1 - o, expected),
    )


def position(ratio: float, limits: Limits) -> str:
    """Where O/E sits: outside the 99.8 % limits is an outlier, between 95 % and 99.8 % an alert, otherwise within.

    "Outside" is strict: a force exactly on a limit is inside it. Since the 99.8 % limits lie outside the 95 % ones,
    a force within the 95 % limits can never be called an outlier or an alert.
    """
    if ratio > limits.upper_998:
        return "high_outlier"
    if ratio < limits.lower_998:
        return "low_outlier"
    if ratio > limits.upper_95:
        return "high_alert"
    if ratio < limits.lower_95:
        return "low_alert"
    return "within"


def expected_count(reference_ratio: float, white_searches: int, population: int, white_population: int) -> float:
    """E = RR0 · W · Pg / Pw: the force's searches of a group at the England and Wales ratio, given its White
    searches and its populations."""
    if white_population <= 0:
        raise ValueError("the White population must be positive")
    return reference_ratio * white_searches * population / white_population


@dataclass(frozen=True)
class FunnelPoint:
    key: str
    observed: int
    expected: float
    ratio: float  # the force's own rate ratio, RR = RR0 · O/E
    standardised: float  # O/E
    limits: Limits
    position: str
    z: float  # (O − E) / √E, the Poisson z-score under the null hypothesis
    outside_adjusted_998: bool | None = None  # outside the 99.8 % limits widened for over-dispersion (None: not set)


def funnel_point(key: str, observed: int, expected: float, reference_ratio: float) -> FunnelPoint:
    if observed < 0:
        raise ValueError("a count cannot be negative")
    if not expected > 0:
        raise ValueError(f"{key}: the expected count must be positive, not {expected}")
    limits = funnel_limits(expected)
    standardised = observed / expected
    return FunnelPoint(
        key=key,
        observed=observed,
        expected=expected,
        ratio=reference_ratio * standardised,
        standardised=standardised,
        limits=limits,
        position=position(standardised, limits),
        z=(observed - expected) / math.sqrt(expected),
    )


@dataclass(frozen=True)
class Overdispersion:
    """How much more the forces vary than Poisson chance explains.

    phi: the winsorised mean squared z-score (1 when forces vary by chance only); `statistic` = units · phi, referred
    to a chi-squared distribution with units − 1 degrees of freedom (`p_value`); tau2: the additive between-force
    variance on the O/E scale (0 when phi does not exceed (units − 1)/units).
    """

    units: int
    phi: float | None
    statistic: float | None
    p_value: float | None
    tau2: float | None

    @property
    def overdispersed(self) -> bool:
        return self.p_value is not None and self.p_value < OVERDISPERSION_LEVEL


def winsorise(values: Sequence[float], fraction: float = WINSOR) -> list[float]:
    """Values beyond the `fraction` and 1 − `fraction` quantiles (linear interpolation) moved in to them."""
    if not values:
        return []
    low, high = (float(q) for q in np.quantile(np.asarray(values, dtype=float), [fraction, 1 - fraction]))
    return [min(max(v, low), high) for v in values]


def overdispersion(points: Sequence[tuple[int, float]]) -> Overdispersion:
    """From each force's (O, E): Spiegelhalter's phi from winsorised z-scores and the random-effects tau²."""
    units = len(points)
    if units < MIN_UNITS_FOR_DISPERSION:
        return Overdispersion(units, None, None, None, None)
    z = [(o - e) / math.sqrt(e) for o, e in points]
    phi = sum(v * v for v in winsorise(z)) / units
    statistic = units * phi
    weights = [e for _, e in points]  # 1 / s² with s² = 1/E, the variance of O/E under the null
    spread = sum(weights) - sum(w * w for w in weights) / sum(weights)
    tau2 = max(0.0, (statistic - (units - 1)) / spread) if spread > 0 else 0.0
    return Overdispersion(units, phi, statistic, float(chi2.sf(statistic, units - 1)), tau2)


def outside_adjusted(point: FunnelPoint, tau2: float, level: float = OUTLIER) -> bool:
    """Whether O/E is outside the limits widened for over-dispersion: 1 ± z·√(1/E + τ²) (normal approximation, as
    Spiegelhalter's additive random-effects funnel)."""
    z = float(ndtri(1 - (1 - level) / 2))
    half = z * math.sqrt(1 / point.expected + tau2)
    return point.standardised > 1 + half or point.standardised < max(0.0, 1 - half)


def funnel_curve(expected_low: float, expected_high: float, steps: int = 120) -> list[Limits]:
    """The limits at `steps` expected counts spread evenly on a log scale from `expected_low` to `expected_high`,
    for drawing the funnel."""
    if not 0 < expected_low <= expected_high:
        raise ValueError("need 0 < low <= high")
    if expected_low == expected_high or steps < 2:
        return [funnel_limits(expected_low)]
    ratio = math.log(expected_high / expected_low)
    return [funnel_limits(expected_low * math.exp(ratio * i / (steps - 1))) for i in range(steps)]
