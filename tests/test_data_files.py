"""Every shipped default carries its source; every vehicle preset validates and is sourced."""

import pytest

from packstudy import catalog
from packstudy.spec import Vehicle

FACTOR_TABLES = sorted(p.stem for p in (catalog.data_dir() / "factors").glob("*.toml"))


@pytest.mark.parametrize("table", FACTOR_TABLES)
def test_every_factor_has_value_unit_source_and_ordered_range(table):
    for key, entry in catalog.factors(table).items():
        assert {"value", "source"} <= set(entry), f"{table}.{key}"
        assert len(entry["source"]) > 20, f"{table}.{key}: source too thin"
        if "low" in entry and "high" in entry and isinstance(entry["value"], int | float):
            assert entry["low"] <= entry["value"] <= entry["high"], f"{table}.{key}"


def test_shared_factor_tables_are_read_only_and_copies_are_independent():
    shared = catalog.factor_table("climate")
    with pytest.raises(TypeError):
        shared["heat_pump_cop"]["value"] = 9.0
    copy = catalog.factors("climate")
    copy["heat_pump_cop"]["value"].append(9.0)
    value = catalog.factor("climate", "heat_pump_cop")
    value.append(9.0)
    assert list(shared["heat_pump_cop"]["value"]) == catalog.factors("climate")["heat_pump_cop"]["value"]
    assert 9.0 not in shared["heat_pump_cop"]["value"]


@pytest.mark.parametrize("name", catalog.list_presets("vehicles"))
def test_vehicle_presets_validate_and_cite_every_number(name):
    data = catalog.load_preset("vehicles", name)
    Vehicle.model_validate(data)
    sources = data.get("sources", {})
    for key, value in data.items():
        if isinstance(value, int | float) and key not in ("schema_version", "model_year"):
            assert key in sources, f"{name}: {key} has no source"
    for key, value in data.get("battery", {}).items():
        if isinstance(value, int | float):
            assert f"battery.{key}" in sources, f"{name}: battery.{key} has no source"
    for key in data.get("battery", {}).get("dc_limits", {}):
        assert f"battery.dc_limits.{key}" in sources, f"{name}: battery.dc_limits.{key} has no source"
    for key, entry in data.get("published", {}).items():
        assert entry.get("source"), f"{name}: published.{key} has no source"


def test_required_vehicle_presets_ship():
    required = {
        "polestar-2-long-range-single-motor", "polestar-2-long-range-dual-motor",
        "polestar-3-long-range-dual-motor", "hyundai-ioniq-5-long-range-rwd",
        "kia-ev6-long-range-rwd", "ford-f150-lightning-extended-range", "tesla-model-3-rwd",
        "vw-id4-pro", "chevrolet-bolt-ev",
    }
    assert required <= set(catalog.list_presets("vehicles"))


def test_preset_calibration_records_match_what_a_run_fits():
    """Each vehicle preset's [calibration] record holds what a run fits today on its as-built
    battery system (after a change to a preset or to the model, rerun
    scripts/calibrate_presets.py): fitted values to their 4 recorded decimals, and ``met``."""
    import importlib.util
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "scripts" / "calibrate_presets.py"
    spec = importlib.util.spec_from_file_location("calibrate_presets", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name, fit in module.fit_presets():
        record = catalog.load_preset("vehicles", name)["calibration"]
        assert record["met"] == fit.met, name
        for key, value in fit.parameters.items():
            assert record["fitted"][key] == pytest.approx(value, abs=2e-4), (name, key)
