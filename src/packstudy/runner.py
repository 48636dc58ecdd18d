"""Running a study: read it, then evaluate its candidates, or sweep its variants in batches."""

from __future__ import annotations

import tempfile
from pathlib import Path

from .spec import StudyError, load_study, parse_study
from .study import StudyResult, evaluate
from .sweep import run_sweep


def run_study(source, base_dir: Path | None = None, *, out_dir: Path | None = None,
              executor: str = "local", address: str | None = None, workers: int | None = None,
              resume: bool = False, progress=None, log=None) -> StudyResult:
    """Run a study from a TOML path or a dict (the TOML's content).

    A study with a ``[sweep]`` runs its variants in batches on ``executor``; its results store
    goes to ``out_dir/sweep`` (a temporary folder when ``out_dir`` is None); ``log(message)``
    hears what a resumed sweep reused or computed again.
    """
    if isinstance(source, dict):
        study, base = parse_study(source, base_dir=base_dir), base_dir or Path(".")
        name = "<study>"
    else:
        (study, base), name = load_study(source), str(source)
    try:
        if study.sweep is None:
            return evaluate(study, base)
        if out_dir is None:
            with tempfile.TemporaryDirectory() as tmp:
                return run_sweep(study, base, Path(tmp), executor=executor, address=address,
                                 workers=workers, resume=False, progress=progress)
        return run_sweep(study, base, out_dir, executor=executor, address=address,
                         workers=workers, resume=resume, progress=progress, log=log)
    except StudyError as exc:  # name the study file in problems found while evaluating
        raise StudyError(name, exc.problems) from None
