"""Readable labels, units and number formatting for result names in the report (labels and units
from the metric registry, packstudy.metrics)."""

from __future__ import annotations

import math

from .. import metrics

# labels and units come from the metric registry
label = metrics.label
unit_of = metrics.unit


def needs_baseline_mark(name: str, baseline: str | None) -> bool:
    """Whether the column of candidate ``name`` gets " (baseline)": it is the study's baseline
    and its name does not say so already."""
    return name == baseline and "(baseline)" not in name.lower()


def number(x) -> str:
    """A value rounded for reading: 3-4 significant figures, thousands separated, 'n/a' for a
    null (NaN) value."""
    if x is None or not math.isfinite(float(x)):
        return "n/a"
    x = float(x)
    if abs(x) >= 100 or (x == int(x) and abs(x) < 1e6):
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}" if abs(x) >= 0.1 else f"{x:.3g}"
