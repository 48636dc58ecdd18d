"""report.html: structure, self-containment, numbers that match the results, optional plots."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from packstudy.chain import REPORT_CURVES_MAX_ROWS
from packstudy.report import PLOTS, render_report, report_data, write_report
from packstudy.report.labels import label, number, unit_of
from packstudy.runner import run_study

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
VOID = {"meta", "br", "img", "input", "link", "hr", "col", "area", "base", "source", "wbr"}
SECTIONS = ("verdict", "packs", "energy", "performance", "cost", "footprint", "results",
            "assumptions")


class Page(HTMLParser):
    """Checks tag balance and collects ids, attributes, table cells and script text."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.stack, self.problems, self.ids, self.attrs = [], [], set(), []
        self.cells, self.scripts, self._cell, self._script = [], {}, None, None
        self.feed(text)
        self.close()
        if self.stack:
            self.problems.append(f"unclosed tags: {self.stack}")

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.attrs.append((tag, a))
        if "id" in a:
            if a["id"] in self.ids:
                self.problems.append(f"duplicate id {a['id']}")
            self.ids.add(a["id"])
        if tag not in VOID:
            self.stack.append(tag)
        if tag == "tr":
            self._row = a.get("data-metric")
        if tag == "td" and getattr(self, "_row", None) and "data-value" in a:
            self._cell = {"metric": self._row, "col": int(a["data-col"]), **a, "text": ""}
        if tag == "script":
            self._script = a.get("id", "")
            self.scripts[self._script] = ""

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:]}")
            return
        self.stack.pop()
        if tag == "td" and self._cell is not None:
            self.cells.append(self._cell)
            self._cell = None
        if tag == "script":
            self._script = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell["text"] += data
        if self._script is not None:
            self.scripts[self._script] += data


@pytest.fixture(scope="module")
def example():
    result = run_study(EXAMPLES / "performance-suv-battery-options.toml")
    text = render_report(result)
    return result, text, Page(text)


def figures(page: Page) -> dict:
    return json.loads(page.scripts["figures"])


def test_valid_html_with_every_section(example):
    result, text, page = example
    assert page.problems == []
    assert text.startswith("<!doctype html>")
    assert {f"{s}" for s in SECTIONS} <= page.ids
    assert {"verdict-table", "requirements-table", "packs-table", "results-table"} <= page.ids
    for plot in ("range", "consumption", "wltc-trace", "fast-charge", "cost", "footprint",
                 "minerals"):
        assert f"plot-{plot}" in page.ids
    assert "plot-acceleration" in page.ids  # the study ran the acceleration procedure
    # absent data, absent plots: no uncertainty section, no sweep
    assert not {"uncertainty", "sweep", "plot-pareto"} & page.ids
    for name in result.names:
        assert name in text


def test_self_contained_no_external_resources(example):
    _, text, page = example
    for tag, attrs in page.attrs:
        for key in ("src", "href", "action", "data", "poster", "srcset", "background"):
            value = attrs.get(key)
            assert value is None or value.startswith("#"), f"<{tag} {key}={value!r}>"
    assert "Plotly.newPlot" in text and len(page.scripts["plotly-js"]) > 1_000_000
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", text)
    assert not re.search(r"@import", text.split('<script id="plotly-js">')[0])
    csp = [a["content"] for t, a in page.attrs if a.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in csp[0]


def test_numbers_match_the_results(example):
    result, _, page = example
    assert page.cells, "no numeric cells found"
    seen = set()
    for cell in page.cells:
        metric, col = cell["metric"], cell["col"]
        if "data-margin" in cell:  # requirements table: value and margin of the check
            check = next(c for c in result.checks if c["metric"] == metric
                         and c["candidate"] == result.names[col]
                         and abs(c["margin"] - float(cell["data-margin"])) < 1e-9)
            assert float(cell["data-value"]) == check["value"]
            seen.add(("requirement", metric))
            continue
        expected = float(result.metrics[metric][col])
        if np.isnan(expected):
            assert cell["data-value"] == "nan" and cell["text"].strip() == "n/a"
        else:
            assert float(cell["data-value"]) == expected
            assert cell["text"].strip() == number(expected)
        seen.add(metric)
    for key in ("pack_mass_kg", "wltp_range_km", "epa_range_km", "pack_cost_usd", "lithium_kg",
                "footprint_kgCO2e_per_kWh", "fast_charge_10_80_min"):
        assert key in seen
    assert {("requirement", k) for k in result.study.requirements} <= seen


def test_verdicts_and_margins_shown(example):
    result, text, page = example
    verdicts = result.verdicts
    rows = [a for t, a in page.attrs if t == "tr" and "data-candidate" in a]
    assert [r["data-candidate"] for r in rows] == result.names
    passing = sum(v["overall"] == "pass" for v in verdicts.values())
    assert f"{passing} of {len(result.names)} candidates meet every requirement" in text
    # one failing margin, in the unit and in percent, as shown
    check = next(c for c in result.checks if not c["passed"])
    unit = unit_of(check["metric"])
    shown = f"−{number(abs(check['margin']))} {unit} (−{abs(check['margin_pct']):.1f} %)"
    assert shown in text


def test_figures_are_valid_plotly_and_carry_the_results(example):
    result, _, page = example
    go = pytest.importorskip("plotly.graph_objects")
    figs = figures(page)
    assert set(figs) == {p.id for p in PLOTS} - {"uncertainty", "pareto", "track", "life"}  # no laps run
    for fig in figs.values():
        go.Figure(fig)  # raises on any property Plotly does not know
    bars = {t["name"]: t for t in figs["range"]["data"] if t["type"] == "bar"}
    for i, name in enumerate(result.names):
        assert bars[name]["y"][0] == pytest.approx(result.metrics["wltp_range_km"][i], abs=1e-6)
    limit = result.study.requirements["wltp_range_km"].min
    assert any(s["y0"] == limit for s in figs["range"]["layout"]["shapes"])
    cost = figs["cost"]["data"]
    total = np.sum([t["y"] for t in cost], axis=0)
    assert total == pytest.approx(result.metrics["pack_cost_usd"], rel=1e-6)


def test_wltc_traces_reproduce_the_wltp_consumption(example):
    """The traces are the WLTP run itself: same cycle (23.27 km), same DC energy per km."""
    result = example[0]
    w = report_data(result).wltc
    distance_m = (w["speed_kmh"] / 3.6).sum(axis=1)  # 1 s steps
    assert distance_m == pytest.approx(23_266, abs=5)  # WLTC class 3b, UN GTR 15: 23.266 km
    dc = trace_dc_kWh_per_100km(w)
    assert dc == pytest.approx(result.metrics["wltp_dc_kWh_per_100km"], rel=1e-9)
    assert w["battery_kW"].max() > 40 and w["battery_kW"].min() < -20  # drive and regen


def trace_dc_kWh_per_100km(w: dict) -> np.ndarray:
    """DC consumption from WLTC traces (1 s steps): battery energy over distance."""
    distance_m = (w["speed_kmh"] / 3.6).sum(axis=1)
    return (w["battery_kW"] * 1e3).sum(axis=1) / distance_m * 1e5 / 3.6e6


def test_assumptions_list_every_factor_table_and_preset_source(example):
    result, text, page = example
    from packstudy import catalog

    for table in ("drivetrain", "inverter", "pack_design", "procedures", "performance", "charging",
                  "climate", "cell_design", "cell_manufacturing", "pack_integration",
                  "footprint", "grid"):
        entries = catalog.factors(table)
        assert f'data-table="{table}"' in text
        some = next(e for e in entries.values() if isinstance(e, dict) and "source" in e)
        assert _escaped(some["source"]) in text
    assert 'data-table="materials_2025"' in text or re.search(r'data-table="materials_\d{4}"', text)
    for source in result.study.vehicle.sources.values():
        assert _escaped(source) in text
    cell = catalog.load_preset("cells", "lfp-prismatic")
    assert all(_escaped(s) in text for s in cell["sources"].values())
    assert "UN GTR" in text or "WLTC" in text  # the cycle's provenance


def _escaped(s: str) -> str:
    from markupsafe import escape

    return str(escape(s))


def test_optional_plots_appear_when_their_data_does(tmp_path):
    """Uncertainty P10/P50/P90, a sweep's Pareto front and acceleration curves."""
    study = {
        "study": {"name": "small sweep", "procedures": ["wltp"]},
        "vehicle": {"preset": "polestar-3-long-range-dual-motor", "glider_mass_kg": 2010.0},
        "candidate": [{"name": "pack", "cell": "nmc811-pouch",
                       "pack": {"usable_energy_kWh": 90, "nominal_voltage_V": 400}}],
        "sweep": {"cell": ["nmc811-pouch", "lfp-prismatic"],
                  "pack.usable_energy_kWh": [80, 100, 120],
                  "objectives": ["min:pack_cost_usd", "max:wltp_range_km"]},
        "uncertainty": {"samples": 50, "seed": 3},
        "requirements": {"wltp_range_km": {"min": 500}},
    }
    result = run_study(study, base_dir=tmp_path)
    t = np.linspace(0.0, 5.0, 11)
    result.curves["acceleration_curve"] = {"trace_time_s": t,
                                           "trace_speed_kmh": np.outer(np.arange(1, 7), 20 * t)}
    page = Page(render_report(result))
    assert page.problems == []
    figs = figures(page)
    assert {"uncertainty", "pareto", "acceleration", "wltc-trace"} <= set(figs)
    front = [t for t in figs["pareto"]["data"] if t["name"] == "Pareto front"][0]
    assert len(front["x"]) == int(np.sum(result.metrics["pareto"] > 0)) >= 2
    p10 = result.metrics["pack_cost_usd_per_kWh_p10"]
    p90 = result.metrics["pack_cost_usd_per_kWh_p90"]
    marker = figs["uncertainty"]["data"][0]
    assert np.asarray(marker["error_y"]["array"]) + marker["y"] == pytest.approx(p90, rel=1e-6)
    assert np.asarray(marker["y"]) - marker["error_y"]["arrayminus"] == pytest.approx(p10, rel=1e-6)


def test_life_fade_plot_ends_at_the_life_result_with_the_warranty_line(tmp_path):
    study = {"study": {"procedures": ["wltp"], "life": {"years": 8},
                       "warranty": {"years": 8, "km": 160000, "min_capacity_pct": 70}},
             "vehicle": {"preset": "polestar-3-long-range-dual-motor"},
             "candidate": [{"name": "as built"}]}
    result = run_study(study, base_dir=tmp_path)
    page = Page(render_report(result))
    assert page.problems == []
    fig = figures(page)["life"]
    assert fig["data"][0]["x"][-1] == pytest.approx(8.0)
    assert fig["data"][0]["y"][-1] == pytest.approx(result.metrics["life_capacity_retention_pct"][0])
    assert fig["layout"]["shapes"][0]["y0"] == 70


def sweep_of_30(objectives: list[str]) -> dict:
    """3 cells x 10 usable energies of one pack on the Polestar 3 glider, WLTP only."""
    return {
        "study": {"name": "sweep", "procedures": ["wltp"]},
        "vehicle": {"preset": "polestar-3-long-range-dual-motor", "glider_mass_kg": 2010.0},
        "candidate": [{"name": "pack",
                       "pack": {"usable_energy_kWh": 90, "nominal_voltage_V": 400}}],
        "sweep": {"cell": ["nmc811-pouch", "lfp-prismatic", "nmc9-pouch"],
                  "pack.usable_energy_kWh": [70, 80, 90, 100, 110, 120, 130, 140, 150, 160],
                  "objectives": objectives},
    }


def test_large_sweep_shows_the_front_only(tmp_path):
    result = run_study(sweep_of_30(["min:pack_cost_usd", "max:wltp_range_km"]), base_dir=tmp_path)
    data = report_data(result)
    front = np.flatnonzero(result.metrics["pareto"] > 0)
    assert len(result.names) == 30 and set(data.rows) <= set(front)
    assert "Pareto front" in data.rows_note
    costs = result.metrics["pack_cost_usd"][data.rows]
    assert np.all(np.diff(costs) >= 0)  # sorted by the first objective
    page = Page(render_report(result))
    assert page.problems == [] and "plot-pareto" in page.ids


def test_a_sweeps_traces_are_the_wltp_runs_of_the_variants_shown(tmp_path):
    """A sweep's batches keep no traces: the chain runs WLTP again at the end for the rows
    the report shows (here 2 of 30 on the front: the cheapest LFP pack and the lightest NMC
    one), and they are those rows' runs."""
    study = sweep_of_30(["min:pack_cost_usd", "min:pack_mass_kg"])
    # the CATL LFP cell (generic construction): cheaper than the NMC811 pouch at 70 kWh, where
    # the thin-electrode Blade (its teardown construction) is not
    study["sweep"]["cell"] = ["nmc811-pouch", "lfp-prismatic-catl", "nmc9-pouch"]
    result = run_study(study, base_dir=tmp_path)
    data = report_data(result)
    w = data.wltc
    assert len(result.names) == 30 and 2 <= data.rows.size <= 10 and data.rows[0] != 0
    assert w["rows"] == list(data.rows)
    dc = trace_dc_kWh_per_100km(w)
    assert dc == pytest.approx(result.metrics["wltp_dc_kWh_per_100km"][data.rows], rel=1e-9)


def test_a_study_of_more_rows_than_the_report_traces_keeps_no_trace():
    study = {"study": {"procedures": ["wltp"]}, "vehicle": {"preset": "tesla-model-3-rwd"},
             "candidate": [{"name": f"{kWh} kWh", "cell": "lfp-prismatic",
                            "pack": {"usable_energy_kWh": kWh, "nominal_voltage_V": 400}}
                           for kWh in range(50, 50 + 2 * (REPORT_CURVES_MAX_ROWS + 1), 2)]}
    result = run_study(study)
    assert "wltp_trace" not in result.curves
    data = report_data(result)
    assert data.wltc is None and "at most 10 rows" in data.wltc_note


def test_write_report_is_atomic_and_replaces(tmp_path, example):
    result = example[0]
    target = tmp_path / "report.html"
    target.write_text("old")
    assert write_report(result, target) == target
    assert target.read_text(encoding="utf-8").startswith("<!doctype html>")
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


@pytest.mark.parametrize("name, unit", [
    ("wltp_range_km", "km"), ("range_at_minus7C_km", "km"), ("accel_0_100_s_at_minus10C", "s"),
    ("peak_power_kW_at_20pct_soc", "kW"), ("pack_cost_usd_per_kWh_p10", "USD/kWh"),
    ("fast_charge_max_cell_temp_C", "°C"), ("epa_city_kWh_per_100km", "kWh/100 km"),
    ("top_speed_kmh", "km/h"), ("footprint_kgCO2e", "kg CO2e"), ("fast_charge_soc_reached", ""),
    ("fast_charge_km_in_10_min", "km"), ("fast_charge_20_90_min", "min"),
])
def test_units_from_result_names(name, unit):
    assert unit_of(name) == unit


def test_every_result_has_a_readable_label(example):
    """No result shown under its raw name ("Wltp dc kwh per 100km"): a label in words, the unit
    apart; names that follow a setting or a custom cycle's label read as such."""
    result, _, _ = example
    names = [*result.metrics, "fast_charge_20_90_min", "range_at_minus20C_km", "commute_kWh_per_100km",
             "commute_range_km", "commute_shortfall_kWh"]
    for name in names:
        text = label(name)
        assert "_" not in text and not re.search(r"kwh|kgco2e|\bper\b|[a-z]\s(km|kw|kg|v|w|c|s|min|usd)$",
                                                 text.lower()), (name, text)
    assert label("fast_charge_20_90_min") == "Fast charge 20-90 %"
    assert label("range_at_minus20C_km") == "Range at -20 °C"
    assert label("commute_kWh_per_100km") == "Commute"


def test_baseline_marked_once_when_its_name_says_so_already():
    from packstudy.cli import summary_table

    study = {"study": {"name": "b", "procedures": ["wltp"], "baseline": "Today (baseline)"},
             "vehicle": {"preset": "tesla-model-3-rwd"},
             "candidate": [{"name": "Today (baseline)", "cell": "nmc811-pouch"},
                           {"name": "Next", "cell": "lfp-prismatic"}],
             "requirements": {"wltp_range_km": {"min": 100}}}
    result = run_study(study)
    page = render_report(result)
    assert page.count("Today (baseline)") >= 1 and "(baseline) <em>(baseline)</em>" not in page
    headers = [str(column.header) for column in summary_table(result).columns]
    assert headers[1:] == ["Today (baseline)", "Next"]
    study["study"]["baseline"] = "Next"
    headers = [str(column.header) for column in summary_table(run_study(study)).columns]
    assert headers[1:] == ["Today (baseline)", "Next (baseline)"]


def test_the_template_compiles_without_a_usable_bytecode_cache_folder(tmp_path, monkeypatch):
    """jinja2 refuses a cache folder in the temporary directory that is not a private folder
    (here a file of that name): the report is then rendered without the cache, not an error."""
    import os
    import tempfile

    from packstudy.report.html import _template

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    (tmp_path / f"_jinja2-cache-{os.getuid()}").write_text("not a folder")
    template = _template.__wrapped__()
    assert template.environment.bytecode_cache is None
    assert template.name == "template.html.j2"
