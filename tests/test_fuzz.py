"""Fuzzing the study file: mutated copies of the shipped example (tests/fuzzing.py) end in exit
2 with a clear message or in exit 0 with strict, finite-or-null, physical results.

Bounded for CI (PACKSTUDY_FUZZ_EXAMPLES, default 150, derandomized); for a bigger local run,
e.g. PACKSTUDY_FUZZ_EXAMPLES=2000 PACKSTUDY_FUZZ_SEED=7 python -m pytest tests/test_fuzz.py.
"""

import os
import tempfile
from pathlib import Path

from fuzzing import CYCLES, check_outcome, mutated_studies, to_toml
from hypothesis import HealthCheck, given, seed, settings
from typer.testing import CliRunner

from packstudy.cli import app

EXAMPLES = int(os.environ.get("PACKSTUDY_FUZZ_EXAMPLES", "150"))
SEED = os.environ.get("PACKSTUDY_FUZZ_SEED")


def run_cli(study_text: str | bytes, cycle: str | bytes | None, folder: Path) -> tuple[int, str]:
    """Write the study (and its cycle file) into ``folder`` and run ``packstudy run`` there."""
    path = folder / "study.toml"
    if isinstance(study_text, bytes):
        path.write_bytes(study_text)
    else:
        path.write_text(study_text, encoding="utf-8")
    if cycle is not None:
        (folder / "cycle.csv").write_bytes(cycle if isinstance(cycle, bytes) else cycle.encode())
    (folder / "cell.toml").write_text('name = "x"\n')
    result = CliRunner().invoke(app, ["run", str(path), "--out", str(folder / "out")])
    output = result.output  # stdout and stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        output += f"\nTraceback: {type(result.exception).__name__}: {result.exception}"
    return result.exit_code, output


def _fuzz(case):
    study, cycle = case
    with tempfile.TemporaryDirectory() as tmp:
        code, output = run_cli(to_toml(study), cycle, Path(tmp))
        check_outcome(code, output, Path(tmp) / "out")


_settings = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=SEED is None,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
test_mutated_studies = _settings(given(mutated_studies())(_fuzz))
if SEED is not None:
    test_mutated_studies = seed(int(SEED))(test_mutated_studies)


def test_each_bad_cycle_kind(tmp_path):
    """Every bad drive-cycle file, as a custom cycle and as the cold cycle."""
    from fuzzing import BINARY, base_study

    for i, content in enumerate([*CYCLES.values(), BINARY]):
        for where in ("cycles", "cold"):
            study = base_study()
            study["study"]["cycles" if where == "cycles" else "cold"] = (
                {"route": "cycle.csv"} if where == "cycles" else {"cycle": "cycle.csv"})
            folder = tmp_path / f"{i}-{where}"
            folder.mkdir()
            code, output = run_cli(to_toml(study), content, folder)
            check_outcome(code, output, folder / "out")
