"""The shipped sweep example gives the numbers it gave before the columnar variants table
(``tests/data/sweep-example-golden.json``, written by the code of commit b4ae0da): the same
variant names, packs, ranges, costs, footprints, Pareto front and verdicts.

The tolerance (1e-12 relative) only allows for another CPU's floating-point rounding; on the
machine the file was written on the numbers agree to the last bit. A deliberate change of
the physics or of a default number changes them: rewrite the file then (see its ``source``).
"""

import json
from pathlib import Path

import numpy as np

from packstudy.runner import run_study

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "data" / "sweep-example-golden.json"


def test_sweep_example_matches_its_golden_results(tmp_path):
    golden = json.loads(GOLDEN.read_text())
    result = run_study(ROOT / "examples" / "performance-suv-sweep.toml", out_dir=tmp_path, workers=1)
    assert result.names == golden["names"]
    for key, values in golden["metrics"].items():
        np.testing.assert_allclose(result.metrics[key], values, rtol=1e-12, atol=0, err_msg=key)
    assert [result.verdicts[n]["overall"] for n in result.names] == golden["overall"]
