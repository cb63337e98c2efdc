"""How long each chart takes to draw, cold, against matplotlib drawing an empty Figure of the same size in the same run.

    .venv/bin/python bench/charts.py [--repeat 5]

For each chart (docs/charts.md) and each format (SVG, PNG, PDF), at the default 800 × 450 pixels:

1. cold: wall-clock time (and the process's CPU time, which load on a shared machine disturbs less) in a fresh
   Python process (Django set up and the modules imported first, their time printed apart), cache
   empty; the first drawing of that chart in that format in that process, as a web worker's first request;
2. warm: the same process, the cache emptied before each of `--repeat` drawings (median): what a worker pays for a
   chart whose data changed;
3. cached: the median of `--repeat` requests served from the cache (LocMemCache, as in development; Redis adds a
   network round trip);
4. the baseline: an empty `Figure` of the same size saved in the same format, cold in a fresh process of its own
   and warm, so that the chart's own cost can be told from matplotlib's fixed cost of producing a file.

Target (issue 6): a chart renders in under 300 ms cold.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TARGET_MS = 300.0
KINDS = ["rates", "ratios", "find_rates", "trend", "trust_time", "trust_groups"]
FORMATS = ["svg", "png", "pdf"]


def _charts() -> dict[str, Any]:
    from frontend.charts import (
        GroupRate,
        GroupRatio,
        GroupShare,
        MonthPoint,
        SharePoint,
        TrustSeries,
        find_rate_chart,
        rates_chart,
        ratio_chart,
        trend_chart,
        trust_group_chart,
        trust_time_chart,
    )

    rates = [
        GroupRate("Asian", 8.16, 1200, 147_000),
        GroupRate("Black", 24.54, 800, 32_600),
        GroupRate("Mixed", None, None, 40_123),
        GroupRate("White", 5.93, 9000, 1_517_000),
        GroupRate("Other", 7.2, 15, 2083, unstable=True),
    ]
    ratios = [
        GroupRatio("Asian", 1.37, 1.29, 1.45),
        GroupRatio("Black", 4.13, 3.85, 4.43),
        GroupRatio("Mixed", None),
        GroupRatio("Other", 1.21, 0.73, 2.01, unstable=True),
    ]
    shares = [
        GroupShare("Asian", 0.28, 0.25, 0.31, 1100),
        GroupShare("Black", 0.21, 0.18, 0.24, 700),
        GroupShare("Mixed", None),
        GroupShare("White", 0.33, 0.32, 0.34, 8700),
        GroupShare("Other", 0.4, 0.2, 0.63, 15, unstable=True),
    ]
    months = [
        MonthPoint(f"{2024 + (m - 1) // 12}-{(m - 1) % 12 + 1:02d}", 380 + (m * 37) % 90, 3.5 + (m % 5) / 5, 3.0, 4.9)
        for m in range(1, 25)
    ]
    waves = ["Spring 2025", "Autumn 2025", "Spring 2026", "Autumn 2026"]
    series = [
        TrustSeries(g, [SharePoint(0.4 + 0.05 * i + 0.03 * n, 0.33 + 0.05 * i, 0.6 + 0.05 * i, 200) for i in range(4)])
        for n, g in enumerate(["Asian", "Black", "Mixed", "White", "Other"])
    ]
    return {
        "rates": lambda: rates_chart(rates),
        "ratios": lambda: ratio_chart(ratios),
        "find_rates": lambda: find_rate_chart(shares),
        "trend": lambda: trend_chart(months),
        "trust_time": lambda: trust_time_chart(waves, series),
        "trust_groups": lambda: trust_group_chart("Confidence in local police", "Spring 2026", shares),
    }


def _setup() -> float:
    start = time.perf_counter()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.pop("REDIS_URL", None)  # the in-process cache, so that "cached" measures the chart code, not Redis
    import django

    django.setup()
    import matplotlib.figure  # noqa: F401

    import frontend.charts  # noqa: F401

    return time.perf_counter() - start


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def child_chart(kind: str, fmt: str, repeat: int) -> dict[str, Any]:
    setup = _setup()
    from django.core.cache import cache

    make = _charts()[kind]
    cache.clear()
    start, cpu = time.perf_counter(), time.process_time()
    data = make().image(fmt)
    cold, cold_cpu = time.perf_counter() - start, time.process_time() - cpu
    warm = []
    for _ in range(repeat):
        cache.clear()
        start = time.perf_counter()
        make().image(fmt)
        warm.append(time.perf_counter() - start)
    cached = []
    for _ in range(repeat):
        start = time.perf_counter()
        make().image(fmt)
        cached.append(time.perf_counter() - start)
    return {
        "setup_ms": _ms(setup),
        "cold_ms": _ms(cold),
        "cold_cpu_ms": _ms(cold_cpu),
        "warm_ms": _ms(statistics.median(warm)),
        "cached_ms": _ms(statistics.median(cached)),
        "bytes": len(data),
    }


def child_empty(fmt: str, repeat: int) -> dict[str, Any]:
    setup = _setup()
    from frontend.charts.base import DEFAULT_SIZE, new_figure, save

    def once() -> tuple[float, float]:
        start, cpu = time.perf_counter(), time.process_time()
        figure = new_figure(DEFAULT_SIZE)
        figure.add_subplot()
        save(figure, fmt)
        return time.perf_counter() - start, time.process_time() - cpu

    cold, cold_cpu = once()
    warm = statistics.median(once()[0] for _ in range(repeat))
    return {"setup_ms": _ms(setup), "cold_ms": _ms(cold), "cold_cpu_ms": _ms(cold_cpu), "warm_ms": _ms(warm)}


def run_child(*args: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=True, cwd=ROOT
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        if args.child[0] == "empty":
            print(json.dumps(child_empty(args.child[1], args.repeat)))
        else:
            print(json.dumps(child_chart(args.child[0], args.child[1], args.repeat)))
        return

    import matplotlib

    print(f"matplotlib {matplotlib.__version__}, Python {sys.version.split()[0]}, 800 x 450 px, repeat {args.repeat}")
    baselines = {fmt: run_child("empty", fmt, "--repeat", str(args.repeat)) for fmt in FORMATS}
    out = io.StringIO()
    header = f"{'chart':<13}{'format':<7}{'cold ms':>9}{'(CPU)':>8}{'empty cold':>12}{'(CPU)':>8}"
    header += f"{'warm ms':>9}{'empty warm':>12}"
    header += f"{'cached ms':>11}{'bytes':>9}  target (cold < {TARGET_MS:.0f} ms)"
    print(header, file=out)
    worst = 0.0
    setups = []
    for kind in KINDS:
        for fmt in FORMATS:
            r = run_child(kind, fmt, "--repeat", str(args.repeat))
            b = baselines[fmt]
            setups.append(r["setup_ms"])
            worst = max(worst, r["cold_ms"])
            met = "met" if r["cold_ms"] < TARGET_MS else "MISSED"
            print(
                f"{kind:<13}{fmt:<7}{r['cold_ms']:>9.1f}{r['cold_cpu_ms']:>8.1f}{b['cold_ms']:>12.1f}"
                f"{b['cold_cpu_ms']:>8.1f}{r['warm_ms']:>9.1f}{b['warm_ms']:>12.1f}"
                f"{r['cached_ms']:>11.2f}{r['bytes']:>9}  {met}",
                file=out,
            )
    print(out.getvalue(), end="")
    print(
        f"Start-up before the first chart (Django set up, matplotlib and the charts imported; not counted above): "
        f"median {statistics.median(setups):.0f} ms."
    )
    verdict = "met" if worst < TARGET_MS else "MISSED"
    print(f"Slowest cold chart: {worst:.1f} ms; target < {TARGET_MS:.0f} ms: {verdict}.")


if __name__ == "__main__":
    main()
