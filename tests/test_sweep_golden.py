"""The shipped sweep example gives the numbers it gave before the columnar variants table
(``tests/data/sweep-example-golden.json``, written by the code of commit b4ae0da): the same
variant names, packs, ranges, costs, footprints, Pareto front and verdicts.

The tolerance (1e-12 relative) only allows for another CPU's floating-point rounding; on the
machine the file was written on the numbers agree to the last bit. A deliberate change of
the physics or of a default number changes them: rewrite the file then, with
``python tests/test_sweep_golden.py "why the numbers changed"``.
"""

import json
from pathlib import Path

import numpy as np

from packstudy.runner import run_study

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "data" / "sweep-example-golden.json"
EXAMPLE = ROOT / "examples" / "performance-suv-sweep.toml"
KEYS = ("pack_series", "pack_parallel", "pack_energy_kWh", "pack_mass_kg", "wltp_range_km",
        "epa_range_km", "pack_cost_usd", "footprint_kgCO2e", "system_cost_usd", "pareto")


def test_sweep_example_matches_its_golden_results(tmp_path):
    golden = json.loads(GOLDEN.read_text())
    result = run_study(EXAMPLE, out_dir=tmp_path, workers=1)
    assert result.names == golden["names"]
    for key, values in golden["metrics"].items():
        np.testing.assert_allclose(result.metrics[key], values, rtol=1e-12, atol=0, err_msg=key)
    assert [result.verdicts[n]["overall"] for n in result.names] == golden["overall"]


def write_golden(why: str) -> None:
    """Rewrite the golden file from the current code (``why``: what changed the numbers)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        result = run_study(EXAMPLE, out_dir=Path(tmp), workers=1)
    doc = {"source": f"examples/performance-suv-sweep.toml; {why}; values as Python repr",
           "names": result.names,
           "metrics": {k: [float(x) for x in np.asarray(result.metrics[k])] for k in KEYS},
           "overall": [result.verdicts[n]["overall"] for n in result.names]}
    GOLDEN.write_text(json.dumps(doc, indent=0) + "\n")


if __name__ == "__main__":
    import sys

    write_golden(" ".join(sys.argv[1:]) or "rewritten")
