"""Fetch the standard drive cycles that packstudy ships (run once by a developer, needs PyPI).

Source: the ``fastsim`` 2.1.5 wheel (NREL, Apache-2.0) carries UDDS, HWFET, US06 and WLTC 3b
under ``fastsim/resources/cycles/`` in m/s. The regulations define the traces at 0.1 mph
(EPA) or 0.1 km/h (WLTC) resolution; FASTSim converted UDDS and HWFET with 1 m/s = 2.2369 mph
(off by 1.6e-5). This script recovers the regulatory values (checking they sit on the 0.1
grid), converts them exactly (1 mph = 0.44704 m/s, 1 km/h = 1/3.6 m/s) and cross-checks WLTC
3b against the JRC ``wltp`` package (``wltp/cycles/class3.py``, ``class_data_b()["cycle"]``).

Writes ``src/packstudy/data/cycles/{name}.csv`` (``time_s,speed_mps``, 1 Hz) and
``provenance.toml`` next to them. Usage: ``python scripts/fetch_cycles.py``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

OUT_DIR = Path(__file__).resolve().parents[1] / "src" / "packstudy" / "data" / "cycles"
FASTSIM = "fastsim==2.1.5"
WLTP = "wltp==0.1.2a0"
MPH_MPS = 0.44704  # exact
KMH_MPS = 1 / 3.6
FASTSIM_LICENSE = (
    "public regulatory data; file from fastsim (Copyright 2020 Alliance for Sustainable "
    "Energy, LLC), Apache-2.0"
)

# name: (file in the wheel, regulation, unit of the regulatory trace, FASTSim's m/s -> unit)
CYCLES = {
    "udds": (
        "udds.csv",
        "US EPA Urban Dynamometer Driving Schedule (UDDS, FTP-72), 40 CFR 86 Appendix I",
        "mph", 2.2369,
    ),
    "hwfet": (
        "hwfet.csv",
        "US EPA Highway Fuel Economy Test schedule (HWFET), 40 CFR 600 Appendix I",
        "mph", 2.2369,
    ),
    "us06": (
        "us06.csv",
        "US EPA US06 Supplemental FTP driving schedule, 40 CFR 86 Appendix I",
        "mph", 1 / MPH_MPS,
    ),
    "wltc_class3b": (
        "wltc_3b.csv",
        "UNECE GTR No. 15 (WLTP, 2014), Annex 1, WLTC class 3b; "
        "EU Regulation 2017/1151 Annex XXI Sub-Annex 1",
        "km/h", 3.6,
    ),
}


def download(requirement: str, folder: Path) -> Path:
    """``pip download REQUIREMENT --no-deps`` into FOLDER; the wheel's path."""
    subprocess.run(
        [sys.executable, "-m", "pip", "download", requirement, "--no-deps", "--only-binary",
         ":all:", "-d", str(folder), "-q"],
        check=True,
    )
    name = requirement.split("==")[0]
    return next(folder.glob(f"{name}-*.whl"))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_fastsim_cycle(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Time (s) and speed (m/s) columns of a FASTSim cycle CSV; its grade must be zero."""
    rows = list(csv.DictReader(io.StringIO(text)))
    time_s = np.array([float(r["cycSecs"]) for r in rows])
    speed_mps = np.array([float(r["cycMps"]) for r in rows])
    assert all(float(r["cycGrade"]) == 0 for r in rows), "unexpected non-zero grade"
    return time_s, speed_mps


def to_regulatory_unit(speed_mps: np.ndarray, factor: float) -> tuple[np.ndarray, float]:
    """The 0.1-resolution trace in mph or km/h behind FASTSim's m/s values, and the largest
    deviation of those values from the 0.1 grid."""
    value = speed_mps * factor
    rounded = np.round(value, 1)
    deviation = float(np.abs(value - rounded).max())
    assert deviation < 1e-6, "trace is not on a 0.1 grid"
    return rounded, deviation


def wltp_class3b_kmh(wheel: Path) -> list[float]:
    """WLTC class 3b (km/h) as the wltp package gives it (imported from its wheel)."""
    sys.path.insert(0, str(wheel))
    from wltp.cycles import class3

    return class3.class_data_b()["cycle"]


def toml_table(name: str, record: dict) -> str:
    """One TOML table; values are str, int, float or a flat dict (inline table)."""

    def value(v):
        if isinstance(v, dict):
            return "{ " + ", ".join(f"{k} = {value(x)}" for k, x in v.items()) + " }"
        return json.dumps(v) if isinstance(v, str) else repr(v)

    return f"[{name}]\n" + "".join(f"{k} = {value(v)}\n" for k, v in record.items())


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        fastsim_whl = download(FASTSIM, Path(tmp))
        wltp_whl = download(WLTP, Path(tmp))
        fastsim_bytes = fastsim_whl.read_bytes()
        wltp_kmh = np.array(wltp_class3b_kmh(wltp_whl))
        wltp_sha = sha256(wltp_whl.read_bytes())

        tables = [
            "# Provenance of the shipped drive cycles; written by scripts/fetch_cycles.py.\n"
        ]
        with zipfile.ZipFile(io.BytesIO(fastsim_bytes)) as wheel:
            for name, (file, regulation, unit, factor) in CYCLES.items():
                member = f"fastsim/resources/cycles/{file}"
                raw = wheel.read(member)
                time_s, fastsim_mps = read_fastsim_cycle(raw.decode("utf-8-sig"))
                assert np.array_equal(time_s, np.arange(len(time_s))), "not 1 Hz from 0"
                trace, deviation = to_regulatory_unit(fastsim_mps, factor)
                speed_mps = trace * (MPH_MPS if unit == "mph" else KMH_MPS)

                lines = ["time_s,speed_mps"]
                lines += [f"{t:.0f},{v:.12g}" for t, v in zip(time_s, speed_mps, strict=True)]
                (OUT_DIR / f"{name}.csv").write_text("\n".join(lines) + "\n")

                written = np.loadtxt(OUT_DIR / f"{name}.csv", delimiter=",", skiprows=1)
                t, v = written[:, 0], written[:, 1]
                record = {
                    "regulation": regulation,
                    "taken_from": {
                        "package": "fastsim", "version": "2.1.5", "path": member,
                        "wheel": fastsim_whl.name, "wheel_sha256": sha256(fastsim_bytes),
                        "file_sha256": sha256(raw),
                    },
                    "license": FASTSIM_LICENSE,
                    "points": len(t),
                    "duration_s": float(t[-1] - t[0]),
                    "distance_m": round(float(np.sum(0.5 * (v[1:] + v[:-1]) * np.diff(t))), 3),
                    "max_speed_mps": float(v.max()),
                    "converted": (
                        f"FASTSim m/s x {factor:.8g} = {unit} on the 0.1 {unit} grid (within "
                        f"{deviation:.0e}), then exactly to m/s with 1 {unit} = "
                        + ("0.44704 m/s" if unit == "mph" else "1/3.6 m/s")
                        + "; written to 12 significant digits"
                    ),
                    "fastsim_max_abs_diff_mps": float(f"{np.abs(fastsim_mps - v).max():.2g}"),
                }
                if name == "wltc_class3b":
                    assert len(wltp_kmh) == len(trace), "wltp and fastsim lengths differ"
                    record["cross_check"] = {
                        "package": "wltp", "version": "0.1.2a0",
                        "path": "wltp/cycles/class3.py", "data": 'class_data_b()["cycle"] (km/h)',
                        "wheel": wltp_whl.name, "wheel_sha256": wltp_sha,
                        "points": len(wltp_kmh),
                        "max_abs_diff_kmh": float(np.abs(wltp_kmh - trace).max()),
                    }
                tables.append(toml_table(name, record))
                print(f"{name}: {len(t)} points, {record['distance_m'] / 1000:.3f} km")

    (OUT_DIR / "provenance.toml").write_text("\n".join(tables))


if __name__ == "__main__":
    main()
