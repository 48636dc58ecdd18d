"""Writing results: results.json, results.csv and results.parquet, each atomically.

Every file is written to a temporary file in the output folder and renamed into place, so a
reader never sees a half-written file and an earlier complete file is never lost.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .version import __version__

RESULTS_SCHEMA_VERSION = 1


def atomic_write(path: Path, write) -> None:
    """Call ``write(tmp_path)`` then rename the temporary file onto ``path``, with the
    permissions the user's umask gives a new file (the temporary file is private until then)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    """The process' umask, read without changing it where Linux tells it (os.umask can only
    be read by setting it, which would race with threads creating files)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# Arrow arrays are built from and read back to NumPy through their buffers: ``pa.array`` and
# ``to_numpy`` import pandas when it is installed (~0.5 s), these helpers never do.


def numeric_array(values) -> pa.Array:
    """A 1-D NumPy array of integers or floats as an Arrow array (no nulls, no copy)."""
    a = np.ascontiguousarray(values)
    if a.ndim != 1 or a.dtype.kind not in "iuf":
        raise TypeError(f"numeric_array: expected a 1-D numeric array, got {a.dtype} {a.shape}")
    return pa.Array.from_buffers(pa.from_numpy_dtype(a.dtype), a.size, [None, pa.py_buffer(a)])


def string_array(values: list[str]) -> pa.Array:
    """A list of str as an Arrow string array, no nulls."""
    encoded = [v.encode() for v in values]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int32)
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    return pa.Array.from_buffers(pa.string(), len(encoded),
                                 [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded))])


def column_values(table: pa.Table, name: str) -> np.ndarray:
    """A numeric column without nulls as a NumPy array (a copy)."""
    column = table.column(name)
    dtype = np.dtype(column.type.to_pandas_dtype())
    parts = []
    for chunk in column.chunks:
        if chunk.null_count:
            raise ValueError(f"column {name!r} has null values")
        data = np.frombuffer(chunk.buffers()[1], dtype=dtype, count=chunk.offset + len(chunk))
        parts.append(data[chunk.offset:])
    return np.concatenate(parts) if parts else np.empty(0, dtype)


def metrics_table(result) -> pa.Table:
    """One row per candidate/variant, a ``candidate`` column, a sweep's ``sweep.KEY`` columns
    (the value each variant asked for: numbers, or names dictionary-encoded), then one column
    per metric (NaN and infinities written as null)."""
    columns = {"candidate": string_array(result.names)}
    for key, values in result.swept.items():
        columns[key] = _nullable(values) if values.dtype.kind == "f" else _dictionary(values)
    for key, values in {**result.metrics, **result.deltas}.items():
        columns[key] = _nullable(np.asarray(values, dtype=float))
    return pa.table(columns)


def _dictionary(values: np.ndarray) -> pa.Array:
    """A str column as an Arrow dictionary array (each distinct value once, int32 codes)."""
    labels, codes = np.unique(values, return_inverse=True)
    return pa.DictionaryArray.from_arrays(numeric_array(codes.astype(np.int32)),
                                          string_array(labels.tolist()))


def _nullable(values: np.ndarray) -> pa.Array:
    """A float column as an Arrow array with null where a value is not finite."""
    values = np.ascontiguousarray(values, dtype=float)
    valid = np.isfinite(values)
    if valid.all():
        return numeric_array(values)
    bitmap = pa.py_buffer(np.packbits(valid, bitorder="little"))
    data = pa.py_buffer(np.where(valid, values, 0.0))
    return pa.Array.from_buffers(pa.float64(), values.size, [bitmap, data],
                                 null_count=int(values.size - valid.sum()))


SHOWN_MAX_ROWS = 25  # rows the report's tables and bar charts show (sweeps: the Pareto front)


def shown_rows(result) -> tuple[np.ndarray, str]:
    """The rows the report shows: every row when there are few; for a larger sweep its Pareto
    front (by the first objective) or the first rows, at most SHOWN_MAX_ROWS, with a note
    saying so. The chain keeps what the report draws of these rows (``study.keep_for_report``)."""
    n = len(result.names)
    if n <= SHOWN_MAX_ROWS:
        return np.arange(n), ""
    pareto = result.metrics.get("pareto")
    if pareto is not None and np.any(pareto > 0):
        rows = np.flatnonzero(pareto > 0)
        sweep = result.study.sweep
        first = sweep.objectives[0].partition(":")[2] if sweep and sweep.objectives else None
        if first in result.metrics:
            rows = rows[np.argsort(result.metrics[first][rows], kind="stable")]
        note = (f"{n:,} variants: tables and charts show {min(rows.size, SHOWN_MAX_ROWS)} of the "
                f"{rows.size} on the Pareto front; every variant is in results.parquet / .csv.")
        return rows[:SHOWN_MAX_ROWS], note
    return np.arange(SHOWN_MAX_ROWS), (f"{n:,} variants: tables and charts show the first "
                                       f"{SHOWN_MAX_ROWS}; every variant is in results.parquet / .csv.")


JSON_MAX_ROWS = 500  # larger sweeps: every row is in results.parquet/.csv, the JSON keeps a summary


def results_document(result) -> dict:
    """The content of results.json: inputs, and per candidate its metrics, verdict, deltas to
    the baseline and requirement margins (for large sweeps only the Pareto-front and a count).
    JSON-safe as built (NaN and infinities as None)."""
    verdict = result.verdicts
    n = len(result.names)
    rows = np.arange(n)
    if n > JSON_MAX_ROWS:
        pareto = result.metrics.get("pareto")
        rows = np.flatnonzero(pareto > 0) if pareto is not None else rows[:0]
    doc = {
        "schema_version": RESULTS_SCHEMA_VERSION,
        "packstudy_version": __version__,
        "study": result.study.study.name,
        "baseline": result.study.study.baseline,
        "inputs": (result.inputs or result.study).model_dump(mode="json"),
        "rows": n,
        "rows_meeting_every_requirement": sum(v["overall"] == "pass" for v in verdict.values()),
        "candidates": _candidates(result, rows, verdict),
    }
    if result.notes:
        doc["notes"] = result.notes
    if result.reproduction:  # "does the model reproduce the car?" (as_built.reproduction)
        doc["reproduction"] = [_clean(r) for r in result.reproduction]
    fit = result.calibration
    if fit is not None:
        doc["vehicle_calibration"] = _clean({
            "parameters": fit.parameters, "defaults": fit.defaults, "targets": fit.targets,
            "residual_pct": fit.residual_pct, "met": fit.met, "well_determined": fit.well_determined,
            "not_fitted": fit.not_fitted, "at_bound": fit.at_bound, "messages": fit.messages})
    if n > JSON_MAX_ROWS:
        doc["note"] = (f"{n} variants: 'candidates' lists the Pareto front only; every variant "
                       "is in results.parquet and results.csv")
    return doc


def _candidates(result, rows: np.ndarray, verdict: dict) -> list[dict]:
    """The entries of ``rows``: taken column by column, then one dict per row."""
    n = len(result.names)

    def table(columns: dict, rename=lambda k: k, dtype=None) -> list[dict]:
        taken = {rename(k): _column(np.broadcast_to(np.asarray(v, dtype), (n,))[rows])
                 for k, v in columns.items()}
        return [dict(zip(taken, values, strict=True)) for values in zip(*taken.values(), strict=True)]

    metrics = table(result.metrics)
    deltas = table(result.deltas, lambda k: k[len("delta_"):], float) if result.deltas else None
    parts = {kind: table(p, dtype=float) for kind, p in result.breakdowns.items()}
    requirements = _requirements(result.checks, rows)
    out = []
    for j, i in enumerate(rows.tolist()):
        name = result.names[i]
        out.append({
            "name": name,
            # a sweep's values as its [sweep] keys name them ("cell", "pack.series", ...)
            **({"swept": {k.removeprefix("sweep."): v[i].item() for k, v in result.swept.items()}}
               if result.swept else {}),
            "metrics": metrics[j] if metrics else {},
            "verdict": verdict[name],
            "delta_to_baseline": deltas[j] if deltas else {},
            "breakdowns": {kind: p[j] if p else {} for kind, p in parts.items()},
            "requirements": requirements[j],
            "notes": result.row_notes.get(i, []),  # why a metric is null
        })
    return out


def _requirements(checks, rows: np.ndarray) -> list[list[dict]]:
    """The requirement checks of ``rows`` as ``Checks.row`` gives them, JSON-safe, taken column
    by column (values that are not finite as None)."""
    taken = {}
    for key in ("limit", "value", "margin", "margin_pct"):
        x = getattr(checks, key)[:, rows]
        values = x.astype(object)
        values[~np.isfinite(x)] = None
        taken[key] = values.T.tolist()
    passed = (~checks.failed[:, rows]).T.tolist()
    out = []
    for r, i in enumerate(rows.tolist()):
        out.append([{"candidate": checks.names[i], "metric": checks.metric[j], "area": checks.area[j],
                     "bound": checks.bound[j], "limit": taken["limit"][r][j],
                     "value": taken["value"][r][j], "margin": taken["margin"][r][j],
                     "margin_pct": taken["margin_pct"][r][j], "passed": passed[r][j]}
                    for j in np.flatnonzero(checks.checked[:, i]).tolist()])
    return out


def _column(values: np.ndarray) -> list:
    """A column as JSON-safe Python numbers (NaN and infinities as null)."""
    if values.dtype.kind == "f" and not np.all(np.isfinite(values)):
        return [None if not math.isfinite(v) else v for v in values.tolist()]
    return values.tolist()


def platform_document(result) -> dict:
    """The content of results.json for a platform study: the platform verdict per candidate,
    then each vehicle's document (``results_document``) with its ``vehicle`` name."""
    return {
        "schema_version": RESULTS_SCHEMA_VERSION,
        "packstudy_version": __version__,
        "study": result.study.study.name,
        "platform": {
            "vehicles": result.vehicles,
            "candidates_passing_on_every_vehicle": sum(
                v["overall"] == "pass" for v in result.verdicts.values()),
            "verdicts": [{"candidate": name, **verdict} for name, verdict in result.verdicts.items()],
            "notes": result.notes,
        },
        "vehicles": [{"vehicle": vehicle, **results_document(part)}
                     for vehicle, part in zip(result.vehicles, result.parts, strict=True)],
    }


def write_results(result, out_dir: Path) -> list[Path]:
    """Write results.json, results.csv and results.parquet into ``out_dir`` (``write_json``,
    then ``write_tables``)."""
    return write_json(result, out_dir) + write_tables(result, out_dir)


def write_json(result, out_dir: Path) -> list[Path]:
    """Write results.json into ``out_dir``: ``results_document`` (a platform's:
    ``platform_document``)."""
    if hasattr(result, "parts"):  # a platforms.PlatformResult (not imported: one-way flow)
        doc, rows = platform_document(result), sum(len(part.names) for part in result.parts)
    else:
        doc, rows = results_document(result), len(result.names)
    path = Path(out_dir) / "results.json"
    indent = 2 if rows <= JSON_MAX_ROWS else None  # C encoder for large sweeps
    # strict JSON (null, no NaN); the document is a tree, so no reference-cycle bookkeeping
    text = json.dumps(doc, indent=indent, allow_nan=False, check_circular=False)
    atomic_write(path, lambda p: p.write_text(text + "\n"))
    return [path]


def write_tables(result, out_dir: Path) -> list[Path]:
    """Write results.csv and results.parquet into ``out_dir``: ``metrics_table`` (a
    platform's tables: every vehicle's rows, with a ``vehicle`` column first)."""
    table = result.table(metrics_table) if hasattr(result, "parts") else metrics_table(result)
    paths = [Path(out_dir) / "results.csv", Path(out_dir) / "results.parquet"]
    atomic_write(paths[0], lambda p: pacsv.write_csv(table, p))
    atomic_write(paths[1], lambda p: pq.write_table(table, p))
    return paths


def _clean(obj):
    """JSON-safe: NaN and infinities become null (in dicts and lists, at any depth)."""
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if isinstance(obj, float | np.floating) and not math.isfinite(obj):
        return None
    return obj
