"""Confidence intervals for a proportion that both apps report (search outcomes, survey answers)."""

from __future__ import annotations

import math

Z_95 = 1.959963984540054  # the standard normal's 97.5th percentile: a two-sided 95 % interval


def wilson_interval(successes: float, n: float, z: float = Z_95) -> tuple[float, float] | None:
    """The Wilson score interval for the proportion successes/n; None when n is 0. Counts may be fractional (a Kish
    effective sample size). ValueError unless 0 <= successes <= n."""
    if n < 0 or successes < 0 or successes > n:
        raise ValueError(f"need 0 <= successes <= n, got {successes} of {n}")
    if n == 0:
        return None
    p = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    # At 0 and n the exact bound is 0 or 1; rounding could push a bound a hair outside [0, 1] or past p.
    low = 0.0 if successes == 0 else max(0.0, min(p, centre - half))
    high = 1.0 if successes == n else min(1.0, max(p, centre + half))
    return low, high
