"""Platform studies: one set of battery systems judged across several vehicles.

A study file with ``[[vehicle]]`` tables (several vehicles) is read as one study per vehicle:
every candidate (or sweep variant) runs on every vehicle, each vehicle calibrated on its own
as-built battery. Requirements are study-wide (``[requirements]``) and per vehicle (a
``requirements`` table inside a ``[[vehicle]]``, which overrides the study-wide bound of the
same result). A candidate passes the platform when it passes on every vehicle.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pyarrow as pa

from .spec import Study, StudyError, parse_study


def is_platform(raw: dict) -> bool:
    """Whether a study file's content names several vehicles (``[[vehicle]]``)."""
    return isinstance(raw.get("vehicle"), list)


def parse_platform(raw: dict, *, source: str = "<study>", base_dir: Path | None = None) -> list[Study]:
    """One validated study per ``[[vehicle]]`` table, in file order; raises StudyError with
    every problem of every vehicle at once (a vehicle's own keys named ``vehicle[i].key``)."""
    tables = raw["vehicle"]
    if not tables:
        raise StudyError(source, ["vehicle: a [[vehicle]] list needs at least one vehicle table"])
    studies, problems, found = [], [], []  # found: each vehicle's problem lines
    for i, table in enumerate(tables):
        if not isinstance(table, dict):
            problems.append(f"vehicle[{i}]: must be a table of vehicle keys")
            found.append([])
            continue
        table = dict(table)
        own = table.pop("requirements", {})
        if not isinstance(own, dict):
            problems.append(f"vehicle[{i}].requirements: must be a table of bounds, e.g. "
                            "{ wltp_range_km = { min = 500 } }")
            own = {}
        one = {**raw, "vehicle": table, "requirements": {**raw.get("requirements", {}), **own}}
        try:
            studies.append(parse_study(one, source=source, base_dir=base_dir))
            found.append([])
        except StudyError as exc:
            found.append([re.sub(r"^vehicle\b", f"vehicle[{i}]", line) for line in exc.problems])
    for i, lines in enumerate(found):
        for line in lines:
            if not line.startswith("vehicle[") and any(line not in other for other in found):
                name = tables[i].get("name") or tables[i].get("preset")  # a study-wide key that
                line += f" (on vehicle[{i}] {name!r})"  # fails on this vehicle only
            if line not in problems:
                problems.append(line)
    problems += _name_clashes(studies, tables) if not problems else []
    if problems:
        raise StudyError(source, problems)
    return studies


def _name_clashes(studies: list[Study], tables: list[dict]) -> list[str]:
    """A problem line per vehicle whose name another vehicle of the platform has already."""
    seen, problems = {}, []
    for i, study in enumerate(studies):
        name = study.vehicle.name
        if name in seen:
            problems.append(f"vehicle[{i}].name: {name!r} is also vehicle[{seen[name]}]'s name; "
                            "give each vehicle of a platform its own name (the results' vehicle column)")
        seen.setdefault(name, i)
    return problems


@dataclass
class PlatformResult:
    """Each vehicle's study result (``parts``, in file order), and the platform verdicts."""

    parts: list  # study.StudyResult per vehicle

    @property
    def vehicles(self) -> list[str]:
        return [part.study.vehicle.name for part in self.parts]

    @property
    def study(self) -> Study:
        """The first vehicle's study (the study-wide settings are the same for every vehicle)."""
        return self.parts[0].study

    @property
    def candidates(self) -> list[str]:
        """The candidates (or sweep variants), the same on every vehicle."""
        return self.parts[0].names

    @cached_property
    def verdicts(self) -> dict[str, dict]:
        """Per candidate: ``overall`` "pass" when it passes on every vehicle, its verdict per
        vehicle, and the failed checks as "vehicle: metric bound"."""
        out = {}
        for name in self.candidates:
            per_vehicle = {v: part.verdicts[name] for v, part in zip(self.vehicles, self.parts, strict=True)}
            out[name] = {
                "overall": "pass" if all(v["overall"] == "pass" for v in per_vehicle.values()) else "fail",
                "vehicles": {v: verdict["overall"] for v, verdict in per_vehicle.items()},
                "failed": [f"{v}: {check}" for v, verdict in per_vehicle.items()
                           for check in verdict["failed"]],
            }
        return out

    @cached_property
    def notes(self) -> list[str]:
        """Why a result is null in some vehicles' rows of the platform's tables: each result
        that only some vehicles' studies give (e.g. a charge window of one car's published
        times), with the vehicles that have it and those that do not."""
        have = [set(part.metrics) for part in self.parts]
        out = []
        for key in sorted(set().union(*have) - set.intersection(*have)):
            with_it = [v for v, keys in zip(self.vehicles, have, strict=True) if key in keys]
            without = [v for v in self.vehicles if v not in with_it]
            out.append(f"{key} is computed for {', '.join(with_it)} only (from that vehicle's own "
                       f"data, e.g. a window of its published charge times): null in the rows of "
                       f"{', '.join(without)}.")
        return out

    def table(self, columns) -> pa.Table:
        """Every vehicle's rows in one table with a ``vehicle`` column first (``columns``: a
        StudyResult -> Arrow table function, e.g. ``results.metrics_table``); a result one
        vehicle does not have is null in the others' rows."""
        parts = []
        for vehicle, part in zip(self.vehicles, self.parts, strict=True):
            t = columns(part)
            parts.append(t.add_column(0, "vehicle", pa.repeat(pa.scalar(vehicle), t.num_rows)))
        return pa.concat_tables(parts, promote_options="default")
