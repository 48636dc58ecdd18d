"""The decision layer: requirement checks with margins, verdicts per area, deltas to the
baseline candidate and an optional weighted ranking. Works on metric columns (numpy arrays,
one row per candidate or variant).
"""

from __future__ import annotations

import numpy as np

AREAS = ("technical", "cost", "sustainability")
# Result names by area: a metric belongs to the first area whose prefix it starts with;
# everything else is technical.
AREA_PREFIXES = {
    "cost": ("cell_cost_", "pack_cost_"),
    "sustainability": ("footprint_", "lithium_", "nickel_", "cobalt_", "manganese_", "graphite_",
                       "copper_", "aluminium_"),
}


def area_of(metric: str) -> str:
    """The feasibility area (technical, cost, sustainability) a result name belongs to."""
    for area, prefixes in AREA_PREFIXES.items():
        if metric.startswith(prefixes):
            return area
    return "technical"


def check_requirements(names: list[str], metrics: dict, bounds: dict[str, tuple],
                       envelopes: list[dict]) -> list[dict]:
    """Every bound per candidate with its margin (positive when met), in the metric's unit
    and in percent of the limit.

    ``bounds``: metric -> (min or None, max or None); ``envelopes``: per candidate, pack
    envelope limits {metric: max} (``pack_mass_kg``, ``pack_volume_L``) checked the same way.
    """
    checks = []
    for i, name in enumerate(names):
        items = [(k, lo, hi) for k, (lo, hi) in bounds.items()]
        items += [(k, None, lim) for k, lim in envelopes[i].items() if lim is not None]
        for key, lo, hi in items:
            value = float(metrics[key][i])
            for kind, limit in (("min", lo), ("max", hi)):
                if limit is None:
                    continue
                margin = value - limit if kind == "min" else limit - value
                checks.append({
                    "candidate": name, "metric": key, "area": area_of(key), "bound": kind,
                    "limit": limit, "value": value, "margin": margin,
                    "margin_pct": 100.0 * margin / abs(limit) if limit else float("nan"),
                    "passed": bool(margin >= 0.0),
                })
    return checks


def verdicts(names: list[str], checks: list[dict]) -> dict[str, dict]:
    """Per candidate: a verdict per area ("pass", "fail" or "not assessed") and overall."""
    by_name = {name: [] for name in names}
    for check in checks:
        by_name[check["candidate"]].append(check)
    out = {}
    for name in names:
        mine = by_name[name]
        verdict = {}
        for area in AREAS:
            in_area = [c for c in mine if c["area"] == area]
            verdict[area] = ("not assessed" if not in_area
                             else "pass" if all(c["passed"] for c in in_area) else "fail")
        failed = [f"{c['metric']} {c['bound']}" for c in mine if not c["passed"]]
        verdict["overall"] = "pass" if not failed else "fail"
        verdict["failed"] = failed
        verdict["checked"] = len(mine)
        out[name] = verdict
    return out


def deltas_to_baseline(metrics: dict, baseline_row: int) -> dict[str, np.ndarray]:
    """``delta_{metric}``: each row minus the baseline row, for every metric."""
    return {f"delta_{k}": np.asarray(v, float) - float(v[baseline_row]) for k, v in metrics.items()}


def weighted_score(metrics: dict, weights: dict[str, float]) -> np.ndarray:
    """Weighted score in [-sum|w|, sum|w|]: each metric scaled to 0..1 across the rows
    (min to max); a positive weight rewards larger values, a negative one smaller values."""
    score = np.zeros(len(next(iter(metrics.values()))))
    for key, weight in weights.items():
        x = np.asarray(metrics[key], float)
        span = np.nanmax(x) - np.nanmin(x)
        scaled = (x - np.nanmin(x)) / span if span > 0 else np.zeros_like(x)
        score += weight * scaled if weight >= 0 else -weight * (1.0 - scaled)
    return score
