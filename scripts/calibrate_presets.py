"""Calibrate every shipped vehicle preset to its published EPA unadjusted city and highway
consumption and write the result into the preset's ``[calibration]`` table.

    python scripts/calibrate_presets.py [--check]

Each preset is run with its as-built battery system (``as_built = true``: its pack and its
inverters), the system a study's calibration is fitted on (``study.fit_vehicle``), so the
record matches what a run fits; all presets are calibrated in one batched fit. ``--check``
prints the results without writing.
"""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

import packstudy
from packstudy import calibration, catalog
from packstudy.spec import parse_study
from packstudy.study import prepare

TARGETS = ("epa_city_unadjusted_kWh_per_100km", "epa_highway_unadjusted_kWh_per_100km")


def fit_presets() -> list[tuple[str, calibration.CalibrationResult]]:
    """(preset name, fresh calibration) of every preset with published EPA city and highway
    unadjusted consumption, each run with its as-built battery system, in one batched fit."""
    names, pts, targets = [], [], []
    for name in catalog.list_presets("vehicles"):
        vehicle = catalog.load_preset("vehicles", name)
        vehicle.pop("calibration", None)  # the table this script writes is not an input
        published = vehicle.get("published", {})
        if not all(t in published for t in TARGETS):
            print(f"{name}: no published EPA unadjusted city and highway values, skipped")
            continue
        study = parse_study({"study": {"procedures": ["epa"]}, "vehicle": vehicle,
                             "candidate": [{"name": "own", "as_built": True}]}, source=name)
        names.append(name)
        pts.append(prepare(study, Path(".")).powertrain)
        targets.append({t: float(published[t]["value"]) for t in TARGETS})
    return list(zip(names, calibration.calibrate_many(calibration.stack(pts), targets), strict=True))


def main(write: bool) -> int:
    today = datetime.date.today().isoformat()
    for name, result in fit_presets():
        print(f"{name}: {result.summary()}")
        if write:
            table = calibration.preset_table(result, version=packstudy.__version__, date=today)
            calibration.write_preset_table(catalog.preset_path("vehicles", name), table)
    return 0


if __name__ == "__main__":
    sys.exit(main(write="--check" not in sys.argv[1:]))
