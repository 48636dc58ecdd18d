"""The metric registry: docs/nomenclature.md's result table is generated from it, every
registered name is documented, and its look-ups handle patterned names."""

import re
from pathlib import Path

import pytest

from packstudy import metrics

DOC = Path(__file__).resolve().parents[1] / "docs" / "nomenclature.md"


def test_nomenclature_doc_is_the_generated_table():
    text = DOC.read_text(encoding="utf-8")
    assert metrics.with_nomenclature_table(text) == text, (
        "docs/nomenclature.md differs from the registry: run python scripts/make_nomenclature.py")


def test_every_registered_name_is_documented():
    documented = re.findall(r"`([^`]+)`", " ".join(names for names, _ in metrics.DOC_ROWS))
    names = [m.name for m in metrics.METRICS]
    assert len(names) == len(set(names))
    assert [n for n in names if n not in documented] == []


def test_record_area_agrees_with_the_prefix_rule():
    # a percentile or delta of a registered name falls back on the prefix rule: both must agree
    for m in metrics.METRICS:
        assert m.area in ("technical", "cost", "sustainability"), m
        by_prefix = next((a for a, p in metrics.AREA_PREFIXES.items() if m.name.startswith(p)),
                         "technical")
        assert m.area == by_prefix, m.name
        assert metrics.area(m.name + "_p90") == m.area


def test_summary_rows_have_label_and_format():
    rows = metrics.summary_rows()
    assert len({name for name, _, _ in rows}) == len(rows) > 20
    for name, text, fmt in rows:
        assert text and fmt.format(1234.5678), name


@pytest.mark.parametrize("name, label, unit", [
    ("fast_charge_20_80_min", "Fast charge 20-80 %", "min"),
    ("range_at_minus20C_km", "Range at -20 °C", "km"),
    ("range_at_10C_km", "Range at 10 °C", "km"),
    ("accel_0_100_s_at_minus20C", "0-100 km/h at -20 °C", "s"),
    ("hills_range_km", "Hills range", "km"),
    ("hills_kWh_per_100km", "Hills", "kWh/100 km"),
    ("hills_shortfall_kWh", "Hills: energy not delivered", "kWh"),
    ("pack_cost_usd_per_kWh_p10", "Pack manufacturing cost P10", "USD/kWh"),
    ("fast_charge_km_in_10_min", "WLTP range added in 10 min", "km"),
    ("fast_charge_soc_reached", "Fast-charge window reached", ""),
    ("limit:warranty", "Warranty (capacity)", ""),
    ("gsa", "General, sales and administration", ""),
])
def test_patterned_names(name, label, unit):
    assert metrics.label(name) == label
    assert metrics.unit(name) == unit


def test_areas_and_directions():
    assert metrics.area("system_cost_usd_p50") == "cost"
    assert metrics.area("limit:recycled_content_2031") == "sustainability"
    assert metrics.area("limit:nominal_voltage_V") == "technical"
    assert metrics.higher_is_better("wltp_range_km") is True
    assert metrics.higher_is_better("wltp_kWh_per_100km") is False
    assert metrics.higher_is_better("fast_charge_10_80_min") is False
    assert metrics.higher_is_better("pack_cost_usd_per_kWh_p90") is False
    assert metrics.higher_is_better("pack_energy_kWh") is None
    assert metrics.higher_is_better("no_such_metric") is None
