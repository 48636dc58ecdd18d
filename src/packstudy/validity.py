"""What a result cannot say: cycles a candidate cannot follow, metrics that cannot be computed.

Every procedure that drives a cycle gives ``{procedure}_trace_missed_pct`` (see
``procedures``); a value above zero is an always-on technical check that fails ("cannot follow
WLTC: 12 % of the trace missed"), and that procedure's consumption and range are NaN. Every
NaN metric gets a note naming why; the results files write it as null.
"""

from __future__ import annotations

import numpy as np

TRACE_SUFFIX = "_trace_missed_pct"
CYCLE_NAMES = {"wltp": "WLTC", "epa": "the EPA city and highway cycles (UDDS, HWFET)",
               "cold": "the cold-weather cycle"}
NOTE_MAX_NAMED = 5  # rows named one by one in a study note; beyond, a count

LIFE_KEPT = ("the pack keeps more than that capacity through the whole life simulation (its "
             "horizon: horizon_years of data/factors/life.toml)")
# why a metric is NaN when no cycle explains it, by name prefix (first match)
REASONS = (
    ("accel_", "the vehicle does not reach that speed within the simulated time (too little "
               "motor or battery power, or grip)"),
    ("top_speed_", "the drivetrain cannot hold any speed against the road load (its losses "
                   "take the motor's power)"),
    ("fast_charge_km_in_", "it needs the WLTP consumption, which is null"),
    ("fast_charge_", "the charger cannot take the pack through the SOC window (the charger's "
                     "or the car's voltage and current limits, the cells' charge map, or their "
                     "charge temperature limit with the coolant at or above it)"),
    ("score", "a metric it weighs is null"),
    ("life_years_to_", LIFE_KEPT),
    ("life_km_to_", LIFE_KEPT),
    ("pack_requested_", "the pack was given by its cell counts (no energy was asked)"),
)
QUIET = ("pack_requested_",)  # nulls by design: noted per candidate, not in the study's notes
# inputs echoed for the limit checks, null where not given: a nominal voltage not asked, a
# charger without a voltage range, no feasible pack (the failing limit's note says so)
SILENT = ("pack_requested_nominal_voltage_V", "pack_feasible_", "charger_min_voltage_V",
          "charger_max_voltage_V")


def trace_checks(metrics: dict, n: int) -> dict[str, np.ndarray]:
    """The always-on technical checks: every ``*_trace_missed_pct`` at most 0 %."""
    return {key: np.zeros(n) for key in metrics if key.endswith(TRACE_SUFFIX)}


def cycle_name(procedure: str) -> str:
    """The cycle a procedure drives, for notes ("WLTC"; a custom cycle by its label)."""
    return CYCLE_NAMES.get(procedure, f"the cycle {procedure!r}")


def _owner(metric: str, procedures: list[str]) -> str | None:
    """The cycle procedure a metric belongs to (the longest matching prefix), or None."""
    owners = [p for p in procedures if metric.startswith(p + "_")
              or (p == "cold" and metric.startswith("range_at_"))]
    return max(owners, key=len) if owners else None


def row_notes(metrics: dict) -> dict[int, list[str]]:
    """Per row with a NaN metric (or a cycle not followed): sentences naming why."""
    trace = {k[:-len(TRACE_SUFFIX)]: np.asarray(v, float) for k, v in metrics.items()
             if k.endswith(TRACE_SUFFIX)}
    procs = list(trace)
    notes: dict[int, dict[str, list[str]]] = {}  # row -> reason -> null metrics
    for proc, missed in trace.items():
        for i in np.flatnonzero(missed > 0.0).tolist():
            notes.setdefault(i, {}).setdefault(
                f"cannot follow {cycle_name(proc)}: {_pct(missed[i])} % of the trace missed "
                "(too little motor or battery power, or the pack's usable energy runs out)", [])
    for key, values in metrics.items():
        column = np.asarray(values)
        if column.ndim != 1 or column.dtype.kind != "f" or key == "pareto" or key.startswith(SILENT):
            continue
        bad = np.flatnonzero(~np.isfinite(column))
        if not bad.size:
            continue
        owner = _owner(key, procs)
        for i in bad.tolist():
            if owner is not None and trace[owner][i] > 0.0:
                reason = (f"cannot follow {cycle_name(owner)}: {_pct(trace[owner][i])} % of the "
                          "trace missed (too little motor or battery power, or the pack's usable "
                          "energy runs out)")
            elif owner is not None:
                reason = (f"{cycle_name(owner)} gives back more energy than it takes (downhill): "
                          "no consumption or range")
            else:
                reason = next((text for prefix, text in REASONS if key.startswith(prefix)),
                              "it could not be computed")
            notes.setdefault(i, {}).setdefault(reason, []).append(key)
    return {i: [reason + (f"; null: {', '.join(keys)}" if keys else "")
                for reason, keys in by_reason.items()]
            for i, by_reason in sorted(notes.items())}


def study_notes(names: list[str], notes: dict[int, list[str]]) -> list[str]:
    """The per-row notes for the study's notes (but nulls by design): one by one for a few
    rows, else counted."""
    quiet = tuple(text for prefix, text in REASONS if prefix in QUIET)
    notes = {i: kept for i, texts in notes.items() if (kept := [t for t in texts if not t.startswith(quiet)])}
    if 0 < len(notes) <= NOTE_MAX_NAMED:
        return [f"{names[i]!r}: {text}." for i, texts in notes.items() for text in texts]
    if notes:
        counts: dict[str, int] = {}
        for texts in notes.values():
            for text in texts:
                general = text.split(":")[0] if text.startswith("cannot follow") else text
                counts[general] = counts.get(general, 0) + 1
        return [f"{count:,} of {len(names):,} rows: {text}; their notes are in results.json."
                for text, count in counts.items()]
    return []


def _pct(x: float) -> str:
    return f"{x:.0f}" if x >= 1.0 else f"{x:.2g}"
