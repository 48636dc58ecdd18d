"""End to end in a real browser: report.html opened in headless Chromium with the network blocked.

Needs Debian's ``chromium`` (``apt-get install -y chromium``) and ``pip install playwright``
(no ``playwright install``: the system Chromium is used). Set ``PACKSTUDY_REPORT_SCREENSHOT=1`` to
also save the screenshot to ``docs/report-screenshot.png``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from packstudy.report import write_report
from packstudy.runner import run_study

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
CHROMIUM = os.environ.get("PACKSTUDY_CHROMIUM", "/usr/bin/chromium")
# true once every plot container holds Plotly's svg
RENDERED = ("Array.from(document.querySelectorAll('div[data-plot]'))"
            ".every(e => e.querySelector('svg.main-svg') !== null)")
# per plot: its id, Plotly's svg layers, drawn marks (bars, points, lines) and height
PLOT_STATE = """els => els.map(e => ({
    id: e.dataset.plot,
    svg: e.querySelectorAll('svg.main-svg').length,
    marks: e.querySelectorAll('.trace, .point, .bars path, .scatterlayer path').length,
    height: e.getBoundingClientRect().height}))"""
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed "
                               "(pip install playwright; the system chromium is used)")
if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install -y chromium, "
                "or set PACKSTUDY_CHROMIUM)", allow_module_level=True)


def open_offline(report: Path, screenshot: Path | None = None) -> dict:
    """Open ``report`` with every non-file request aborted; return what the page showed."""
    console, requests = [], []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})

            def route(r):
                if r.request.url.startswith("file://"):
                    r.continue_()
                else:
                    requests.append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            page.on("console", lambda m: console.append((m.type, m.text)))
            page.on("pageerror", lambda e: console.append(("pageerror", str(e))))
            page.goto(report.as_uri(), wait_until="load")
            try:
                page.wait_for_function(RENDERED, timeout=15_000)
            except sync_api.TimeoutError:  # reported below: console errors, plots without svg
                pass
            plots = page.eval_on_selector_all("div[data-plot]", PLOT_STATE)
            if screenshot is not None:
                page.screenshot(path=str(screenshot), full_page=True)
            return {"console": console, "requests": requests, "plots": plots,
                    "title": page.title()}
        finally:
            browser.close()


SWEEP = {  # a small sweep with uncertainty: the Pareto and P10/P50/P90 plots
    "study": {"name": "Small sweep", "procedures": ["wltp", "epa"]},
    "vehicle": {"preset": "polestar-3-long-range-dual-motor", "glider_mass_kg": 2010.0},
    "candidate": [{"name": "pack", "pack": {"usable_energy_kWh": 90, "nominal_voltage_V": 400}}],
    "sweep": {"cell": ["nmc811-pouch", "lfp-prismatic"], "pack.usable_energy_kWh": [80, 100, 120],
              "objectives": ["min:pack_cost_usd", "max:wltp_range_km", "min:footprint_kgCO2e"]},
    "uncertainty": {"samples": 50, "seed": 1},
}


@pytest.fixture(scope="module", params=["example", "sweep", "platform"])
def shown(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(request.param)
    if request.param == "example":
        result = run_study(EXAMPLES / "performance-suv-battery-options.toml")
        expected = {"range", "consumption", "wltc-trace", "cost", "footprint", "minerals"}
    elif request.param == "sweep":
        result = run_study(SWEEP, base_dir=out)
        expected = {"range", "wltc-trace", "uncertainty", "pareto"}
    else:  # each vehicle's plots, under its prefix
        result = run_study(EXAMPLES / "performance-platform.toml")
        expected = {f"v{i}-{plot}" for i in (1, 2) for plot in ("range", "wltc-trace", "cost")}
    report = write_report(result, out / "report.html")
    seen = open_offline(report, out / "report.png")
    seen["png"], seen["expected"] = out / "report.png", expected
    if request.param == "example" and os.environ.get("PACKSTUDY_REPORT_SCREENSHOT"):
        viewport_shot(report, ROOT / "docs" / "report-screenshot.png")
    return seen


def viewport_shot(report: Path, target: Path) -> None:
    """A README-sized screenshot (the top of the report, 1280 x 1600 px)."""
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1600})
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://")
                       else r.abort())
            page.goto(report.as_uri(), wait_until="load")
            page.wait_for_function(RENDERED, timeout=30_000)
            page.screenshot(path=str(target))
        finally:
            browser.close()


def test_opens_offline_without_console_errors(shown):
    assert shown["requests"] == [], f"the report asked the network for {shown['requests']}"
    errors = [c for c in shown["console"] if c[0] in ("error", "pageerror", "warning")]
    assert errors == []
    assert shown["title"].endswith("packstudy report")


def test_every_plot_rendered(shown):
    ids = {p["id"] for p in shown["plots"]}
    assert shown["expected"] <= ids
    for plot in shown["plots"]:
        assert plot["svg"] >= 1, f"plot {plot['id']} has no svg"
        assert plot["marks"] > 0, f"plot {plot['id']} drew nothing"
        assert plot["height"] > 200


def test_screenshot_saved(shown):
    png = shown["png"].read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 50_000
