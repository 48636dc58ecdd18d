"""Speed benchmark: a 10,000-variant design sweep through the CLI against a FASTSim 3 loop.

The study (written into a temporary folder) is the performance SUV of the shipped examples
(Polestar 3-class, glider + pack mass) with every procedure (WLTP, EPA, acceleration, DC fast
charge, cold range), cost and footprint, seven requirements and the Pareto front on cost,
range and footprint, swept over 5 cells x 10 pack voltages x 25 usable energies x 2
integrations x 2 inverters x 2 chargers = 10,000 variants. ``packstudy run STUDY --out DIR``
runs end to end in a fresh process (interpreter start, imports, batches on the local
process pool, results, report), five times (``--runs``); the median wall time counts. A small sweep of
the same study runs first so that numba's on-disk cache is warm, as it is for a user after
the first run, and packstudy's bytecode is compiled first: an installed package has it (pip
compiles it; an editable install writes it on first import), but a sandbox that sets
PYTHONDONTWRITEBYTECODE would otherwise recompile every module on every run.

FASTSim 3 runs WLTC class 3b alone for the same variants (their test mass; the car's Cd,
frontal area, Crr and motor; packstudy's drivetrain efficiency), in a Python loop on one
thread, set up with the functions of ``bench_cycles.py``. A subset is timed and the total
extrapolated linearly (``--fastsim-subset``; 0 times them all), in as many parts as there are
CLI runs, each part right after one run: each run is compared with the FASTSim part beside it
and the median of these ratios counts, so that the shared VM's speed, which drifts by tens of
percent within a minute, moves both sides of a ratio alike.

    python benchmarks/bench_study.py                # N = 10,000
    python benchmarks/bench_study.py --n 2000       # fewer energies (CI smoke run)
    python benchmarks/bench_study.py --against ../base/src   # another tree's CLI beside

Last line: ``ratio_vs_fastsim_study = X`` (FASTSim loop time / packstudy CLI wall time).
"""

import argparse
import compileall
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

CLI_ENV = dict(os.environ)  # the CLI runs as a user would run it (before bench_cycles' settings)
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_cycles as bc  # noqa: E402 - sets single-thread FASTSim before importing it

import packstudy  # noqa: E402
from packstudy import catalog  # noqa: E402
from packstudy.cycles import load_cycle  # noqa: E402

PRESET = "polestar-3-long-range-dual-motor"
CELLS = ["nmc811-pouch", "nmc9-pouch", "lfp-prismatic", "lmfp-prismatic", "solid-state-2030"]
VOLTAGES_V = [350, 400, 450, 500, 550, 600, 650, 700, 750, 800]
INTEGRATIONS = ["module", "cell_to_pack"]
INVERTERS = ["si", "sic"]
CHARGERS = ["ccs-350kw-920v", "ionna-400kw-1000v"]
PER_ENERGY = len(CELLS) * len(VOLTAGES_V) * len(INTEGRATIONS) * len(INVERTERS) * len(CHARGERS)
FASTSIM_SUBSET = 1000
RUNS = 5  # CLI runs; the median counts
GOAL_S = 20.0
GOAL_RATIO = 12.0
DESIGN_COLUMNS = ["sweep.cell", "pack_series", "pack_parallel", "sweep.pack.integration",
                  "sweep.inverter"]


def distinct_designs(results: Path) -> int:
    """Distinct powertrains among the results' rows (cell, cell counts, integration, inverter:
    what the drive-cycle and acceleration kernels see; a charger only reaches the charge)."""
    table = pq.read_table(results, columns=DESIGN_COLUMNS)
    return len(set(zip(*(table.column(c).to_pylist() for c in DESIGN_COLUMNS), strict=True)))


PROCEDURES = ["wltp", "epa", "acceleration", "fast_charge", "cold"]


def study_toml(energies_kWh: list[float], procedures: list[str] = PROCEDURES) -> str:
    """The swept study (TOML text)."""
    def lst(values):
        return "[" + ", ".join(f'"{v}"' if isinstance(v, str) else f"{v:g}" for v in values) + "]"

    return f"""schema_version = 1

[study]
name = "Performance SUV, {PER_ENERGY * len(energies_kWh):,}-variant design space"
procedures = {lst(procedures)}

[vehicle]
preset = "{PRESET}"
name = "Performance SUV"
glider_mass_kg = 2010.0

[[candidate]]
name = "SUV pack"
cell = "nmc811-pouch"
pack = {{ usable_energy_kWh = 100, nominal_voltage_V = 400, integration = "module" }}
inverter = "si"

[sweep]
cell = {lst(CELLS)}
"pack.nominal_voltage_V" = {lst(VOLTAGES_V)}
"pack.usable_energy_kWh" = {lst(energies_kWh)}
"pack.integration" = {lst(INTEGRATIONS)}
inverter = {lst(INVERTERS)}
charger = {lst(CHARGERS)}
objectives = ["min:pack_cost_usd", "max:wltp_range_km", "min:footprint_kgCO2e"]

[requirements]
wltp_range_km = {{ min = 560 }}
epa_range_km = {{ min = 480 }}
pack_mass_kg = {{ max = 650 }}
accel_0_100_s = {{ max = 5.0 }}
fast_charge_10_80_min = {{ max = 25 }}
pack_cost_usd_per_kWh = {{ max = 110 }}
footprint_kgCO2e_per_kWh = {{ max = 90 }}
"""


def run_cli(study: Path, out: Path, workers: int | None, src: Path | None = None) -> float:
    """Wall time (s) of ``packstudy run`` in a fresh process (of the packstudy in the source
    folder ``src`` when given)."""
    cmd = [sys.executable, "-m", "packstudy.cli", "run", str(study), "--out", str(out)]
    if workers:
        cmd += ["--workers", str(workers)]
    env = CLI_ENV if src is None else {**CLI_ENV, "PYTHONPATH": str(src)}
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"packstudy run failed ({done.returncode}):\n{done.stderr}")
    return wall


def fastsim_inputs(test_mass_kg: np.ndarray):
    """FASTSim's base vehicle and variants: the preset's road load (Crr m g + rho/2 Cd A v^2,
    in FASTSim's constants) at each variant's test mass."""
    p = catalog.load_preset("vehicles", PRESET)
    mass = np.asarray(test_mass_kg, float)
    f0 = p["rolling_resistance_coefficient"] * mass * bc.FASTSIM_G_MPS2
    f2 = 0.5 * bc.FASTSIM_AIR_DENSITY * p["drag_coefficient"] * p["frontal_area_m2"]
    var = {"mass_kg": mass, "f0_N": f0, "f2_N_per_mps2": np.full(mass.size, f2)}
    base = {"name": p["name"], "mass_kg": mass[0], "f0_N": f0[0], "f2_N_per_mps2": f2,
            "motor_kW": p["motor_peak_kW"], "usable_kWh": p["battery"]["usable_energy_kWh"]}
    return base, var


def fastsim_runs(test_mass_kg: np.ndarray, subset: int) -> tuple:
    """(vehicles to time, their cycle, FASTSim and packstudy DC kWh/100 km of variant 0 on
    WLTC) for a FASTSim loop over WLTC class 3b (``subset`` vehicles; 0: all)."""
    base, var = fastsim_inputs(test_mass_kg)
    n = var["mass_kg"].size
    timed = n if subset <= 0 else min(subset, n)
    first = {k: v[:1] for k, v in var.items()}
    pt, _ = bc.packstudy_powertrain(base, first)
    template = bc.fastsim_template(base, pt)
    vehicles = bc.fastsim_vehicles(template, var, timed)
    wltc = load_cycle("wltc_class3b")
    cycle = bc.fastsim_cycle(wltc)
    fs_dc, _ = bc.fastsim_dc(vehicles[0], cycle)  # also the warm-up
    return vehicles, cycle, fs_dc, bc.packstudy_dc(pt, wltc)[0]


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=10_000,
                    help=f"variants, a multiple of {PER_ENERGY} (default %(default)s)")
    ap.add_argument("--workers", type=int, default=None, help="packstudy --workers (default: cores)")
    ap.add_argument("--fastsim-subset", type=int, default=FASTSIM_SUBSET,
                    help="FASTSim simulations timed, the rest extrapolated (0: all)")
    ap.add_argument("--runs", type=int, default=RUNS,
                    help="CLI runs, each with a FASTSim part beside it (default %(default)s)")
    ap.add_argument("--against", type=Path, default=None,
                    help="another packstudy source folder (e.g. a git worktree's src) whose CLI "
                         "runs the same study right after each run of this one")
    args = ap.parse_args(argv)
    if args.n % PER_ENERGY or args.n <= 0:
        ap.error(f"--n must be a positive multiple of {PER_ENERGY}")
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    energies = [80.0 + 2.0 * k for k in range(args.n // PER_ENERGY)]

    compileall.compile_dir(Path(packstudy.__file__).parent, quiet=1)
    other = []  # the --against tree's walls, each run right after one of this tree's
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        warm = tmp / "warm-up.toml"
        warm.write_text(study_toml(energies[:1]))
        warm_s = run_cli(warm, tmp / "warm-up", args.workers)
        if args.against:
            compileall.compile_dir(args.against / "packstudy", quiet=1)
            run_cli(warm, tmp / "warm-up-other", args.workers, args.against)
        study = tmp / "sweep.toml"
        study.write_text(study_toml(energies))
        walls = [run_cli(study, tmp / "results", args.workers)]
        if args.against:
            other.append(run_cli(study, tmp / "results-other", args.workers, args.against))
        table = pq.read_table(tmp / "results" / "results.parquet")
        rows = table.num_rows
        if rows != args.n:
            sys.exit(f"expected {args.n} result rows, got {rows}")
        columns = table.num_columns
        front = int(np.sum(table.column("pareto").to_numpy() > 0))
        designs = distinct_designs(tmp / "results" / "results.parquet")
        vehicles, cycle, fs_dc, ps_dc = fastsim_runs(
            table.column("vehicle_test_mass_kg").to_numpy(), args.fastsim_subset)
        parts = np.array_split(np.arange(len(vehicles)), args.runs)
        fs_parts = [bc.time_fastsim([vehicles[i] for i in parts[0]], cycle) * rows / parts[0].size]
        for k in range(1, args.runs):  # each CLI run, then the FASTSim part beside it
            walls.append(run_cli(study, tmp / f"results-{k}", args.workers))
            shutil.rmtree(tmp / f"results-{k}")
            if args.against:
                other.append(run_cli(study, tmp / "results-other", args.workers, args.against))
            fs_parts.append(bc.time_fastsim([vehicles[i] for i in parts[k]], cycle) * rows
                            / parts[k].size)
    wall = float(np.median(walls))
    fs_s = float(np.median(fs_parts))
    timed = len(vehicles)
    ratios = [f / w for f, w in zip(fs_parts, walls, strict=True)]
    ratio = float(np.median(ratios))
    print(f"packstudy {packstudy.__version__} vs FASTSim {bc.fastsim.__version__}; "
          f"{os.cpu_count()} cores")
    print(f"study: {PRESET}, {rows:,} variants ({len(CELLS)} cells x {len(VOLTAGES_V)} voltages x "
          f"{len(energies)} energies x {len(INTEGRATIONS)} integrations x {len(INVERTERS)} "
          f"inverters x {len(CHARGERS)} chargers), procedures wltp, epa, acceleration, "
          f"fast_charge, cold; cost, footprint, requirements, Pareto front")
    print(f"warm-up run ({PER_ENERGY} variants, fills numba's cache if empty): {warm_s:.2f} s")
    print(f"packstudy run (CLI, fresh process, end to end; median of "
          f"{', '.join(f'{w:.2f}' for w in walls)} s): {wall:.2f} s, "
          f"{rows / wall:,.0f} variants/s; {columns} result columns, {front} on the Pareto front")
    if other:
        print(f"against {args.against} (each run right after one above): median of "
              f"{', '.join(f'{w:.2f}' for w in other)} s: {np.median(other):.2f} s; this tree "
              f"{np.median(other) / wall:.2f}x as fast")
    print(f"distinct powertrains: {designs:,} of {rows:,} variants (rows with the same inputs are "
          "simulated once, packstudy.distinct)")
    note = f"{timed:,} timed, extrapolated linearly" if timed < rows else "all timed"
    print(f"FASTSim loop, WLTC class 3b only, 1 thread: {fs_s:.2f} s, {rows / fs_s:,.0f} "
          f"variants/s ({note}; median of {', '.join(f'{f:.2f}' for f in fs_parts)} s, each "
          "part timed right after one CLI run)")
    print(f"ratios of the runs to the FASTSim parts beside them: "
          f"{', '.join(f'{r:.1f}' for r in ratios)}x (the median counts)")
    print(f"sanity, variant 0 WLTC DC consumption: FASTSim {fs_dc:.2f}, packstudy (benchmark "
          f"pack) {ps_dc:.2f} kWh/100 km")
    print(f"goal: <= {GOAL_S:.0f} s: {'met' if wall <= GOAL_S else 'MISSED'} ({wall:.2f} s); "
          f">= {GOAL_RATIO:.0f}x FASTSim: {'met' if ratio >= GOAL_RATIO else 'MISSED'} "
          f"({ratio:.1f}x)")
    print(f"ratio_vs_fastsim_study = {ratio:.2f}")


if __name__ == "__main__":
    main()
