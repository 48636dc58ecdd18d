"""Design sweeps: the cartesian product of ``[sweep]`` lists, run in batches on an executor,
each finished batch appended to a Parquet store so that an interrupted sweep resumes.

Executors: ``local`` (a process pool over the machine's cores) and ``dask`` (a Dask
distributed cluster at ``--address``; see the README for why Dask). Whatever ran them, the
batches are the same computation on the same inputs, so the numbers are identical.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import signal
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from numba import njit

from .lookup import check
from .results import atomic_write, column_values, numeric_array
from .spec import Candidate, Study, StudyError
from .store import changed_inputs, inputs_record, read_checked, remove_checked, write_checked
from .study import StudyResult, check_result_names, compute, decide, keep_for_report, pack_envelopes
from .variants import SweepTable

EXECUTORS = ("local", "dask")
STORE = "sweep"


class ExecutorError(ValueError):
    """The sweep's executor cannot be used: unknown, not installed, or not reachable."""




def variants(study: Study, start: int = 0, stop: int | None = None) -> list[Candidate]:
    """The base candidate with every combination of the swept values (in file order), or
    only combinations ``start`` to ``stop`` of them (each built and validated)."""
    return list(SweepTable(study, start, stop))


def evaluate_batch(study_data: dict, base_dir: str, start: int, stop: int,
                   calibrated: dict | None = None, values: list[list] | None = None) -> dict:
    """Metrics of variants [start, stop) of a swept study given as its JSON dump, with the
    vehicle's calibrated parameters (fitted once on the base candidate) applied and the swept
    ``values`` validated once for every batch (``SweepTable.axis_values``).

    Runs in worker processes (local or on a cluster), so it takes and returns plain data.
    """
    study = Study.model_validate(study_data)
    batch = study.model_copy(update={"candidate": SweepTable(study, start, stop, values)})
    metrics, *_ = compute(batch, Path(base_dir), calibrated)
    return {"variant": np.arange(start, stop), **{k: np.asarray(v, float) for k, v in metrics.items()}}


def pareto_front(metrics: dict, objectives: list[str]) -> np.ndarray:
    """True for the rows that no other row dominates on the objectives ("min:x", "max:y").

    A row can only be dominated by a row that sorts before it lexicographically, and if a
    dominated row dominates another, so does the row that dominates it: so rows are taken in
    lexicographic order and each is compared with the front found so far (``_front_sorted``).
    A row with a null (NaN) objective is never on the front and takes no part.
    """
    cols = []
    for objective in objectives:
        sense, _, key = objective.partition(":")
        x = np.asarray(metrics[key], float)
        cols.append(x if sense == "min" else -x)
    f = np.column_stack(cols)
    order = np.lexsort(f.T[::-1])
    order = order[np.isfinite(f[order]).all(axis=1)]
    front = np.zeros(f.shape[0], dtype=bool)
    front[order] = _front_sorted(np.ascontiguousarray(f[order]))
    return front


@njit(cache=True)
def _front_sorted(f):
    """Pareto front of rows ``f`` (minimised objectives) in lexicographic order: each row is
    compared with the front rows before it, stopping at the first that dominates it; a row
    equal to the one before shares its outcome (equal rows do not dominate each other)."""
    n, k = f.shape
    kept = np.empty(n, np.int64)
    m = 0
    on = np.zeros(n, np.bool_)
    for r in range(n):
        if r > 0:
            same = True
            for j in range(k):
                if f[r, j] != f[r - 1, j]:
                    same = False
                    break
            if same:
                on[r] = on[r - 1]
                continue
        dominated = False
        for q in range(m):
            s = kept[q]
            no_worse, better = True, False
            for j in range(k):
                if f[s, j] > f[r, j]:
                    no_worse = False
                    break
                if f[s, j] < f[r, j]:
                    better = True
            if no_worse and better:
                dominated = True
                break
        if not dominated:
            on[r] = True
            kept[m] = r
            m += 1
    return on


def run_sweep(study: Study, base_dir: Path, out_dir: Path, *, executor: str = "local",
              address: str | None = None, workers: int | None = None, resume: bool = False,
              progress=None, log=None) -> StudyResult:
    """Run every variant in batches; finished batches go to ``out_dir/sweep/`` as Parquet, each
    with its checksum, under a manifest of what they were computed from.

    With ``resume``, batches already in the store are read back instead of recomputed: the
    store must belong to the same study, computed from the same files (else StudyError naming
    them), and a damaged batch is computed again. ``progress(done_variants, total, elapsed_s)``
    is called after each batch; ``log(message)`` says what a resumed run reused or redid.
    """
    check("executor", executor, EXECUTORS, ExecutorError, prefix="--executor: ")
    log = log or (lambda message: None)
    cands = SweepTable(study)
    values = cands.axis_values()  # every swept value validated, once, before any batch runs
    total = len(cands)
    size = study.sweep.batch_size
    batches = [(lo, min(lo + size, total)) for lo in range(0, total, size)]
    study_data = study.model_dump(mode="json")
    store = Path(out_dir) / STORE
    manifest = {"study_sha256": hashlib.sha256(json.dumps(study_data, sort_keys=True).encode()).hexdigest(),
                "variants": total, "batch_size": size, "inputs": inputs_record(study, base_dir)}
    if resume and not _check_resumable(store, manifest, study, base_dir):
        log(f"--resume: no results store in {store}; computing every batch")
        resume = False
    # the study's own candidates, once: their calibration fit, and the result names its
    # requirements and objectives must use, checked before any batch runs
    own_metrics, _, _, fit = compute(study, base_dir)
    check_result_names(study, own_metrics)
    calibrated = fit.parameters if fit is not None else None
    if resume:
        computed = _stored_batches(store, batches, log)
        log(f"resuming: {len(computed)} of {len(batches)} batches reused from {store}, "
            f"{len(batches) - len(computed)} to compute")
    else:
        _new_store(store, manifest)
        computed = {}
    missing = [b for b in batches if b[0] not in computed]
    done = total - sum(hi - lo for lo, hi in missing)
    started = time.perf_counter()
    if progress:
        progress(done, total, 0.0)
    for lo, metrics in _execute(executor, address, workers, study_data, str(base_dir), missing,
                                calibrated, values):
        sink = pa.BufferOutputStream()
        pq.write_table(pa.table({k: numeric_array(v) for k, v in metrics.items()}), sink)
        write_checked(_batch_path(store, lo), sink.getvalue().to_pybytes(), len(metrics["variant"]))
        computed[lo] = metrics
        done += len(metrics["variant"])
        if progress:
            progress(done, total, time.perf_counter() - started)
    metrics = _gather(store, batches, computed)
    metrics.pop("variant")
    envelopes = {k: np.full(total, v[0]) for k, v in pack_envelopes([cands.base]).items()}
    swept = study.model_copy(update={"candidate": cands})
    result = decide(swept, cands.names(), metrics, {}, envelopes)  # envelopes are not swept
    result.inputs = study  # the study as written (the variants are in the rows)
    result.swept = cands.swept_columns()
    result.calibration = fit
    if study.sweep.objectives:
        result.metrics["pareto"] = pareto_front(result.metrics, study.sweep.objectives).astype(float)
    keep_for_report(result, base_dir, calibrated)
    return result


def _execute(executor, address, workers, study_data, base_dir, batches, calibrated, values):
    """Yield (first variant, metrics) for each batch as it finishes."""
    if not batches:
        return
    if executor == "dask":
        try:
            from dask.distributed import Client
            from dask.distributed import as_completed as dask_completed
        except ImportError:
            raise ExecutorError("--executor dask: dask.distributed is not installed; install it "
                                "with pip install 'packstudy[cluster]'") from None
        try:
            client = Client(address)
        except (OSError, TimeoutError) as exc:
            raise ExecutorError(f"--address {address}: no Dask scheduler answered ({exc}); start "
                                "one (dask scheduler) or run with --executor local") from None
        with client:
            futures = {client.submit(evaluate_batch, study_data, base_dir, lo, hi, calibrated,
                                     values, pure=False): lo for lo, hi in batches}
            for future in dask_completed(futures):
                yield futures[future], future.result()
        return
    workers = workers or min(len(batches), os.cpu_count() or 1)
    if workers == 1:
        for lo, hi in batches:
            yield lo, evaluate_batch(study_data, base_dir, lo, hi, calibrated, values)
        return
    # Forked workers inherit this process' objects and its garbage collector. Where the
    # collector runs, the objects are frozen first, so that the workers' collections skip them
    # instead of walking (and copying, page by page) the whole inherited heap, and thawed
    # afterwards unless they were frozen before. The CLI runs with the collector off, so its
    # workers never collect: nothing to freeze, and no gc.get_freeze_count, which walks every
    # frozen object (13 ms after the CLI's imports).
    thaw = gc.isenabled() and not gc.get_freeze_count()
    if gc.isenabled():
        gc.freeze()
    try:
        # Ctrl-C reaches the whole process group: the workers leave it to this process, which
        # drops the batches not started (those running finish) and says how to resume.
        with ProcessPoolExecutor(max_workers=workers, initializer=signal.signal,
                                 initargs=(signal.SIGINT, signal.SIG_IGN)) as pool:
            futures = {pool.submit(evaluate_batch, study_data, base_dir, lo, hi, calibrated,
                                   values): lo for lo, hi in batches}
            try:
                for future in as_completed(futures):
                    yield futures[future], future.result()
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    finally:
        if thaw:
            gc.unfreeze()


def _batch_path(store: Path, first_variant: int) -> Path:
    return store / f"batch-{first_variant:09d}.parquet"


def _check_resumable(store: Path, manifest: dict, study: Study, base_dir: Path) -> bool:
    """Whether the store can be resumed (False: it has no manifest, start afresh); raises
    StudyError when it belongs to another study or was computed from other files."""
    path = store / "manifest.json"
    if not path.exists():
        return False
    try:
        found = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise StudyError(str(path), [
            f"--resume: the store's manifest cannot be read ({exc}), so what its batches were "
            "computed from is unknown; run without --resume to compute every batch again"]) from None
    keys = ("study_sha256", "variants", "batch_size")
    if any(found.get(k) != manifest[k] for k in keys):
        raise StudyError(str(path), [
            "--resume: the results store belongs to another study or batch size "
            "(run without --resume into a new --out folder, or restore the study file)"])
    changed = changed_inputs(found.get("inputs", {}), manifest["inputs"], study, base_dir)
    if changed:
        raise StudyError(str(path), [f"--resume: {line}; restore it, or run without --resume to "
                                     "compute every batch again" for line in changed])
    return True


def _new_store(store: Path, manifest: dict) -> None:
    """An empty store with its manifest (batches of an earlier run removed)."""
    if store.exists():
        for old in store.glob("batch-*"):
            old.unlink()
    atomic_write(store / "manifest.json", lambda p: p.write_text(json.dumps(manifest, indent=2) + "\n"))


def _stored_batches(store: Path, batches, log) -> dict[int, dict[str, np.ndarray]]:
    """The batches a resumed run finds whole in the store, as metric columns. A batch whose
    file does not match its checksum, cannot be read or holds other rows is named through
    ``log``, removed and left to compute again."""
    found = {}
    for lo, hi in batches:
        path = _batch_path(store, lo)
        if not path.exists():
            continue
        data, rows, problem = read_checked(path)
        if data is not None:
            try:
                table = pq.ParquetFile(pa.BufferReader(data)).read()
                columns = {name: column_values(table, name) for name in table.column_names}
                if rows != hi - lo or not np.array_equal(columns.get("variant"), np.arange(lo, hi)):
                    problem = f"it holds other rows than variants {lo} to {hi - 1}"
            except (pa.ArrowException, ValueError, OSError) as exc:
                problem = f"it cannot be read ({exc})"
        if problem:
            log(f"{path} is damaged ({problem}): computing it again")
            remove_checked(path)
            continue
        found[lo] = columns
    return found


def _gather(store: Path, batches, computed: dict) -> dict[str, np.ndarray]:
    """All batches, in variant order, as metric columns (``computed``: first variant -> columns)."""
    parts = [computed[lo] for lo, _ in batches]
    keys = list(parts[0])
    variant = np.concatenate([part["variant"] for part in parts])
    if (any(list(part) != keys for part in parts)
            or not np.array_equal(variant, np.arange(variant.size))):
        raise StudyError(str(store), ["the results store is inconsistent (duplicate or missing variants)"])
    return {key: np.concatenate([part[key] for part in parts]) for key in keys}
