"""``report.html``: one self-contained file (plotly.js embedded, no network) that shows a study's
verdicts, packs, energy, performance, cost, footprint, minerals, uncertainty, sweep front and
every assumption with its source.

The report draws what the study computed: the result columns, and what the chain kept for it in
``StudyResult.curves`` (WLTC traces, SiC break-even, ...) and ``StudyResult.assumptions``
(``study.keep_for_report``); it imports no physics module. Plots are the registry ``plots.PLOTS``.
"""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

import numpy as np

from ..results import atomic_write, shown_rows
from ..version import __version__
from .break_even import break_even_rows
from .labels import label, needs_baseline_mark, number, unit_of
from .plots import COLOURS, PLOTS, colour

MAX_TRACED = len(COLOURS)  # WLTC traces are drawn for at most this many rows
PACK_METRICS = ("pack_series", "pack_parallel", "pack_cells", "pack_energy_kWh",
                "pack_usable_energy_kWh", "pack_nominal_voltage_V", "pack_mass_kg", "pack_volume_L",
                "pack_specific_energy_Wh_per_kg", "vehicle_test_mass_kg")
BREAKDOWNS = ("cost_usd", "footprint_kgCO2e")  # the other breakdown entries are curves (extras)


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
        if self.study.sweep is None or self._displays is None:
            return self.names[i]
        return self._displays[i]

    def bounds(self, metric: str) -> list[float]:
        """The requirement limits (min and/or max) set on ``metric``."""
        b = self.study.requirements.get(metric)
        return [x for x in (b.min, b.max) if x is not None] if b else []


def report_data(result) -> ReportData:
    """Rows to show, their WLTC traces (when the study ran WLTP and kept them for few enough
    rows) and curves."""
    rows, note = shown_rows(result)
    extras = {k: v for k, v in result.breakdowns.items() if k not in BREAKDOWNS}
    data = ReportData(result, rows, note, extras=extras | result.curves)
    if "wltp" not in result.study.study.procedures:
        return data
    if rows.size > MAX_TRACED:
        data.wltc_note = f"WLTC traces are drawn for at most {MAX_TRACED} rows."
        return data
    data.wltc = wltc_of(result.curves.get("wltp_trace"), rows)
    if data.wltc is None:
        data.wltc_note = "WLTC traces were not kept for these rows by the study run."
    return data


def wltc_of(kept: dict | None, rows: np.ndarray) -> dict | None:
    """The WLTC traces of ``rows`` from those the chain kept (``curves["wltp_trace"]``), or
    None when it kept none for some of them."""
    if kept is None:
        return None
    where = {int(r): k for k, r in enumerate(kept["rows"])}
    if any(int(i) not in where for i in rows):
        return None
    take = [where[int(i)] for i in rows]
    return {"rows": [int(i) for i in rows], "time_s": kept["time_s"],
            "speed_kmh": kept["speed_kmh"][take], "battery_kW": kept["battery_kW"][take]}


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


def factor_tables(result) -> list[dict]:
    """The sourced factor tables the study's chain read (``result.assumptions``), each with all
    its entries formatted for reading."""
    return [{"name": t["name"], "entries": _entries(t["table"])}
            for t in result.assumptions.get("factor_tables", [])]


def _short(value) -> str:
    text = json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else str(value)
    return text if len(text) <= 80 else text[:77] + "..."


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
    """plotly.js as shipped in the plotly wheel (read from its package data without importing
    plotly, whose import costs ~0.1 s of every run)."""
    from importlib.util import find_spec

    spec = find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("plotly is not installed; pip install plotly")
    folder = Path(next(iter(spec.submodule_search_locations)))
    return (folder / "package_data" / "plotly.min.js").read_text(encoding="utf-8")


@cache
def _template():
    """The report template, compiled once per user: jinja2's bytecode cache (a private folder
    in the temporary directory, checked against the template's text) saves the ~0.07 s that
    compiling it takes on every run. Where that folder cannot be used safely (another user's,
    or not a folder), the template is compiled without it."""
    import jinja2

    try:
        bytecode_cache = jinja2.FileSystemBytecodeCache()
    except (RuntimeError, OSError):  # jinja2 refuses an unsafe or unusable cache folder
        bytecode_cache = None
    env = jinja2.Environment(loader=jinja2.PackageLoader("packstudy.report", ""),
                             bytecode_cache=bytecode_cache,
                             autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    return env.get_template("template.html.j2")


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


def vehicle_context(result, prefix: str, figures: dict) -> dict:
    """What the template's ``vehicle_body`` reads of one vehicle's study result; its plots'
    figures go into ``figures`` under ``prefix`` + plot id."""
    data = report_data(result)
    plots = []
    for plot in PLOTS:
        figure = plot.build(data)
        if figure is not None:
            figures[prefix + plot.id] = figure
            plots.append(plot)
    verdicts = result.verdicts if result.checks else {}
    return dict(
        study=result.study, data=data, n=len(result.names), plots=plots,
        columns=candidate_columns(data), requirements=requirement_rows(data),
        passing=sum(v["overall"] == "pass" for v in verdicts.values()),
        pack_rows=metric_rows(data, PACK_METRICS), break_even=break_even_rows(data),
        result_rows=metric_rows(data, other_metric_names(data)),
        settings=study_settings(result), presets=result.assumptions.get("presets", []),
        notes=result.notes, factor_tables=factor_tables(result),
        reproduction=reproduction_rows(result),
        reproduction_name=result.reproduction[0]["candidate"] if result.reproduction else "")


def platform_context(result) -> dict:
    """The platform verdict table of a ``platforms.PlatformResult``."""
    verdicts = result.verdicts
    return {"vehicles": result.vehicles,
            "passing": sum(v["overall"] == "pass" for v in verdicts.values()),
            "rows": [{"name": name, **verdict} for name, verdict in verdicts.items()],
            "notes": result.notes}


def render_report(result) -> str:
    """The report's HTML text (see ``write_report``): one vehicle's, or a platform's (its
    verdict, then a section per vehicle)."""
    from markupsafe import Markup

    parts = getattr(result, "parts", None)  # a platforms.PlatformResult (not imported: one-way flow)
    figures: dict = {}
    if parts is None:
        vehicles = [vehicle_context(result, "", figures)]
    else:
        vehicles = [vehicle_context(part, f"v{i + 1}-", figures) for i, part in enumerate(parts)]
    figures_json = json.dumps(figures, separators=(",", ":"), allow_nan=False).replace("</", "<\\/")
    return _template().render(
        study=vehicles[0]["study"], n=vehicles[0]["n"], vehicles=vehicles,
        platform=platform_context(result) if parts is not None else None, version=__version__,
        generated=_dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        figures_json=Markup(figures_json), plotly_js=Markup(_plotly_js()),
    )


def write_report(result, path: Path) -> Path:
    """Write the self-contained HTML report of a ``StudyResult`` or a platform's result to
    ``path`` (atomically)."""
    path = Path(path)
    text = render_report(result)
    atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))
    return path
