"""Running a study: read it, then evaluate its candidates, or sweep its variants in batches;
a platform study (``[[vehicle]]``) does so on each of its vehicles."""

from __future__ import annotations

import tempfile
from pathlib import Path

from .platforms import PlatformResult, is_platform, parse_platform
from .spec import Study, StudyError, parse_study, read_study_file
from .study import StudyResult, evaluate
from .sweep import run_sweep


def run_study(source, base_dir: Path | None = None, *, out_dir: Path | None = None,
              executor: str = "local", address: str | None = None, workers: int | None = None,
              resume: bool = False, progress=None, log=None) -> StudyResult | PlatformResult:
    """Run a study from a TOML path or a dict (the TOML's content).

    A study with a ``[sweep]`` runs its variants in batches on ``executor``; its results store
    goes to ``out_dir/sweep`` (``out_dir/vehicle-N/sweep`` for the N-th vehicle of a platform;
    a temporary folder when ``out_dir`` is None); ``log(message)`` hears what a resumed sweep
    reused or computed again. A platform study gives a ``PlatformResult``.
    """
    if isinstance(source, dict):
        raw, base, name = source, base_dir or Path("."), "<study>"
    else:
        raw, base, name = read_study_file(Path(source)), Path(source).parent, str(source)
    try:
        if not is_platform(raw):
            return _run(parse_study(raw, source=name, base_dir=base), base, out_dir, executor,
                        address, workers, resume, progress, log)
        studies = parse_platform(raw, source=name, base_dir=base)
        return PlatformResult([
            _run(study, base, None if out_dir is None else Path(out_dir) / f"vehicle-{i + 1}",
                 executor, address, workers, resume, progress, log)
            for i, study in enumerate(studies)])
    except StudyError as exc:  # name the study file in problems found while evaluating
        raise StudyError(name, exc.problems) from None


def _run(study: Study, base: Path, out_dir, executor, address, workers, resume, progress,
         log) -> StudyResult:
    """One vehicle's study: its candidates, or its sweep's variants."""
    if study.sweep is None:
        return evaluate(study, base)
    if out_dir is None:
        with tempfile.TemporaryDirectory() as tmp:
            return run_sweep(study, base, Path(tmp), executor=executor, address=address,
                             workers=workers, resume=False, progress=progress)
    return run_sweep(study, base, out_dir, executor=executor, address=address,
                     workers=workers, resume=resume, progress=progress, log=log)
