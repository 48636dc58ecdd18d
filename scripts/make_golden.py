"""Write tests/golden/<example>.json: every shipped example's results (each row's metrics and
verdict) that tests/test_golden.py compares a run with, so that a refactor is shown to give
the same numbers.

Run it only when a change of physics or data is meant to move the numbers, and say so in the
commit: ``python scripts/make_golden.py [RESULTS_DIR]`` (RESULTS_DIR: folders of results.json
per example, as ``packstudy run`` writes them; default: run every example now).
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"


MANY_ROWS = 25  # a larger study (a sweep) keeps the terminal summary's metrics only


def digest(doc: dict) -> dict:
    """The rows of a results.json document: name -> metrics (12 significant digits) and verdict
    (a platform's rows named "vehicle: candidate")."""
    from packstudy.metrics import summary_rows

    if "platform" in doc:
        return {f"{part['vehicle']}: {name}": row for part in doc["vehicles"]
                for name, row in digest(part).items()}
    kept = None
    if len(doc["candidates"]) > MANY_ROWS:
        kept = {name for name, *_ in summary_rows()} | {"pareto"}

    def round_(v):
        return float(f"{v:.12g}") if isinstance(v, float) else v

    return {c["name"]: {"metrics": {k: round_(v) for k, v in c["metrics"].items()
                                    if kept is None or k in kept},
                        "verdict": c["verdict"]["overall"]} for c in doc["candidates"]}


def document(result) -> dict:
    """results.json's content for a study's or a platform's result."""
    from packstudy.platforms import PlatformResult
    from packstudy.results import platform_document, results_document

    return (platform_document if isinstance(result, PlatformResult) else results_document)(result)


def main(results_dir: Path | None = None) -> None:
    from packstudy.runner import run_study

    GOLDEN.mkdir(exist_ok=True)
    for path in sorted((ROOT / "examples").glob("*.toml")):
        if results_dir is not None:
            doc = json.loads((results_dir / path.stem / "results.json").read_text())
        else:
            with tempfile.TemporaryDirectory() as tmp:
                doc = document(run_study(path, out_dir=Path(tmp), workers=1))
            doc = json.loads(json.dumps(doc, default=float))
        out = GOLDEN / f"{path.stem}.json"
        out.write_text(json.dumps(digest(doc), indent=1, sort_keys=True) + "\n")
        print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
