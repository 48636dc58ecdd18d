"""Drive cycles: load (shipped or user CSV), validate, resample.

A cycle is a speed trace ``speed_mps(time_s)`` with an optional road grade (rise/run,
positive uphill). Shipped cycles (``SHIPPED_CYCLES``) live in ``packstudy/data/cycles`` with
their provenance in ``provenance.toml`` there; they are read once per process.

User CSV files have the header ``time_s,speed_mps`` or ``time_s,speed_mps,grade`` (columns
in any order, no others) and one row per time point. Time must start at 0 s and increase
strictly; it is not shifted for you, so a logged trace starting at, say, 1 s is rejected with
a message rather than silently moved. Speed must be >= 0 and |grade| <= 0.3.
"""

from __future__ import annotations

import csv
import os
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from packstudy import catalog

SHIPPED_CYCLES: tuple[str, ...] = ("udds", "hwfet", "us06", "wltc_class3b")

REQUIRED_COLUMNS = ("time_s", "speed_mps")
OPTIONAL_COLUMNS = ("grade",)
MAX_ABS_GRADE = 0.3  # rise/run; steeper than any public road (about 17 degrees)


class CycleFileError(ValueError):
    """A drive-cycle file that is missing or malformed; the message names file, row and rule."""


@dataclass(frozen=True, eq=False)
class Cycle:
    """A drive cycle: time (s, from 0, strictly increasing), speed (m/s, >= 0) and grade
    (rise/run), as read-only float64 arrays of equal length. Compared by identity."""

    name: str
    time_s: np.ndarray
    speed_mps: np.ndarray
    grade: np.ndarray
    source: str

    @property
    def duration_s(self) -> float:
        """Time of the last point, s."""
        return float(self.time_s[-1] - self.time_s[0])

    @property
    def distance_m(self) -> float:
        """Distance driven, m (trapezoid rule on the speed trace)."""
        v, t = self.speed_mps, self.time_s
        return float(np.sum(0.5 * (v[1:] + v[:-1]) * np.diff(t)))

    @property
    def max_speed_mps(self) -> float:
        """Highest speed, m/s."""
        return float(self.speed_mps.max())


def load_cycle(name_or_path: str | os.PathLike, base_dir: Path | None = None) -> Cycle:
    """A shipped cycle by name (e.g. ``"udds"``) or a user CSV file.

    A plain name without a folder or ``.csv`` suffix is a shipped preset (an unknown name
    raises ``catalog.UnknownPresetError`` listing close matches); anything else is a path,
    relative paths resolved against ``base_dir`` (e.g. the study file's folder, default the
    working directory). Raises CycleFileError for a missing or malformed file.
    """
    text = os.fspath(name_or_path)
    is_name = (
        isinstance(name_or_path, str)
        and not text.lower().endswith(".csv")
        and "/" not in text
        and "\\" not in text
    )
    if is_name:
        return _load_shipped(text)
    path = Path(text).expanduser()
    if not path.is_absolute():
        path = (base_dir or Path.cwd()) / path
    if not path.is_file():
        raise CycleFileError(
            f"drive cycle file {text!r} not found (looked at {path}); give a shipped cycle "
            f"({', '.join(SHIPPED_CYCLES)}) or a CSV file with columns time_s,speed_mps[,grade], "
            "relative paths being taken from the study file's folder"
        )
    return _read_csv(path, name=path.stem, source=str(path))


@cache
def _load_shipped(name: str) -> Cycle:
    path = catalog.preset_path("cycles", name)
    with open(path.parent / "provenance.toml", "rb") as f:
        record = tomllib.load(f).get(name)
    if record is None:
        source = f"shipped file {path.name} (no provenance record)"
    else:
        taken = record["taken_from"]
        source = (
            f"{record['regulation']}; from the {taken['package']} {taken['version']} wheel "
            f"({taken['path']}), see data/cycles/provenance.toml"
        )
    return _read_csv(path, name=name, source=source)


def _read_csv(path: Path, name: str, source: str) -> Cycle:
    """Parse and validate a cycle CSV; every error names the file, line and column."""

    def fail(message: str) -> CycleFileError:
        return CycleFileError(f"drive cycle file {path}: {message}")

    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = [(n, row) for n, row in enumerate(csv.reader(f), start=1) if row]
    except UnicodeDecodeError as e:
        raise fail(f"not a UTF-8 text CSV file ({e.reason} at byte {e.start})") from None
    if not rows:
        raise fail("the file is empty; expected the header time_s,speed_mps[,grade]")

    header = [c.strip() for c in rows[0][1]]
    allowed = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
    unknown = [c for c in header if c not in allowed]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if unknown or missing or len(set(header)) != len(header):
        problem = (
            f"unknown column {unknown[0]!r}" if unknown
            else f"missing column {missing[0]!r}" if missing
            else "a column appears twice"
        )
        raise fail(
            f"line {rows[0][0]} (header): {problem}; the header must be time_s,speed_mps or "
            f"time_s,speed_mps,grade (time in s, speed in m/s, grade as rise/run); "
            f"got {','.join(header)}"
        )

    values = np.empty((len(rows) - 1, len(header)))
    for i, (line, row) in enumerate(rows[1:]):
        if len(row) != len(header):
            raise fail(f"line {line}: {len(row)} value(s), the header has {len(header)} columns")
        for j, cell in enumerate(row):
            try:
                values[i, j] = float(cell)
            except ValueError:
                raise fail(
                    f"line {line}, column {header[j]}: {cell.strip()!r} is not a number"
                ) from None
    lines = np.array([line for line, _ in rows[1:]])
    if len(values) < 2:
        raise fail(f"{len(values)} data row(s); a cycle needs at least 2 time points")

    def check(bad: np.ndarray, column: str, rule: str) -> None:
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            got = values[k, header.index(column)]
            raise fail(f"line {lines[k]}, column {column}: {rule}; got {got:g}")

    for j, column in enumerate(header):
        check(~np.isfinite(values[:, j]), column, "values must be finite numbers")
    time_s = values[:, header.index("time_s")]
    speed_mps = values[:, header.index("speed_mps")]
    grade = values[:, header.index("grade")] if "grade" in header else np.zeros(len(values))

    check(
        (np.arange(len(time_s)) == 0) & (time_s != 0.0), "time_s",
        "time must start at 0 s (subtract the first time from the column)",
    )
    not_increasing = np.r_[False, np.diff(time_s) <= 0]
    if not_increasing.any():
        k = int(np.flatnonzero(not_increasing)[0])
        raise fail(
            f"line {lines[k]}, column time_s: time must increase strictly from row to row; "
            f"got {time_s[k]:g} after {time_s[k - 1]:g}"
        )
    check(speed_mps < 0, "speed_mps", "speed must be >= 0 m/s")
    check(np.abs(grade) > MAX_ABS_GRADE, "grade", f"|grade| must be <= {MAX_ABS_GRADE} (rise/run)")
    longest = catalog.input_range("cycle_duration_s")["le"]
    if time_s[-1] > longest or len(time_s) > catalog.input_range("cycle_points")["le"]:
        raise fail(f"{len(time_s):,} points over {time_s[-1]:g} s; a cycle may last at most "
                   f"{longest:g} s (one day) with one point per second or fewer")
    cycle = _cycle(name, time_s, speed_mps, grade, source)
    if not cycle.distance_m > 0.0:
        raise fail("the vehicle never moves (every speed is 0): a cycle must cover some distance")
    return cycle


def resample(cycle: Cycle, dt_s: float) -> Cycle:
    """The cycle linearly interpolated onto the grid 0, dt_s, 2 dt_s, ... (s).

    The grid ends at the last multiple of dt_s not after the cycle's end.
    """
    if not (np.isfinite(dt_s) and dt_s > 0):
        raise ValueError(f"resample: dt_s must be a positive number of seconds; got {dt_s!r}")
    n = int(np.floor(cycle.duration_s / dt_s + 1e-9)) + 1
    if n < 2:
        raise ValueError(
            f"resample: dt_s = {dt_s} s is longer than the cycle {cycle.name!r} "
            f"({cycle.duration_s} s)"
        )
    time_s = np.arange(n) * float(dt_s)
    return _cycle(
        cycle.name,
        time_s,
        np.interp(time_s, cycle.time_s, cycle.speed_mps),
        np.interp(time_s, cycle.time_s, cycle.grade),
        f"{cycle.source} (resampled to {dt_s:g} s)",
    )


def _cycle(name, time_s, speed_mps, grade, source) -> Cycle:
    arrays = [np.ascontiguousarray(a, dtype=np.float64) for a in (time_s, speed_mps, grade)]
    for a in arrays:
        a.flags.writeable = False
    return Cycle(name, *arrays, source=source)
