"""Arrow helpers of packstudy.results: NumPy/str columns to Arrow and back, without pandas."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from packstudy.results import column_values, numeric_array, string_array, write_results
from packstudy.spec import parse_study
from packstudy.sweep import run_sweep


def test_numeric_array_matches_pa_array_and_keeps_nan():
    x = np.array([1.5, np.nan, -np.inf, 2e300])
    a = numeric_array(x)
    assert a.type == pa.float64() and a.null_count == 0
    assert a.buffers()[1] == pa.array(x).buffers()[1]  # NaN stays a value, as with pa.array
    assert np.frombuffer(a.buffers()[1]).tobytes() == x.tobytes()
    v = numeric_array(np.arange(3, 7))
    assert v.type == pa.int64() and v.to_pylist() == [3, 4, 5, 6]


def test_numeric_array_rejects_non_numeric_and_2d():
    with pytest.raises(TypeError, match="1-D numeric"):
        numeric_array(np.array(["a", "b"]))
    with pytest.raises(TypeError, match="1-D numeric"):
        numeric_array(np.zeros((2, 2)))


def test_string_array_utf8_and_empty():
    names = ["SUV pack | cell=nmc811-pouch", "", "Kühlung ≥ 25 °C"]
    a = string_array(names)
    assert a.equals(pa.array(names))
    assert string_array([]).to_pylist() == []


def test_column_values_round_trip_through_parquet_chunks_and_slices(tmp_path):
    x = np.linspace(0.0, 1.0, 7)
    table = pa.table({"variant": numeric_array(np.arange(7)), "x": numeric_array(x)})
    pq.write_table(table, tmp_path / "t.parquet", row_group_size=3)
    with pq.ParquetFile(tmp_path / "t.parquet") as f:
        back = pa.concat_tables([f.read(), table.slice(2, 3)])  # chunks, one with an offset
    assert column_values(back, "x").tobytes() == np.concatenate([x, x[2:5]]).tobytes()
    variant = column_values(back, "variant")
    assert variant.dtype == np.int64 and variant.tolist() == [*range(7), 2, 3, 4]
    with pytest.raises(ValueError, match="null"):
        column_values(pa.table({"y": pa.array([1.0, None])}), "y")


def test_helpers_do_not_import_pandas(tmp_path):
    code = f"""
import sys, numpy as np, pyarrow as pa, pyarrow.parquet as pq
from packstudy.results import column_values, numeric_array, string_array, write_results
from packstudy.spec import parse_study
from packstudy.sweep import run_sweep
t = pa.table({{"c": string_array(["a", "b"]), "x": numeric_array(np.arange(2.0))}})
pq.write_table(t, r"{tmp_path / 'p.parquet'}")
with pq.ParquetFile(r"{tmp_path / 'p.parquet'}") as f:
    column_values(f.read(), "x")
print("pandas" in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_swept_values_are_columns_of_every_results_file(tmp_path):
    """A sweep's results hold one ``sweep.KEY`` column per swept key with the value each
    variant asked for (numbers as numbers, names dictionary-encoded in Parquet), agreeing
    with the variant's name, in results.csv, results.parquet and results.json."""
    import json

    import pyarrow.csv as pacsv

    study = parse_study({
        "study": {"name": "columns", "procedures": ["wltp"]},
        "vehicle": {"preset": "tesla-model-3-rwd"},
        "candidate": [{"name": "base", "cell": "nmc811-pouch",
                       "pack": {"usable_energy_kWh": 60.0, "nominal_voltage_V": 400.0}}],
        "sweep": {"cell": ["nmc811-pouch", "lfp-prismatic"], "pack.usable_energy_kWh": [50, 70],
                  "inverter": ["si", "sic"], "batch_size": 3}})
    result = run_sweep(study, Path("."), tmp_path / "run", workers=1)
    write_results(result, tmp_path)
    parquet = pq.read_table(tmp_path / "results.parquet")
    csv = pacsv.read_csv(tmp_path / "results.csv")
    keys = ["sweep.cell", "sweep.pack.usable_energy_kWh", "sweep.inverter"]
    assert parquet.column_names[1:4] == keys and csv.column_names[1:4] == keys
    assert pa.types.is_dictionary(parquet.schema.field("sweep.cell").type)
    assert parquet.schema.field("sweep.pack.usable_energy_kWh").type == pa.float64()
    named = [dict(p.split("=") for p in n.split(" | ")[1].split(", ")) for n in result.names]
    for table in (parquet, csv):
        assert table.column("sweep.cell").to_pylist() == [v["cell"] for v in named]
        assert table.column("sweep.inverter").to_pylist() == [v["inverter"] for v in named]
        assert table.column("sweep.pack.usable_energy_kWh").to_pylist() == [
            float(v["pack.usable_energy_kWh"]) for v in named]
    doc = json.loads((tmp_path / "results.json").read_text())
    assert doc["candidates"][5]["swept"] == {"cell": "lfp-prismatic", "pack.usable_energy_kWh": 50.0,
                                             "inverter": "sic"}
    assert doc["candidates"][5]["name"] == result.names[5]
