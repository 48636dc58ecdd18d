"""Speed benchmark: 1,000 variants x (20 repeated 0-200 km/h launches + 10 track laps with the
chiller search) through the CLI, on the local process pool (both cores by default).

The study (written into a temporary folder) is the performance SUV of the shipped examples
(Polestar 3-class, glider + pack mass) swept over 5 cells x 2 integrations x 2 inverters x
5 usable energies x 10 chiller ratings = 1,000 variants, with ``procedures =
["launch_repeat", "track"]`` (cost and footprint run too, as in every study). A small sweep
runs first so that numba's on-disk cache is warm, as it is for a user after the first run;
then ``packstudy run STUDY --out DIR`` runs in a fresh process, three times, and the median
wall time counts against the goal of 20 s.

    python benchmarks/bench_endurance.py            # N = 1,000
    python benchmarks/bench_endurance.py --runs 1   # one timed run

Last line: ``endurance_seconds = X (goal 20 s, ratio goal/time = Y)``.
"""

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import packstudy

PRESET = "polestar-3-long-range-dual-motor"
CELLS = ["nmc811-pouch", "nmc9-pouch", "lfp-prismatic", "lmfp-prismatic", "solid-state-2030"]
INTEGRATIONS = ["module", "cell_to_pack"]
INVERTERS = ["si", "sic"]
ENERGIES_KWH = [80, 90, 100, 110, 120]
CHILLERS_KW = [2, 4, 6, 8, 10, 12, 14, 16, 18, 20]
GOAL_S = 20.0


def study_toml(chillers) -> str:
    def lst(values):
        return "[" + ", ".join(f'"{v}"' if isinstance(v, str) else f"{v:g}" for v in values) + "]"

    return f"""schema_version = 1

[study]
name = "Performance SUV, endurance"
procedures = ["launch_repeat", "track"]
launch_repeat = {{ runs = 20, from_kmh = 0, to_kmh = 200, pause_s = 60, ambient_C = 25 }}
track = {{ laps = 10, ambient_C = 25 }}

[vehicle]
preset = "{PRESET}"
name = "Performance SUV"
glider_mass_kg = 2010.0

[[candidate]]
name = "SUV pack"
cell = "nmc811-pouch"
pack = {{ usable_energy_kWh = 100, nominal_voltage_V = 800, integration = "module" }}
inverter = "sic"

[sweep]
cell = {lst(CELLS)}
"pack.integration" = {lst(INTEGRATIONS)}
inverter = {lst(INVERTERS)}
"pack.usable_energy_kWh" = {lst(ENERGIES_KWH)}
"cooling.chiller_kW" = {lst(chillers)}
"""


def run_cli(study: Path, out: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "packstudy.cli", "run", str(study), "--out", str(out)],
                   check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    compileall.compile_dir(Path(packstudy.__file__).parent, quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        warm = tmp / "warm.toml"
        warm.write_text(study_toml(CHILLERS_KW[:1]).replace(lst_all(CELLS), '["nmc811-pouch"]'))
        run_cli(warm, tmp / "warm-out")
        study = tmp / "study.toml"
        study.write_text(study_toml(CHILLERS_KW))
        n = len(CELLS) * len(INTEGRATIONS) * len(INVERTERS) * len(ENERGIES_KWH) * len(CHILLERS_KW)
        times = []
        for k in range(args.runs):
            times.append(run_cli(study, tmp / f"out-{k}"))
            print(f"run {k + 1}: {n:,} variants x (20 launches + 10 laps) in {times[-1]:.2f} s")
    median = statistics.median(times)
    print(f"cores: {os.cpu_count()}")
    print(f"endurance_seconds = {median:.2f} (goal {GOAL_S:g} s, ratio goal/time = {GOAL_S / median:.2f})")


def lst_all(values) -> str:
    return "[" + ", ".join(f'"{v}"' for v in values) + "]"


if __name__ == "__main__":
    main()
