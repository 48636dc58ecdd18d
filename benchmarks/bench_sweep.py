"""Speed benchmark: a 100,000-variant sweep (WLTP, EPA, acceleration, DC fast charge) through
the CLI, end to end, against the goal of 10,000 variants/s and a FASTSim 3 WLTC loop.

The study is ``bench_study.py``'s performance SUV (Polestar 3-class, glider + pack mass, cost,
footprint, seven requirements, the Pareto front on cost, range and footprint) without the cold
procedure, swept over 5 cells x 10 pack voltages x 250 usable energies (80 to 129.8 kWh) x 2
integrations x 2 inverters x 2 chargers = 100,000 variants. ``packstudy run STUDY --out DIR``
runs in a fresh process (interpreter start, imports, calibration, batches on the local
process pool, the store, results files, report, terminal summary) three times after a
warm-up run that fills numba's cache; the median wall time counts.

Side by side, in the same run: the goal (10,000 variants/s end to end on 2 cores) and a
FASTSim 3 loop over the same variants' test masses on WLTC class 3b alone, one thread (1,000
simulations timed, the rest extrapolated linearly; ``--fastsim-subset``), set up as in
``bench_study.py``.

    python benchmarks/bench_sweep.py            # 100,000 variants
    python benchmarks/bench_sweep.py --n 20000  # fewer energies

Last line: ``variants_per_s = X``.
"""

import argparse
import compileall
import os
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_study as bs  # noqa: E402 - also sets single-thread FASTSim before importing it

import packstudy  # noqa: E402

PROCEDURES = ["wltp", "epa", "acceleration", "fast_charge"]
GOAL_VARIANTS_PER_S = 10_000.0
RUNS = 3


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=100_000,
                    help=f"variants, a multiple of {bs.PER_ENERGY} (default %(default)s)")
    ap.add_argument("--workers", type=int, default=None, help="packstudy --workers (default: cores)")
    ap.add_argument("--fastsim-subset", type=int, default=bs.FASTSIM_SUBSET,
                    help="FASTSim simulations timed, the rest extrapolated (0: all)")
    args = ap.parse_args(argv)
    if args.n % bs.PER_ENERGY or args.n <= 0:
        ap.error(f"--n must be a positive multiple of {bs.PER_ENERGY}")
    count = args.n // bs.PER_ENERGY
    energies = [80.0 + 50.0 * k / count for k in range(count)]

    compileall.compile_dir(Path(packstudy.__file__).parent, quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        warm = tmp / "warm-up.toml"
        warm.write_text(bs.study_toml(energies[:1], PROCEDURES))
        warm_s = bs.run_cli(warm, tmp / "warm-up", args.workers)
        study = tmp / "sweep.toml"
        study.write_text(bs.study_toml(energies, PROCEDURES))
        walls = []
        for k in range(RUNS):
            walls.append(bs.run_cli(study, tmp / "results", args.workers))
            if k < RUNS - 1:
                shutil.rmtree(tmp / "results")
        wall = float(np.median(walls))
        table = pq.read_table(tmp / "results" / "results.parquet",
                              columns=["vehicle_test_mass_kg", "pareto"])
        rows, mass = table.num_rows, table.column("vehicle_test_mass_kg").to_numpy()
        front = int(np.sum(table.column("pareto").to_numpy() > 0))
        designs = bs.distinct_designs(tmp / "results" / "results.parquet")
    if rows != args.n:
        sys.exit(f"expected {args.n} result rows, got {rows}")

    vehicles, cycle, fs_dc, ps_dc = bs.fastsim_runs(mass, args.fastsim_subset)
    timed = len(vehicles)
    fs_s = bs.bc.time_fastsim(vehicles, cycle) * rows / timed
    rate = rows / wall
    print(f"packstudy {packstudy.__version__} vs FASTSim {bs.bc.fastsim.__version__}; "
          f"{os.cpu_count()} cores")
    print(f"study: {bs.PRESET}, {rows:,} variants ({len(bs.CELLS)} cells x {len(bs.VOLTAGES_V)} "
          f"voltages x {count} energies x {len(bs.INTEGRATIONS)} integrations x "
          f"{len(bs.INVERTERS)} inverters x {len(bs.CHARGERS)} chargers), procedures "
          f"{', '.join(PROCEDURES)}; cost, footprint, requirements, Pareto front ({front:,} rows)")
    print(f"warm-up run ({bs.PER_ENERGY} variants, fills numba's cache if empty): {warm_s:.2f} s")
    print(f"distinct powertrains: {designs:,} of {rows:,} variants (rows with the same inputs are "
          "simulated once, packstudy.distinct)")
    note = f"{timed:,} timed, extrapolated linearly" if timed < rows else "all timed"
    print(f"{'':44s}{'wall s':>9s}{'variants/s':>12s}")
    print(f"{'packstudy run (CLI, end to end, median)':44s}{wall:9.2f}{rate:12,.0f}   "
          f"runs: {', '.join(f'{w:.2f}' for w in walls)} s")
    print(f"{'goal':44s}{rows / GOAL_VARIANTS_PER_S:9.2f}{GOAL_VARIANTS_PER_S:12,.0f}   "
          f"{'met' if rate >= GOAL_VARIANTS_PER_S else 'MISSED'} ({rate / GOAL_VARIANTS_PER_S:.2f}x)")
    print(f"{'FASTSim loop, WLTC class 3b only, 1 thread':44s}{fs_s:9.2f}{rows / fs_s:12,.0f}   "
          f"{note}; packstudy {fs_s / wall:.1f}x")
    print(f"sanity, variant 0 WLTC DC consumption: FASTSim {fs_dc:.2f}, packstudy (benchmark "
          f"pack) {ps_dc:.2f} kWh/100 km")
    print(f"variants_per_s = {rate:.0f}")


if __name__ == "__main__":
    main()
