"""Cell presets and their validation: sources, published densities, errors, grids."""

import importlib.util
import tomllib
from pathlib import Path

import numpy as np
import pytest

from packstudy import catalog
from packstudy.cell import CHEMISTRIES, CellError, cell_arrays, cell_from_dict, load_cell
from packstudy.ecm import SOC_GRID, TEMP_GRID_C

REQUIRED = ["nmc811-pouch", "nmc9-pouch", "nmc622-prismatic", "nca-21700", "lfp-prismatic",
            "lmfp-prismatic", "solid-state-2030", "lg-m50"]

# Published cell specific energy (Wh/kg) and energy density (Wh/L) bands, from
# ../shared/validation/cost-footprint-figures.md §5 and the pack figures there divided by
# the sourced cell-to-pack ratios (0.61 module, 0.78 CTP).
BANDS = {
    # E-GMP: 161 Wh/kg pack / 0.61; BatPaC 5.0 NMC811 cell 336 Wh/kg, 647 Wh/L
    "nmc811-pouch": ((240, 340), (550, 700)),
    "nmc9-pouch": ((240, 340), (550, 750)),  # F-150 Lightning: ~160 Wh/kg pack / 0.61
    "nmc622-prismatic": ((200, 300), (400, 650)),
    "nca-21700": ((240, 280), (650, 800)),  # Samsung 21700-50S: >= 250 Wh/kg
    "lg-m50": ((240, 280), (650, 800)),
    # Blade pack 140-150 Wh/kg / 0.78; Qilin LFP pack 290 Wh/L / 0.72
    "lfp-prismatic": ((150, 210), (330, 450)),
    "lmfp-prismatic": ((200, 260), (450, 560)),
    "solid-state-2030": ((290, 450), (800, 950)),  # QuantumScape QSE-5 301 Wh/kg, 844 Wh/L
}


def _lg_table():
    return tomllib.loads(catalog.preset_path("cells", "lg-m50").read_text())


def test_required_presets_ship_and_load_with_sources():
    names = catalog.list_presets("cells")
    assert set(REQUIRED) <= set(names)
    for name in names:
        cell = load_cell(name)  # presets must source every number (raises otherwise)
        assert cell.chemistry in CHEMISTRIES
        assert not any("no source given" in a for a in cell.assumptions)


@pytest.mark.parametrize("name", REQUIRED)
def test_energy_densities_match_published_figures(name):
    cell = load_cell(name)
    (g_lo, g_hi), (v_lo, v_hi) = BANDS[name]
    assert g_lo <= cell.energy_Wh / cell.mass_kg <= g_hi
    assert v_lo <= cell.energy_Wh / cell.volume_L <= v_hi


def test_projection_carries_low_high():
    cell = load_cell("solid-state-2030")
    lo, hi = cell.ranges["mass_kg"]
    assert lo < hi and lo <= cell.mass_kg <= hi


def test_lg_m50_matches_chen2020_and_datasheet():
    cell = load_cell("lg-m50")
    assert cell.capacity_Ah == pytest.approx(5.0, rel=0.05)  # Chen2020 nominal 5.0 Ah
    assert (cell.v_min_V, cell.v_max_V) == (2.5, 4.2)
    assert cell.volume_L == pytest.approx(0.0242, rel=0.03)  # PyBaMM cell volume 2.42e-5 m3
    assert cell.mass_kg == pytest.approx(0.069, rel=0.02)
    assert 0.015 < cell.r0_ohm.mean() < 0.05  # 21700 DC resistance is tens of mOhm
    assert "rmse_V" in _lg_table()["fit"]


def test_errors_are_collected_with_file_and_field():
    table = _lg_table()
    table["capacity_Ah"] = -5.0
    table["v_min_V"] = 4.3
    table["ocv"]["ocv_V"][10] = table["ocv"]["ocv_V"][9] - 0.1
    table["chemistry"] = "nmc"
    with pytest.raises(CellError) as err:
        cell_from_dict(table, where="my-cell.toml")
    msg = str(err.value)
    assert msg.startswith("my-cell.toml")
    for field in ("capacity_Ah", "v_min_V", "ocv.ocv_V: must increase", "chemistry"):
        assert field in msg


def test_preset_without_sources_is_rejected_but_user_file_is_flagged(tmp_path):
    table = _lg_table()
    del table["sources"]["mass_kg"]
    cell = cell_from_dict(table)
    assert any("mass_kg" in a for a in cell.assumptions)
    with pytest.raises(CellError, match="sources: every number needs a source"):
        cell_from_dict(table, require_sources=True)


def test_a_cell_file_edited_between_loads_is_read_again(tmp_path):
    # parsed files are cached per process: an edit (same size, same second) must still show,
    # and changing a loaded cell must not reach the next load
    text = catalog.preset_path("cells", "lg-m50").read_text()
    path = tmp_path / "my-cell.toml"
    path.write_text(text)
    first = load_cell(path)
    first.ocv_V[:] = 0.0
    first.sources.clear()
    again = load_cell(path)
    assert again.ocv_V.min() > 2.0 and again.sources["mass_kg"].startswith("LG Chem")
    path.write_text(text.replace("mass_kg = 0.06925", "mass_kg = 0.07125", 1))
    assert again.mass_kg == pytest.approx(0.06925)
    assert load_cell(path).mass_kg == pytest.approx(0.07125)


def test_unknown_preset_suggests_close_names():
    with pytest.raises(CellError, match="nmc811-pouch"):
        load_cell("nmc811-poch")


def test_cell_arrays_gather_rows_on_the_grids():
    cells = [load_cell("lg-m50"), load_cell("lfp-prismatic")]
    arr = cell_arrays(cells, np.array([1, 0, 1, 1]))
    assert arr.ocv_V.shape == (4, SOC_GRID.size)
    assert arr.r0_ohm.shape == (4, SOC_GRID.size, TEMP_GRID_C.size)
    assert list(arr.name) == ["lfp-prismatic", "lg-m50", "lfp-prismatic", "lfp-prismatic"]
    assert arr.energy_Wh[1] == pytest.approx(cells[0].energy_Wh)
    # Arrhenius, 35 kJ/mol: exp(35000/8.314 (1/253.15 - 1/298.15)) = 12.3 at -20 degC
    j25 = int(np.argmin(abs(TEMP_GRID_C - 25)))
    ratio = arr.r0_ohm[1, 10, 0] / arr.r0_ohm[1, 10, j25]
    assert ratio == pytest.approx(12.30, rel=0.005)
    assert np.all(np.diff(arr.ocv_V, axis=1) > 0)


def test_inline_table_with_2d_resistance():
    table = _lg_table()
    res = table["resistance"]
    res["temperature_C"] = [0.0, 25.0]
    res["r0_ohm"] = [[2 * r, r] for r in res["r0_ohm"]]
    res["r1_ohm"] = [[r, r] for r in res["r1_ohm"]]
    res["c1_F"] = [[t / r[0]] * 2 for t, r in zip(res.pop("tau1_s"), res["r1_ohm"], strict=True)]
    del res["activation_energy_J_per_mol"]
    arr = cell_arrays([load_cell(table)])
    j0 = int(np.argmin(abs(TEMP_GRID_C)))
    assert arr.r0_ohm[0, 10, j0] == pytest.approx(2 * arr.r0_ohm[0, 10, -2], rel=1e-9)


def test_generated_cell_presets_are_what_their_script_writes():
    """The cell presets say "Generated by scripts/make_cell_presets.py - edit the script, not
    this file": the committed files must be the script's output byte for byte."""
    spec = importlib.util.spec_from_file_location(
        "make_cell_presets", Path(__file__).parents[1] / "scripts" / "make_cell_presets.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert set(script.PRESETS) == set(catalog.list_presets("cells")) - {"lg-m50"}
    for name in script.PRESETS:
        assert script.preset_text(name) == catalog.preset_path("cells", name).read_text(), name
