"""The report's plots: Plotly figure dictionaries built from a ``ReportData``.

``PLOTS`` is the registry: one ``Plot`` entry per figure, in display order. A builder returns
a figure ``{"data": [...], "layout": {...}}`` or ``None`` when its inputs are absent (a
procedure the study did not run, a sweep without a Pareto front, ...), and the report skips it.
Adding a plot is adding one entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .labels import label, unit_of

# Plotly's default qualitative colours (D3 category10), one per candidate row in order.
COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
           "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")

RANGE_METRICS = ("wltp_range_km", "epa_range_km", "range_at_minus7C_km")
CONSUMPTION_METRICS = ("wltp_kWh_per_100km", "epa_city_kWh_per_100km", "epa_highway_kWh_per_100km",
                       "epa_combined_kWh_per_100km", "epa_city_unadjusted_kWh_per_100km",
                       "epa_highway_unadjusted_kWh_per_100km", "cold_kWh_per_100km")
MINERALS = ("lithium_kg", "nickel_kg", "cobalt_kg", "manganese_kg", "graphite_kg", "copper_kg",
            "aluminium_kg")
UNCERTAIN = ("pack_cost_usd_per_kWh", "footprint_kgCO2e_per_kWh", "system_cost_usd")
# D3 category20: distinct colours for the parts of a stacked breakdown (up to 20)
PARTS = ("#1f77b4", "#aec7e8", "#ff7f0e", "#ffbb78", "#2ca02c", "#98df8a", "#d62728", "#ff9896",
         "#9467bd", "#c5b0d5", "#8c564b", "#c49c94", "#e377c2", "#f7b6d2", "#7f7f7f", "#c7c7c7",
         "#bcbd22", "#dbdb8d", "#17becf", "#9edae5")
MAX_PARETO_POINTS = 20_000  # beyond this the off-front variants are thinned (every k-th drawn)


@dataclass(frozen=True)
class Plot:
    """One figure of the report: its id, the section it belongs to, a title and a builder."""

    id: str
    section: str
    title: str
    build: Callable[[object], dict | None]


def colour(i: int) -> str:
    return COLOURS[i % len(COLOURS)]


def wrap(name: str, width: int = 22) -> str:
    """A candidate name broken into lines of about ``width`` characters for a category axis."""
    lines, line = [], ""
    for word in name.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "<br>".join([*lines, line])


def _layout(yaxis: str, **extra) -> dict:
    return {"yaxis": {"title": {"text": yaxis}, "automargin": True},
            "xaxis": {"automargin": True}, "margin": {"t": 30, "r": 10, "b": 10, "l": 10},
            "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"}, "height": 440,
            "font": {"family": "system-ui, sans-serif", "size": 12}, **extra}


def _values(x) -> list:
    """JSON-ready floats (NaN and infinities become None, which Plotly leaves as gaps)."""
    x = np.round(np.asarray(x, dtype=float).ravel(), 6)
    finite = np.isfinite(x)
    if finite.all():
        return x.tolist()
    return [v if ok else None for v, ok in zip(x.tolist(), finite.tolist(), strict=True)]


def _bars(data, present: list[str], unit: str, title: str) -> dict:
    """Grouped bars of ``present`` metrics (one unit) with requirement limits as dashed lines.

    Up to ten rows: metrics on x, one colour per candidate; more rows: candidates on x, one
    colour per metric (colours would repeat otherwise)."""
    hover = "%{y:.1f} " + unit + "<extra>%{fullData.name}<br>%{x}</extra>"
    dash = {"color": "#000", "width": 2, "dash": "dash"}
    limits = [(j, m, b) for j, m in enumerate(present) for b in data.bounds(m)]
    if len(data.rows) <= len(COLOURS):
        x = [label(m) for m in present]
        traces = [{"type": "bar", "name": data.display(i), "x": x, "marker": {"color": colour(k)},
                   "y": _values([data.metrics[m][i] for m in present]), "hovertemplate": hover}
                  for k, i in enumerate(data.rows)]
        shapes = [{"type": "line", "xref": "x", "yref": "y", "x0": j - 0.45, "x1": j + 0.45,
                   "y0": b, "y1": b, "line": dash} for j, _, b in limits]
        notes = [{"xref": "x", "x": j + 0.45, "y": b, "xanchor": "right",
                  "text": f"requirement {b:g}"} for j, _, b in limits]
    else:
        x = [wrap(data.display(i)) for i in data.rows]
        traces = [{"type": "bar", "name": label(m), "x": x, "marker": {"color": colour(j)},
                   "y": _values(np.asarray(data.metrics[m])[data.rows]), "hovertemplate": hover}
                  for j, m in enumerate(present)]
        shapes = [{"type": "line", "xref": "paper", "yref": "y", "x0": 0, "x1": 1, "y0": b,
                   "y1": b, "line": {**dash, "color": colour(j)}} for j, _, b in limits]
        notes = [{"xref": "paper", "x": 1, "y": b, "xanchor": "right",
                  "text": f"{label(m)} requirement {b:g}"} for _, m, b in limits]
    layout = _layout(title, barmode="group", shapes=shapes)
    layout["annotations"] = [{**a, "yref": "y", "yanchor": "bottom", "showarrow": False}
                             for a in notes]
    return {"data": traces, "layout": layout}


def _procedure_bars(data, metrics: tuple[str, ...], suffix: str, unit: str) -> dict | None:
    """Bars of the standard procedures' ``metrics`` and the study's own cycles (``suffix``)."""
    custom = [f"{c}{suffix}" for c in data.study.study.cycles]
    present = [m for m in dict.fromkeys([*metrics, *custom]) if m in data.metrics]
    return _bars(data, present, unit, unit) if present else None


def range_bars(data) -> dict | None:
    return _procedure_bars(data, RANGE_METRICS, "_range_km", "km")


def consumption_bars(data) -> dict | None:
    return _procedure_bars(data, CONSUMPTION_METRICS, "_kWh_per_100km", "kWh/100 km")


def wltc_trace(data) -> dict | None:
    """Speed (top) and battery terminal power (bottom) over the WLTC, one line per candidate."""
    tr = data.wltc
    if tr is None:
        return None
    traces = []
    for k, i in enumerate(tr["rows"]):
        name, c = data.display(i), colour(k)
        common = {"type": "scatter", "mode": "lines", "name": name, "legendgroup": name,
                  "x": _values(tr["time_s"]), "line": {"color": c, "width": 1.2}}
        traces.append({**common, "y": _values(tr["speed_kmh"][k]), "yaxis": "y2",
                       "showlegend": False, "hovertemplate": "%{y:.1f} km/h<extra></extra>"})
        traces.append({**common, "y": _values(tr["battery_kW"][k]),
                       "hovertemplate": "%{y:.1f} kW<extra>%{fullData.name}</extra>"})
    layout = _layout("battery power (kW, + discharge)", height=560)
    layout["yaxis"]["domain"] = [0.0, 0.62]
    layout["yaxis2"] = {"title": {"text": "speed (km/h)"}, "domain": [0.68, 1.0],
                        "automargin": True}
    layout["xaxis"]["title"] = {"text": "time (s)"}
    return {"data": traces, "layout": layout}


def acceleration_curves(data) -> dict | None:
    """Full-throttle speed over time (``breakdowns["acceleration_curve"]``)."""
    curve = data.extras.get("acceleration_curve")
    if not curve or "trace_speed_kmh" not in curve:
        return None
    t, v = np.asarray(curve["trace_time_s"]), np.asarray(curve["trace_speed_kmh"])
    end = np.argmax(v, axis=1) + 1  # the run stops at its top speed; the rest of the trace is 0
    traces = [{"type": "scatter", "mode": "lines", "name": data.display(i),
               "x": _values(t[:end[i]]), "y": _values(v[i, :end[i]]), "line": {"color": colour(k)},
               "hovertemplate": "%{x:.2f} s: %{y:.0f} km/h<extra>%{fullData.name}</extra>"}
              for k, i in enumerate(data.rows)]
    layout = _layout("speed (km/h)", shapes=[{
        "type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": 100, "y1": 100,
        "line": {"color": "#888", "width": 1, "dash": "dot"}}])
    layout["xaxis"]["title"] = {"text": "time (s)"}
    return {"data": traces, "layout": layout}


def fast_charge_curves(data) -> dict | None:
    """DC fast-charge power over SOC (left) and SOC over time (right)."""
    curve = data.extras.get("fast_charge_curve")
    if not curve or "fast_charge_curve_kW" not in curve:
        return None
    soc = 100.0 * np.asarray(curve["fast_charge_curve_soc"])
    power = np.asarray(curve["fast_charge_curve_kW"])
    minutes = np.asarray(curve["fast_charge_curve_min"])
    traces = []
    for k, i in enumerate(data.rows):
        name, c = data.display(i), colour(k)
        traces.append({"type": "scatter", "mode": "lines", "name": name, "legendgroup": name,
                       "x": _values(soc), "y": _values(power[i]), "line": {"color": c},
                       "hovertemplate": "%{x:.0f} %: %{y:.0f} kW<extra>%{fullData.name}</extra>"})
        traces.append({"type": "scatter", "mode": "lines", "name": name, "legendgroup": name,
                       "showlegend": False, "x": _values(minutes[i]), "y": _values(soc),
                       "xaxis": "x2", "yaxis": "y2", "line": {"color": c},
                       "hovertemplate": "%{x:.1f} min: %{y:.0f} %<extra>%{fullData.name}</extra>"})
    layout = _layout("charging power (kW)")
    layout["xaxis"].update(domain=[0.0, 0.46], title={"text": "state of charge (%)"})
    layout["xaxis2"] = {"domain": [0.56, 1.0], "title": {"text": "time (min)"}, "anchor": "y2"}
    layout["yaxis2"] = {"title": {"text": "state of charge (%)"}, "anchor": "x2",
                        "automargin": True}
    return {"data": traces, "layout": layout}


def track_curves(data) -> dict | None:
    """Track laps: speed over the lap distance, first lap solid and last lap dotted (top), and
    the cell temperature over the whole run (bottom)."""
    curve = data.extras.get("track_curve")
    if not curve or "track_speed_first_kmh" not in curve:
        return None
    lap = _values(np.asarray(curve["track_distance_m"]) / 1e3)
    total = _values(np.asarray(curve["track_total_distance_m"]) / 1e3)
    traces = []
    for k, i in enumerate(data.rows):
        name, c = data.display(i), colour(k)
        for key, dash, shown in (("track_speed_first_kmh", "solid", True),
                                 ("track_speed_last_kmh", "dot", False)):
            traces.append({"type": "scatter", "mode": "lines", "name": name, "legendgroup": name,
                           "showlegend": shown, "x": lap, "y": _values(curve[key][i]),
                           "yaxis": "y2", "line": {"color": c, "width": 1.2, "dash": dash},
                           "hovertemplate": "%{x:.2f} km: %{y:.0f} km/h<extra>%{fullData.name}</extra>"})
        traces.append({"type": "scatter", "mode": "lines", "name": name, "legendgroup": name,
                       "showlegend": False, "x": total, "y": _values(curve["track_cell_temperature_C"][i]),
                       "xaxis": "x2", "line": {"color": c, "width": 1.2},
                       "hovertemplate": "%{x:.1f} km: %{y:.1f} °C<extra>%{fullData.name}</extra>"})
    layout = _layout("cell temperature (°C)", height=620)
    layout["yaxis"]["domain"] = [0.0, 0.42]
    layout["xaxis"]["title"] = {"text": "lap distance (km): first lap solid, last lap dotted"}
    layout["xaxis"]["anchor"] = "y2"
    layout["yaxis2"] = {"title": {"text": "speed (km/h)"}, "domain": [0.58, 1.0],
                        "automargin": True}
    layout["xaxis2"] = {"title": {"text": "distance over all laps (km)"}, "anchor": "y",
                        "automargin": True}
    return {"data": traces, "layout": layout}


def life_fade_curves(data) -> dict | None:
    """Capacity over the years of the life procedure, the warranty's minimum as a line."""
    curve = data.extras.get("life_fade_curve")
    if not curve or "capacity_retention_pct" not in curve:
        return None
    years, q = np.asarray(curve["time_years"]), np.asarray(curve["capacity_retention_pct"])
    traces = [{"type": "scatter", "mode": "lines", "name": data.display(i),
               "x": _values(years), "y": _values(q[i]), "line": {"color": colour(k)},
               "hovertemplate": "%{x:.2f} years: %{y:.1f} %<extra>%{fullData.name}</extra>"}
              for k, i in enumerate(data.rows)]
    shapes = []
    warranty = data.study.study.warranty
    if warranty is not None:
        shapes.append({"type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y",
                       "y0": warranty.min_capacity_pct, "y1": warranty.min_capacity_pct,
                       "line": {"color": "#b22", "width": 1, "dash": "dash"}})
    layout = _layout("capacity (% of new)", shapes=shapes)
    layout["xaxis"]["title"] = {"text": "years in service"}
    return {"data": traces, "layout": layout}


def _stacked(data, kind: str, unit: str) -> dict | None:
    parts = data.breakdowns.get(kind)
    if not parts:
        return None
    x = [wrap(data.display(i)) for i in data.rows]
    n = len(data.names)
    traces = [{"type": "bar", "name": label(part), "x": x,
               "marker": {"color": PARTS[j % len(PARTS)]},
               "y": _values(np.broadcast_to(np.asarray(values, float), (n,))[data.rows]),
               "hovertemplate": "%{y:,.0f} " + unit + "<extra>" + label(part) + "</extra>"}
              for j, (part, values) in enumerate(parts.items())]
    layout = _layout(unit, barmode="stack", height=560)
    layout["legend"].update(orientation="v", y=1.0, x=1.02, traceorder="normal")
    return {"data": traces, "layout": layout}


def cost_breakdown(data) -> dict | None:
    return _stacked(data, "cost_usd", "USD per pack")


def footprint_breakdown(data) -> dict | None:
    return _stacked(data, "footprint_kgCO2e", "kg CO2e per pack")


def minerals(data) -> dict | None:
    present = [m for m in MINERALS if m in data.metrics]
    return _bars(data, present, "kg", "kg per pack") if present else None


def uncertainty(data) -> dict | None:
    """P50 with the P10-P90 range, next to the deterministic value, per candidate."""
    present = [m for m in UNCERTAIN if all(f"{m}_p{p}" in data.metrics for p in (10, 50, 90))]
    if not present:
        return None
    traces = []
    for j, m in enumerate(present):
        ax = "" if j == 0 else str(j + 1)
        p10, p50, p90 = (np.asarray(data.metrics[f"{m}_p{p}"])[data.rows] for p in (10, 50, 90))
        x = [wrap(data.display(i)) for i in data.rows]
        traces.append({"type": "scatter", "mode": "markers", "name": "P50 (P10-P90 bar)",
                       "legendgroup": "p50", "showlegend": j == 0, "x": x, "y": _values(p50),
                       "xaxis": "x" + ax, "yaxis": "y" + ax,
                       "marker": {"color": "#1f77b4", "size": 10},
                       "error_y": {"type": "data", "symmetric": False, "array": _values(p90 - p50),
                                   "arrayminus": _values(p50 - p10)},
                       "hovertemplate": "P50 %{y:.1f}<extra></extra>"})
        if m in data.metrics:
            traces.append({"type": "scatter", "mode": "markers", "name": "central value",
                           "legendgroup": "central", "showlegend": j == 0, "x": x,
                           "y": _values(np.asarray(data.metrics[m])[data.rows]),
                           "xaxis": "x" + ax, "yaxis": "y" + ax,
                           "marker": {"color": "#000", "symbol": "diamond-open", "size": 9},
                           "hovertemplate": "central %{y:.1f}<extra></extra>"})
    layout = _layout(f"{label(present[0])} ({unit_of(present[0])})", height=480)
    width = 1.0 / len(present)
    for j, m in enumerate(present):
        ax = "" if j == 0 else str(j + 1)
        layout[f"xaxis{ax}"] = {"domain": [j * width + (0.06 if j else 0.0),
                                           (j + 1) * width - 0.04],
                                "anchor": f"y{ax}", "automargin": True}
        layout[f"yaxis{ax}"] = {"title": {"text": f"{label(m)} ({unit_of(m)})"},
                                "anchor": f"x{ax}", "automargin": True}
    return {"data": traces, "layout": layout}


def pareto_front(data) -> dict | None:
    """Sweep variants on the first objective against each other one; the front highlighted."""
    sweep = data.study.sweep
    if sweep is None or "pareto" not in data.metrics or len(sweep.objectives) < 2:
        return None
    objectives = [o.partition(":")[2] for o in sweep.objectives]
    if not all(o in data.metrics for o in objectives):
        return None
    front = np.asarray(data.metrics["pareto"]) > 0
    rest = np.flatnonzero(~front)
    rest = rest[:: max(1, int(np.ceil(rest.size / MAX_PARETO_POINTS)))]
    on = np.flatnonzero(front)
    x_name, others = objectives[0], objectives[1:]
    x = np.asarray(data.metrics[x_name])
    sets = [(rows, name, style, _values(x[rows]), [data.display(i) for i in rows])
            for rows, name, style in ((rest, "other variants", {"color": "#bbbbbb", "size": 5}),
                                      (on, "Pareto front", {"color": "#d62728", "size": 7}))]
    traces, layout = [], _layout("", height=460)
    width = 1.0 / len(others)
    for j, y_name in enumerate(others):
        ax = "" if j == 0 else str(j + 1)
        y = np.asarray(data.metrics[y_name])
        for rows, name, style, x_values, text in sets:  # x values and labels shared by the panels
            traces.append({"type": "scatter", "mode": "markers", "name": name, "legendgroup": name,
                           "showlegend": j == 0, "x": x_values, "y": _values(y[rows]),
                           "text": text, "xaxis": "x" + ax,
                           "yaxis": "y" + ax, "marker": style,
                           "hovertemplate": "%{text}<br>%{x:.4g}, %{y:.4g}<extra></extra>"})
        layout[f"xaxis{ax}"] = {"domain": [j * width + (0.07 if j else 0.0),
                                           (j + 1) * width - 0.03],
                                "anchor": f"y{ax}", "automargin": True,
                                "title": {"text": f"{label(x_name)} ({unit_of(x_name)})"}}
        layout[f"yaxis{ax}"] = {"anchor": f"x{ax}", "automargin": True,
                                "title": {"text": f"{label(y_name)} ({unit_of(y_name)})"}}
    return {"data": traces, "layout": layout}


PLOTS = (
    Plot("range", "energy", "Range by procedure", range_bars),
    Plot("consumption", "energy", "Consumption by procedure (AC, from the wall)", consumption_bars),
    Plot("wltc-trace", "energy", "WLTC class 3b: speed and battery power", wltc_trace),
    Plot("acceleration", "performance", "Full-throttle acceleration", acceleration_curves),
    Plot("fast-charge", "performance", "DC fast charge", fast_charge_curves),
    Plot("track", "performance", "Track laps: speed and cell temperature over distance", track_curves),
    Plot("life", "performance", "Battery life: capacity over the years (dashed: warranty minimum)",
         life_fade_curves),
    Plot("cost", "cost", "Pack manufacturing cost breakdown (not a market price)", cost_breakdown),
    Plot("footprint", "footprint", "Cradle-to-gate footprint breakdown", footprint_breakdown),
    Plot("minerals", "footprint", "Critical minerals and metals in the pack", minerals),
    Plot("uncertainty", "uncertainty", "Uncertainty: P10 / P50 / P90", uncertainty),
    Plot("pareto", "sweep", "Design sweep: Pareto front", pareto_front),
)
