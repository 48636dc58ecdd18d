"""The decision layer: requirement checks with margins, verdicts per area, deltas to the
baseline candidate and an optional weighted ranking. Works on metric columns (numpy arrays,
one row per candidate or variant).
"""

from __future__ import annotations

import numpy as np

from . import metrics

AREAS = ("technical", "cost", "sustainability")


def area_of(metric: str) -> str:
    """The feasibility area (technical, cost, sustainability) a result name belongs to (from the
    metric registry)."""
    return metrics.area(metric)


class Checks:
    """Requirement checks as columns: one column per bound (metric, min or max, limit), one
    row per candidate or variant. Iterating gives one dict per check, candidate by candidate
    in the order the bounds were given: candidate, metric, area, bound, limit, value, margin
    (positive when met, in the metric's unit), margin_pct (of the limit) and passed."""

    def __init__(self, names: list[str], metric: list[str], bound: list[str], limit: np.ndarray,
                 value: np.ndarray, checked: np.ndarray):
        self.names = names
        self.metric = metric  # (k,) per column
        self.bound = bound  # (k,) "min" or "max"
        self.area = [area_of(m) for m in metric]
        self.limit = limit  # (k, n)
        self.value = value  # (k, n)
        self.checked = checked  # (k, n) bool: whether the row has this bound
        is_min = np.array([b == "min" for b in bound], bool).reshape(-1, 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            self.margin = np.where(is_min, value - limit, limit - value)
            self.margin_pct = np.where(limit != 0.0, 100.0 * self.margin / np.abs(limit), np.nan)
        self.failed = checked & ~(self.margin >= 0.0)

    def __len__(self) -> int:
        return int(self.checked.sum())

    def __iter__(self):
        for i in range(len(self.names)):
            yield from self.row(i)

    def row(self, i: int) -> list[dict]:
        """The checks of row ``i``."""
        return [{"candidate": self.names[i], "metric": self.metric[j], "area": self.area[j],
                 "bound": self.bound[j], "limit": float(self.limit[j, i]),
                 "value": float(self.value[j, i]), "margin": float(self.margin[j, i]),
                 "margin_pct": float(self.margin_pct[j, i]), "passed": not self.failed[j, i]}
                for j in np.flatnonzero(self.checked[:, i])]


    def to_pandas(self):
        """Every check as a pandas DataFrame, one row per candidate and bound in the order of
        iteration, with the same columns (needs pandas)."""
        import pandas as pd

        rows, cols = np.nonzero(self.checked.T)  # candidate by candidate, bounds in order
        return pd.DataFrame({
            "candidate": np.asarray(self.names, dtype=object)[rows],
            "metric": np.asarray(self.metric, dtype=object)[cols],
            "area": np.asarray(self.area, dtype=object)[cols],
            "bound": np.asarray(self.bound, dtype=object)[cols],
            "limit": self.limit[cols, rows], "value": self.value[cols, rows],
            "margin": self.margin[cols, rows], "margin_pct": self.margin_pct[cols, rows],
            "passed": ~self.failed[cols, rows]})


def check_requirements(names: list[str], metrics: dict, bounds: dict[str, tuple],
                       envelopes: dict[str, np.ndarray], limits: list[tuple] = ()) -> Checks:
    """Every bound per candidate with its margin (positive when met), in the metric's unit
    and in percent of the limit.

    ``bounds``: metric -> (min or None, max or None), the same for every row; ``envelopes``:
    pack envelope limits, metric (``pack_mass_kg``, ``pack_volume_L``) -> the maximum per row
    (NaN where a row has none), checked the same way; ``limits``: always-on checks as
    ``(name, bound, limit, checked, value)`` columns (``limits.checks``).
    """
    n = len(names)
    columns = [(key, kind, np.full(n, float(limit)), np.ones(n, bool))
               for key, (lo, hi) in bounds.items()
               for kind, limit in (("min", lo), ("max", hi)) if limit is not None]
    for key, limit in envelopes.items():
        limit = np.broadcast_to(np.asarray(limit, float), (n,))
        if not np.all(np.isnan(limit)):
            columns.append((key, "max", limit, ~np.isnan(limit)))
    values = [np.asarray(metrics[c[0]], float) for c in columns]
    for name, kind, limit, checked, value in limits:
        columns.append((name, kind, np.broadcast_to(np.asarray(limit, float), (n,)), checked))
        values.append(np.asarray(value, float))
    k = len(columns)
    return Checks(names, [c[0] for c in columns], [c[1] for c in columns],
                  np.array([c[2] for c in columns]).reshape(k, n),
                  np.array(values).reshape(k, n),
                  np.array([c[3] for c in columns], bool).reshape(k, n))


def verdicts(names: list[str], checks: Checks) -> dict[str, dict]:
    """Per candidate: a verdict per area ("pass", "fail" or "not assessed") and overall, the
    failed checks ("metric bound") and how many bounds were checked."""
    labels = [f"{m} {b}" for m, b in zip(checks.metric, checks.bound, strict=True)]
    areas = np.array(checks.area, dtype=object)
    # the verdict depends only on which bounds a row has and fails: one per distinct pattern
    ones = np.ones((1, len(names)), bool)  # so that a study without requirements has a pattern too
    bits = np.packbits(np.vstack([ones, checks.checked, checks.failed]), axis=0)
    pattern = np.ascontiguousarray(bits.T).view(np.dtype((np.void, bits.shape[0]))).ravel()
    _, first, index = np.unique(pattern, return_index=True, return_inverse=True)
    outcomes = []
    for row in first:
        checked, failed = checks.checked[:, row], checks.failed[:, row]
        verdict = {}
        for area in AREAS:
            in_area = checked & (areas == area)
            verdict[area] = ("not assessed" if not in_area.any()
                             else "fail" if (failed & in_area).any() else "pass")
        verdict["overall"] = "fail" if failed.any() else "pass"
        verdict["failed"] = [labels[j] for j in np.flatnonzero(failed)]
        verdict["checked"] = int(checked.sum())
        outcomes.append(verdict)
    return {name: {**outcomes[u], "failed": list(outcomes[u]["failed"])}
            for name, u in zip(names, index.tolist(), strict=True)}


def deltas_to_baseline(metrics: dict, baseline_row: int) -> dict[str, np.ndarray]:
    """``delta_{metric}``: each row minus the baseline row, for every metric."""
    return {f"delta_{k}": np.asarray(v, float) - float(v[baseline_row]) for k, v in metrics.items()}


def weighted_score(metrics: dict, weights: dict[str, float]) -> np.ndarray:
    """Weighted score in [-sum|w|, sum|w|]: each metric scaled to 0..1 across the rows
    (min to max); a positive weight rewards larger values, a negative one smaller values."""
    score = np.zeros(len(next(iter(metrics.values()))))
    for key, weight in weights.items():
        x = np.asarray(metrics[key], float)
        known = x[np.isfinite(x)]  # a null value makes its row's score null
        span = known.max() - known.min() if known.size else 0.0
        scaled = (x - known.min()) / span if span > 0 else np.where(np.isfinite(x), 0.0, np.nan)
        score += weight * scaled if weight >= 0 else -weight * (1.0 - scaled)
    return score
