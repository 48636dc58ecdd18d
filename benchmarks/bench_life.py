"""Speed benchmark: packstudy.aging against NREL BLAST-Lite on the same 8-year profiles.

Three cells (lg-m50, lfp-prismatic, nmc811-pouch) on the three example profiles
(examples/aging/: storage at 95 % SOC and 35 degC, daily full cycles, an EV week), 8 years each,
single thread, one process. BLAST-Lite simulates each pair once (its ``simulate_battery_life`` on
the period tiled to 8 years). packstudy simulates each pair as N variants in one batched call
(the cell's fade scale spread over its low..high band, variant 0 as fitted) and once alone.
Prints seconds per simulation of each tool and the 8-year retention of both, then the ratio.

Then a 10,000-variant design sweep with the life procedure (5 cells x 10 voltages x 50 usable
energies x 2 integrations x 2 inverters; WLTP, DC fast charge, life with a warranty) through
``packstudy run`` in a fresh process on 2 workers, after a warm-up run; prints its wall time
(goal <= 20 s on 2 cores) and the same sweep without the life procedure.

    python benchmarks/bench_life.py             # N = 1,000 variants per pair
    python benchmarks/bench_life.py --n 100     # smaller batch
    python benchmarks/bench_life.py --no-sweep  # the aging comparison only

The last line is ``ratio_vs_blastlite = X``: BLAST-Lite seconds per simulation over packstudy
seconds per simulation (batched), all nine pairs together. See README.md.
"""

import os

os.environ["NUMBA_NUM_THREADS"] = "1"

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "validation"))
from blastlite_reference import BLAST_CLASS, blast_retention, load_profile  # noqa: E402

from packstudy import aging  # noqa: E402

YEARS = 8.0
PROFILES = ("storage-hot-high-soc", "daily-full-cycle", "ev-week")


def packstudy_batch(cell: str, t, soc, temp, n: int) -> tuple[float, float]:
    """Seconds per simulation over n batched variants, and variant 0's 8-year retention."""
    a = aging.cell_aging(cell)
    t = t - t[0]
    t0 = time.perf_counter()
    starts, counts = aging.segment_profile(t, soc)
    form, par = aging.model_arrays([a] * n, np.linspace(a.scale_low, a.scale_high, n))
    par[0, aging._SCALE] = a.scale
    run = aging.simulate(form, par, np.broadcast_to(soc, (n, soc.size)), t, temp[None, :],
                         np.zeros(n, dtype=np.int64), (starts, starts, counts),
                         np.arange(starts.size), np.full(n, 365.0 * YEARS),
                         np.array([[365.0 * YEARS]]))
    return (time.perf_counter() - t0) / n, float(run.capacity_retention[0, 0])


SWEEP = """schema_version = 1
[study]
name = "life sweep"
procedures = ["wltp", "fast_charge"]
{life}
[vehicle]
preset = "polestar-3-long-range-dual-motor"
glider_mass_kg = 2010.0
[[candidate]]
name = "SUV pack"
cell = "nmc811-pouch"
pack = {{ usable_energy_kWh = 100, nominal_voltage_V = 400, integration = "module" }}
[sweep]
cell = ["nmc811-pouch", "nmc9-pouch", "lfp-prismatic", "solid-state-2030", "nmc622-prismatic"]
"pack.nominal_voltage_V" = [400, 450, 500, 550, 600, 650, 700, 750, 800, 850]
"pack.usable_energy_kWh" = {energies}
"pack.integration" = ["module", "cell_to_pack"]
inverter = ["si", "sic"]
batch_size = 1000
"""
LIFE = ('life = { years = 8, km_per_year = 15000, climate = "temperate", dc_fast_share = 0.1 }\n'
        'warranty = { years = 8, km = 160000, min_capacity_pct = 70 }')


def sweep_seconds(life: bool, folder: Path) -> float:
    """Wall time of ``packstudy run`` on the 10,000-variant sweep (2 workers, warm cache)."""
    study = folder / ("life.toml" if life else "nolife.toml")
    study.write_text(SWEEP.format(life=LIFE if life else "",
                                  energies=list(range(70, 170, 2))))
    command = [sys.executable, "-m", "packstudy.cli", "run", str(study), "--workers", "2"]
    for run in range(2):  # the first run warms numba's cache in the worker processes
        t0 = time.perf_counter()
        subprocess.run([*command, "--out", str(folder / f"out{run}{life}")], check=True,
                       capture_output=True)
        seconds = time.perf_counter() - t0
    return seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000, help="packstudy variants per pair")
    ap.add_argument("--no-sweep", action="store_true", help="skip the 10,000-variant sweep")
    args = ap.parse_args()
    if not args.no_sweep:
        with tempfile.TemporaryDirectory() as tmp:
            with_life = sweep_seconds(True, Path(tmp))
            without = sweep_seconds(False, Path(tmp))
        print(f"10,000-variant sweep, packstudy run --workers 2: {with_life:.1f} s with the life "
              f"procedure (goal <= 20 s), {without:.1f} s without")
    t, soc, temp = load_profile(PROFILES[0])
    packstudy_batch("lg-m50", t, soc, temp, 2)  # compile (or load the on-disk cache)
    print(f"8-year aging, packstudy (N = {args.n} batched, and N = 1) vs BLAST-Lite, one thread")
    print(f"{'profile':<22}{'cell':<15}{'BLAST s':>9}{'ps s/sim':>11}{'ps N=1 s':>10}"
          f"{'ratio':>8}{'BLAST %':>9}{'ps %':>8}")
    total_blast = total_ours = 0.0
    for profile in PROFILES:
        t, soc, temp = load_profile(profile)
        for cell in sorted(BLAST_CLASS):
            t0 = time.perf_counter()
            ref = blast_retention(cell, t, soc, temp, YEARS)
            s_blast = time.perf_counter() - t0
            s_ours, ours = packstudy_batch(cell, t, soc, temp, args.n)
            s_one, _ = packstudy_batch(cell, t, soc, temp, 1)
            total_blast += s_blast
            total_ours += s_ours
            print(f"{profile:<22}{cell:<15}{s_blast:>9.3f}{s_ours:>11.2e}{s_one:>10.2e}"
                  f"{s_blast / s_ours:>8.0f}{100 * ref:>9.2f}{100 * ours:>8.2f}")
    print(f"ratio_vs_blastlite = {total_blast / total_ours:.0f}")


if __name__ == "__main__":
    main()
