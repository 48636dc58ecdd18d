"""``report.html``: one self-contained file (plotly.js embedded, no network) that shows a study's
verdicts, packs, energy, performance, cost, footprint, minerals, uncertainty, sweep front and
every assumption with its source.

The data the report needs beyond the ``StudyResult`` (the WLTC traces) is computed here from the
result's resolved study; plots are the registry ``plots.PLOTS``.
"""

from __future__ import annotations

import datetime as _dt
import json
import tomllib
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from pathlib import Path

import numpy as np

from .. import __version__, catalog, chemistry, kernel
from ..cell import cell_file
from ..spec import StudyError
from .break_even import break_even_rows
from .labels import label, needs_baseline_mark, number, unit_of
from .plots import COLOURS, PLOTS, colour

MAX_ROWS = 25  # candidates/variants shown in tables and bar charts (sweeps: the Pareto front)
MAX_TRACED = len(COLOURS)  # WLTC traces are drawn for at most this many rows
WLTC = "wltc_class3b"
PACK_METRICS = ("pack_series", "pack_parallel", "pack_cells", "pack_energy_kWh",
                "pack_usable_energy_kWh", "pack_nominal_voltage_V", "pack_mass_kg", "pack_volume_L",
                "pack_specific_energy_Wh_per_kg", "vehicle_test_mass_kg")
BREAKDOWNS = ("cost_usd", "footprint_kgCO2e")  # the other breakdown entries are curves (extras)
# Factor tables read by the chain: always, and per procedure when the study runs it.
ALWAYS_TABLES = ("drivetrain", "inverter", "power_electronics", "pack_design", "procedures")
PROCEDURE_TABLES = {"acceleration": ("performance",), "fast_charge": ("charging",),
                    "cold": ("climate",), "launch_repeat": ("performance", "thermal", "endurance"),
                    "track": ("performance", "thermal", "endurance")}
PROCEDURE_CYCLES = {"wltp": ("wltc_class3b",), "epa": ("udds", "hwfet")}


@dataclass
class ReportData:
    """What the plots and the template read: the result, the rows shown and derived data."""

    result: object  # study.StudyResult
    rows: np.ndarray  # row indices shown
    rows_note: str = ""
    wltc: dict | None = None  # time_s (k,), speed_kmh and battery_kW (len(rows), k), rows
    wltc_note: str = ""
    extras: dict = field(default_factory=dict)  # curves: result.curves (and non-cost breakdowns)

    @property
    def study(self):
        return self.result.study

    @property
    def names(self) -> list[str]:
        return self.result.names

    @property
    def metrics(self) -> dict:
        return self.result.metrics

    @property
    def breakdowns(self) -> dict:
        return {k: v for k, v in self.result.breakdowns.items() if k in BREAKDOWNS}

    @cached_property
    def _displays(self) -> list[str] | None:
        """Every row's swept values when the candidates are a sweep's variants (which give them
        without building each candidate)."""
        displays = getattr(self.study.candidate, "displays", None)
        return displays() if displays is not None else None

    def display(self, i: int) -> str:
        """Row ``i``'s name as shown: a sweep variant by its swept values only."""
        sweep = self.study.sweep
        if sweep is None:
            return self.names[i]
        if self._displays is not None:
            return self._displays[i]
        from ..sweep import swept_text

        return ", ".join(swept_text(self.study.candidate[i], key) for key in sweep.parameters)

    def bounds(self, metric: str) -> list[float]:
        """The requirement limits (min and/or max) set on ``metric``."""
        b = self.study.requirements.get(metric)
        return [x for x in (b.min, b.max) if x is not None] if b else []


def shown_rows(result) -> tuple[np.ndarray, str]:
    """Every row when there are few; for a larger sweep its Pareto front (by the first
    objective) or the first rows, at most MAX_ROWS, with a note saying so."""
    n = len(result.names)
    if n <= MAX_ROWS:
        return np.arange(n), ""
    pareto = result.metrics.get("pareto")
    if pareto is not None and np.any(pareto > 0):
        rows = np.flatnonzero(pareto > 0)
        sweep = result.study.sweep
        first = sweep.objectives[0].partition(":")[2] if sweep and sweep.objectives else None
        if first in result.metrics:
            rows = rows[np.argsort(result.metrics[first][rows], kind="stable")]
        note = (f"{n:,} variants: tables and charts show {min(rows.size, MAX_ROWS)} of the "
                f"{rows.size} on the Pareto front; every variant is in results.parquet / .csv.")
        return rows[:MAX_ROWS], note
    return np.arange(MAX_ROWS), (f"{n:,} variants: tables and charts show the first {MAX_ROWS}; "
                                 "every variant is in results.parquet / .csv.")


def wltc_traces(result, rows: np.ndarray, base_dir: Path) -> dict:
    """Speed (km/h) and battery terminal power (kW, positive when discharging) of ``rows`` over
    the WLTC class 3b, from the same powertrain and starting state as the WLTP procedure."""
    from ..cycles import load_cycle
    from ..procedures import run_cycle
    from ..study import prepare

    study = result.study.model_copy(update={"candidate": [result.study.candidate[i] for i in rows]})
    fit = getattr(result, "calibration", None)  # the drivetrain fit the metrics were run with
    ready = prepare(study, base_dir, fit.parameters if fit is not None else None)
    cycle = load_cycle(WLTC)
    _, trace = run_cycle(ready.powertrain, cycle, traces=True)
    t = np.asarray(cycle.time_s, float)
    return {"rows": [int(i) for i in rows], "time_s": 0.5 * (t[:-1] + t[1:]),
            "speed_kmh": trace[:, kernel.T_SPEED, :] * 3.6,
            "battery_kW": trace[:, kernel.T_BATTERY_W, :] / 1e3}


def report_data(result, base_dir: Path | None = None) -> ReportData:
    """Rows to show, WLTC traces (when the study ran WLTP on few enough rows) and curves."""
    rows, note = shown_rows(result)
    extras = {k: v for k, v in result.breakdowns.items() if k not in BREAKDOWNS}
    data = ReportData(result, rows, note, extras=extras | getattr(result, "curves", {}))
    if "wltp" not in result.study.study.procedures:
        return data
    if rows.size > MAX_TRACED:
        data.wltc_note = f"WLTC traces are drawn for at most {MAX_TRACED} rows."
        return data
    try:
        data.wltc = wltc_traces(result, rows, Path(base_dir or "."))
    except StudyError as exc:  # e.g. a cell file relative to an unknown study folder
        data.wltc_note = f"WLTC traces not available: {exc}"
    return data


# --- tables ------------------------------------------------------------------------------


def _cell(x, unit: str = "") -> dict:
    """A table cell: the rounded text and the exact value (``data-value``)."""
    v = float(x)
    return {"text": number(v), "value": repr(v) if np.isfinite(v) else "nan", "unit": unit}


def metric_rows(data: ReportData, names) -> list[dict]:
    """One table row per metric present: label, unit, name and one cell per shown row."""
    out = []
    for m in names:
        if m in data.metrics and np.ndim(data.metrics[m]) == 1:
            values = np.asarray(data.metrics[m], float)
            out.append({"name": m, "label": label(m), "unit": unit_of(m),
                        "cells": [_cell(values[i]) for i in data.rows]})
    return out


def requirement_rows(data: ReportData) -> list[dict]:
    """One row per requirement (metric and bound), one cell per shown row with the value and
    margin in the metric's unit and in percent of the limit."""
    by_key: dict[tuple, dict] = {}
    names = {data.names[i]: k for k, i in enumerate(data.rows)}
    for c in (c for i in sorted(data.rows) for c in data.result.checks.row(i)):
        key = (c["metric"], c["bound"], c["limit"])
        row = by_key.setdefault(key, {
            "name": c["metric"], "label": label(c["metric"]), "unit": unit_of(c["metric"]),
            "area": c["area"], "bound": "≥" if c["bound"] == "min" else "≤",
            "limit": number(c["limit"]), "cells": [None] * len(data.rows)})
        sign = "+" if c["margin"] >= 0 else "−"
        pct = (f"{sign}{abs(c['margin_pct']):.1f} %" if np.isfinite(c["margin_pct"]) else "")
        row["cells"][names[c["candidate"]]] = {
            "value": number(c["value"]), "exact": repr(float(c["value"])),
            "margin": f"{sign}{number(abs(c['margin']))}", "margin_exact": repr(float(c["margin"])),
            "pct": pct, "passed": c["passed"]}
    return list(by_key.values())


def candidate_columns(data: ReportData) -> list[dict]:
    """Header cells: name, colour, cell, integration, inverter and verdicts per shown row."""
    verdicts = data.result.verdicts if data.result.checks else {}
    baseline = data.study.study.baseline
    out = []
    for k, i in enumerate(data.rows):
        cand, name = data.study.candidate[i], data.names[i]
        cell = cand.cell if isinstance(cand.cell, str) else "given in the study"
        integration = cand.pack.integration if cand.pack else "vehicle's own"
        out.append({"name": name, "display": data.display(i), "colour": colour(k),
                    "baseline": needs_baseline_mark(name, baseline),
                    "cell": cell, "integration": integration.replace("_", "-"),
                    "inverter": {"si": "Si", "sic": "SiC"}.get(cand.inverter, cand.inverter),
                    "verdict": verdicts.get(name)})
    return out


def other_metric_names(data: ReportData) -> list[str]:
    """Every 1-D result column not in the pack table, in the result's order."""
    return [m for m in data.metrics if m not in PACK_METRICS and np.ndim(data.metrics[m]) == 1]


# --- assumptions ---------------------------------------------------------------------------


def _entries(table: dict) -> list[dict]:
    rows = []
    for key, e in table.items():
        if not isinstance(e, dict) or "value" not in e:
            continue
        spread = (f"{e['low']} – {e['high']}" if "low" in e and "high" in e else "")
        rows.append({"key": key, "value": _short(e["value"]), "unit": e.get("unit", ""),
                     "range": spread, "source": e.get("source", "")})
    return rows


def _short(value) -> str:
    text = json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else str(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _sources_in(obj, prefix: str = "") -> list[dict]:
    """Every ``source``/``*_source`` string in a nested preset table, with its path."""
    out = []
    for key, value in obj.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            out += _sources_in(value, path + ".")
        elif isinstance(value, str) and (key == "source" or key.endswith("_source")):
            out.append({"key": prefix.rstrip(".") or key, "source": value})
    return out


def _distinct_candidates(study) -> list:
    """The study's candidates; for a sweep's variants, those that hold every swept value (in
    the order the values first appear)."""
    candidates = study.candidate
    representatives = getattr(candidates, "representatives", None)
    return representatives() if representatives is not None else candidates


def factor_tables(study) -> list[dict]:
    """The sourced factor tables the study's chain read, each with all its entries."""
    names = list(ALWAYS_TABLES)
    for procedure in study.study.procedures:
        names += PROCEDURE_TABLES.get(procedure, ())
    if any(not isinstance(c.cell, str) for c in _distinct_candidates(study)):
        names.append("cell_defaults")
    for name in chemistry.FACTOR_TABLES:
        names.append(f"{chemistry.PRICE_SET_PREFIX}{chemistry.price_set_year(study.cost.year)}"
                     if name == "materials" else name)
    return [{"name": n, "entries": _entries(catalog.factors(n))} for n in dict.fromkeys(names)]


def preset_sources(study, base_dir: Path | None = None) -> list[dict]:
    """Sources of the vehicle, the cell presets and cell files (relative to ``base_dir``) and
    their chemistries, chargers and cycles."""
    groups = []
    v = study.vehicle
    vehicle = [{"key": k, "source": s} for k, s in v.sources.items()]
    vehicle += [{"key": f"published {k}", "source": f"{p.get('value')}: {p.get('source', '')}"}
                for k, p in v.published.items()]
    groups.append({"title": f"Vehicle: {v.name}" + (f" (preset {v.preset})" if v.preset else ""),
                   "notes": [], "entries": vehicle})
    candidates = _distinct_candidates(study)
    cells = dict.fromkeys(c.cell for c in candidates if isinstance(c.cell, str))
    chemistries = {}
    for name in cells:
        path = cell_file(name, base_dir)
        if path is not None:  # a cell file of the user's
            preset, title = tomllib.loads(path.read_text(encoding="utf-8")), f"Cell file: {name}"
        else:
            preset, title = catalog.load_preset("cells", name), f"Cell preset: {name}"
        groups.append({"title": title, "notes": [preset.get("description", "")]
                       + list(preset.get("assumptions", [])),
                       "entries": [{"key": k, "source": s}
                                   for k, s in preset.get("sources", {}).items()]})
        if preset.get("chemistry"):
            chemistries[preset["chemistry"]] = None
    for name in chemistries:
        groups.append({"title": f"Cell chemistry: {name}", "notes": [],
                       "entries": _sources_in(chemistry.load_chemistry(name))})
    if "fast_charge" in study.study.procedures:
        from ..charging import default as charging_default

        chargers = dict.fromkeys(c.charger if isinstance(c.charger, str) or c.charger is None
                                 else "given in the study" for c in candidates)
        for name in chargers:
            name = name or charging_default("default_charger")
            path = catalog.data_dir() / "chargers" / f"{name}.toml"
            if path.is_file():
                raw = tomllib.loads(path.read_text())
                groups.append({"title": f"Charger preset: {name}",
                               "notes": [raw.get("description", "")],
                               "entries": [{"key": k, "source": s}
                                           for k, s in raw.get("sources", {}).items()]})
    provenance = _cycle_provenance()
    cycles = [c for p in study.study.procedures for c in PROCEDURE_CYCLES.get(p, ())]
    groups.append({"title": "Drive cycles", "notes": [], "entries": [
        {"key": c, "source": f"{provenance[c]['regulation']}; {provenance[c].get('license', '')}"}
        for c in cycles if c in provenance]})
    return groups


@cache
def _cycle_provenance() -> dict:
    with open(catalog.data_dir() / "cycles" / "provenance.toml", "rb") as f:
        return tomllib.load(f)


def study_settings(result) -> list[dict]:
    """The study-level choices: procedures, cost, footprint and uncertainty settings, and the
    drivetrain calibration fitted to the vehicle's published results."""
    study = result.study
    rows = [{"key": "procedures", "value": ", ".join(study.study.procedures)}]
    if study.study.baseline:
        rows.append({"key": "baseline", "value": study.study.baseline})
    for section in ("cost", "footprint", "uncertainty"):
        settings = getattr(study, section)
        if settings is not None:
            rows += [{"key": f"{section}.{k}", "value": _short(v)}
                     for k, v in settings.model_dump(mode="json").items()]
    if study.ranking.weights:
        rows.append({"key": "ranking.weights", "value": _short(study.ranking.weights)})
    fit = getattr(result, "calibration", None)
    if fit is not None:
        fitted = ", ".join(f"{k} = {v:.4g}" for k, v in fit.parameters.items())
        targets = ", ".join(f"{k} = {v:g}" for k, v in fit.targets.items())
        rows.append({"key": "vehicle calibration",
                     "value": f"fitted {fitted} to the published {targets}"})
    return rows


# --- page --------------------------------------------------------------------------------


@cache
def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


@cache
def _template():
    import jinja2

    text = (resources.files("packstudy.report") / "template.html.j2").read_text(encoding="utf-8")
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    return env.from_string(text)


def reproduction_rows(result) -> list[dict]:
    """The "does the model reproduce the car?" table: published figure, model value, error
    and tolerance per row of ``result.reproduction``, formatted for reading."""
    out = []
    for r in result.reproduction:
        error = r["error_pct"]
        out.append({"metric": r["metric"], "label": label(r["metric"]), "unit": unit_of(r["metric"]),
                    "published": number(r["published"]), "model": number(r["model"]),
                    "error": f"{error:+.1f} %" if np.isfinite(error) else "–",
                    "tolerance": (f"± {r['tolerance_pct']:g} %" if r["tolerance_pct"] else
                                  "fitted to it" if r["calibrated"] else ""),
                    "within": r["within"], "source": r["source"]})
    return out


def render_report(result, *, base_dir: Path | None = None) -> str:
    """The report's HTML text (see ``write_report``)."""
    from markupsafe import Markup

    data = report_data(result, base_dir)
    figures, plots = {}, []
    for plot in PLOTS:
        figure = plot.build(data)
        if figure is not None:
            figures[plot.id] = figure
            plots.append(plot)
    study = result.study
    figures_json = json.dumps(figures, separators=(",", ":"), allow_nan=False).replace("</", "<\\/")
    verdicts = result.verdicts if result.checks else {}
    return _template().render(
        study=study, data=data, n=len(result.names), plots=plots,
        columns=candidate_columns(data), requirements=requirement_rows(data),
        passing=sum(v["overall"] == "pass" for v in verdicts.values()),
        pack_rows=metric_rows(data, PACK_METRICS), break_even=break_even_rows(data),
        result_rows=metric_rows(data, other_metric_names(data)),
        settings=study_settings(result), presets=preset_sources(study, base_dir), notes=result.notes,
        factor_tables=factor_tables(study), version=__version__,
        reproduction=reproduction_rows(result),
        reproduction_name=result.reproduction[0]["candidate"] if result.reproduction else "",
        generated=_dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        figures_json=Markup(figures_json), plotly_js=Markup(_plotly_js()),
    )


def write_report(result, path: Path, *, base_dir: Path | None = None) -> Path:
    """Write the self-contained HTML report of a ``StudyResult`` to ``path`` (atomically).

    ``base_dir``: the study file's folder, for cell files given by relative path (default: the
    working directory); used to recompute the WLTC traces.
    """
    from ..results import atomic_write

    path = Path(path)
    text = render_report(result, base_dir=base_dir)
    atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))
    return path
