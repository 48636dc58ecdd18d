"""Every shipped example study runs and gives sane, consistent results (DESIGN.md section 8),
and the numbers it gave before issue 14's refactor (``tests/data/examples-golden.json``).

The battery-options example also runs end to end through the CLI in ``test_cli.py``; here
each example in ``examples/`` runs through ``run_study`` in one process.

The golden file holds, per example, the row names, the overall verdicts and every result
(the key results of the 288-variant sweep), written by the code of commit b4ae0da. The
tolerance (1e-12 relative) only allows for another CPU's rounding; on the machine that wrote
it they agree to the last bit. A deliberate change of the physics or of a default number
changes them: rewrite the file then, with ``python tests/test_examples.py "why"``.
"""

import json
import tomllib
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from packstudy.runner import run_study

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.toml"))
SWEEP_SETTINGS = {"objectives", "batch_size"}
GOLDEN = Path(__file__).resolve().parent / "data" / "examples-golden.json"
SWEEP_KEYS = ("pack_series", "pack_parallel", "pack_energy_kWh", "pack_mass_kg", "wltp_range_km",
              "epa_range_km", "pack_cost_usd", "footprint_kgCO2e", "system_cost_usd", "pareto")


def test_examples_ship():
    assert {p.name for p in EXAMPLES} >= {"performance-suv-battery-options.toml",
                                          "performance-suv-sweep.toml"}


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs_with_finite_positive_headline_results(path, tmp_path):
    swept = {k: v for k, v in tomllib.loads(path.read_text()).get("sweep", {}).items()
             if k not in SWEEP_SETTINGS}
    result = run_study(path, out_dir=tmp_path, workers=1)
    n = len(result.names)
    assert len(set(result.names)) == n
    assert n == (int(np.prod([len(v) for v in swept.values()])) if swept
                 else len(tomllib.loads(path.read_text())["candidate"]))
    for key in ("wltp_range_km", "epa_range_km", "pack_cost_usd", "footprint_kgCO2e",
                "pack_mass_kg"):
        values = np.asarray(result.metrics[key])
        assert np.all(np.isfinite(values)) and np.all(values > 0), key
    golden = json.loads(GOLDEN.read_text())[path.stem]
    assert result.names == golden["names"]
    assert [result.verdicts[name]["overall"] for name in result.names] == golden["overall"]
    assert set(golden["metrics"]) <= set(result.metrics)
    for key, values in golden["metrics"].items():
        np.testing.assert_allclose(result.metrics[key], values, rtol=1e-12, atol=0, err_msg=key)


def golden_entry(result) -> dict:
    """What the golden file keeps of one example's results."""
    keys = SWEEP_KEYS if result.study.sweep is not None else sorted(result.metrics)
    return {"names": result.names,
            "overall": [result.verdicts[name]["overall"] for name in result.names],
            "metrics": {k: np.asarray(result.metrics[k], float).tolist() for k in keys}}


def test_sweep_example_range_and_cost_grow_with_usable_energy(tmp_path):
    """Within the shipped sweep, variants that differ only in the usable energy asked for:
    a pack designed with more usable energy gives more WLTP range (its added mass costs less
    than its energy adds) and costs more. Large cells quantise the design (the 202 Ah LFP cell
    at 400 V +- the voltage window has no 1P or 2P pack between about 96 and 128 kWh), so
    several requests can get the same pack, with the same results."""
    path = next(p for p in EXAMPLES if p.stem == "performance-suv-sweep")
    result = run_study(path, out_dir=tmp_path, workers=1)
    m = {k: np.asarray(v) for k, v in result.metrics.items()}
    groups = defaultdict(list)
    for row, name in enumerate(result.names):
        values = dict(part.split("=") for part in name.split(" | ")[1].split(", "))
        del values["pack.usable_energy_kWh"]
        groups[tuple(sorted(values.items()))].append(row)
    assert len(groups) == len(result.names) // 6  # six energies per group
    steps = 0
    for rows in groups.values():
        rows = sorted(rows, key=lambda r: m["pack_usable_energy_kWh"][r])
        more = np.diff(m["pack_usable_energy_kWh"][rows]) > 0.5
        steps += int(np.sum(more))
        for key in ("wltp_range_km", "pack_cost_usd"):
            step = np.diff(m[key][rows])
            assert np.all(step[more] > 0), key
            assert np.all(np.abs(step[~more]) <= 1e-9 * m[key][rows][1:][~more]), key  # same pack
    assert steps >= len(groups) * 3  # most requests do get a bigger pack
    assert np.any(m["pareto"] > 0)


if __name__ == "__main__":  # rewrite the golden file from the current code
    import sys
    import tempfile

    entries = {"source": " ".join(sys.argv[1:]) or "rewritten"}
    for example in EXAMPLES:
        with tempfile.TemporaryDirectory() as tmp:
            entries[example.stem] = golden_entry(run_study(example, out_dir=Path(tmp), workers=1))
    GOLDEN.write_text(json.dumps(entries, indent=0) + "\n")
