"""Every shipped example gives the numbers stored in tests/golden/ (scripts/make_golden.py):
a refactor must not move any result. A change meant to move them regenerates the files and
says so in its commit."""

import importlib.util
import json
from pathlib import Path

import pytest

from packstudy.runner import run_study

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.toml"))
spec = importlib.util.spec_from_file_location("make_golden", ROOT / "scripts" / "make_golden.py")
make_golden = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make_golden)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_gives_the_stored_numbers(path, tmp_path):
    stored = json.loads((ROOT / "tests" / "golden" / f"{path.stem}.json").read_text())
    doc = json.loads(json.dumps(make_golden.document(run_study(path, out_dir=tmp_path, workers=1)),
                                default=float))
    now = make_golden.digest(doc)
    assert sorted(now) == sorted(stored)  # the same rows
    for name, row in stored.items():
        assert now[name]["verdict"] == row["verdict"], name
        assert set(now[name]["metrics"]) == set(row["metrics"]), name
        for key, value in row["metrics"].items():
            got = now[name]["metrics"][key]
            if value is None or got is None:
                assert got == value, (name, key)
            else:
                assert got == pytest.approx(value, rel=1e-9, abs=1e-12), (name, key)
