"""Speed benchmark: packstudy's batched kernel against FASTSim 3 on the same vehicle and cycles.

Both tools simulate a mid-size BEV (the shipped Tesla Model 3 RWD preset: EPA test mass,
road load, motor power, usable energy) and N variants of it (mass, f0 and f2 each scaled by
up to +-10 %) over WLTC class 3b and UDDS, single thread, in one process. FASTSim runs a Python
loop of ``SimDrive`` objects with history off; packstudy runs one batched kernel call. Prints
simulations per second for each tool, N and cycle, the ratio, the packstudy JIT compile time
(cold and warm on-disk cache, measured in subprocesses) and a consumption sanity check.

Then one ``lg-m50`` cell on an 1800 s current profile (the cell current of that BEV, built from
lg-m50 cells, on WLTC class 3b): packstudy's ``cellsim.simulate`` against PyBaMM's Thevenin
model with the same cell tables, at N = 1 and (batched vs a PyBaMM loop) N = 1000, printing
``ratio_vs_pybamm_thevenin_N1`` and ``..._N1000`` and a voltage-RMSE sanity line.

    python benchmarks/bench_cycles.py            # N = 1, 100, 10,000
    python benchmarks/bench_cycles.py --quick    # N = 1, 100 (CI smoke run)

The last line is ``ratio_vs_fastsim_N10000 = X`` (``nan`` with ``--quick``). See README.md.
"""

import os

# Before numba and fastsim are imported: RUST_BACKTRACE makes FASTSim about ten times slower,
# and every tool runs on one thread.
os.environ.pop("RUST_BACKTRACE", None)
os.environ["NUMBA_NUM_THREADS"] = "1"
os.environ["RAYON_NUM_THREADS"] = "1"
os.environ["PYBAMM_DISABLE_TELEMETRY"] = "true"  # no network at run time

import argparse
import copy
import json
import subprocess
import sys
import tempfile
import time

import fastsim
import numpy as np
import pybamm

from packstudy import catalog, cellsim, ecm, inverter, kernel, procedures, vehicle
from packstudy.cycles import Cycle, load_cycle
from packstudy.ecm import SOC_GRID, TEMP_GRID_C

PRESET = "tesla-model-3-rwd"
CYCLES = ("wltc_class3b", "udds")
CELL_PRESET = "nmc811-pouch"
NOMINAL_PACK_V = 400.0  # pack voltage class the series count is chosen for, V
SOC_WINDOW = (0.03, 0.98)  # usable SOC window of the benchmark pack
VARIANT_SPREAD = 0.10  # variants scale mass, f0 and f2 by U(1 - s, 1 + s)
FASTSIM_SUBSET = 300  # FASTSim simulations timed at N = 10,000 (the rest extrapolated)
N1_REPEATS = 30  # repeats of the N = 1 timing (median reported)
# FASTSim 3.1 constants (read from its outputs: rolling force / (m Crr), state air density)
FASTSIM_G_MPS2 = 9.8
FASTSIM_AIR_DENSITY = 1.2
FASTSIM_BASE = "2022_Renault_Zoe_ZE50_R135.yaml"  # bundled BEV without thermal models
EM_FRACTIONS = (0.0, 0.02, 0.04, 0.06, 0.08, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0)
R_TO_KWH_100KM = 1e5 / 3.6e6  # J/m -> kWh/100 km
PROFILE_CELL = "lg-m50"  # cell of the one-cell comparison with PyBaMM's Thevenin model
PROFILE_CYCLE = "wltc_class3b"  # its 1800 s current profile comes from this cycle
CELL_TEMPERATURE_C = 25.0  # cell start and ambient temperature of that comparison
CELL_BATCH = 1000  # cells in the batched comparison
PYBAMM_REPEATS = 10  # repeats of the N = 1 PyBaMM solve (median reported)
PYBAMM_SUBSET = 20  # PyBaMM solves timed at N = CELL_BATCH (the rest extrapolated)


# ---------------------------------------------------------------------------------------------
# the vehicle and its variants


def base_vehicle() -> dict:
    """Scalar parameters of the benchmark BEV from the shipped preset.

    FASTSim 3 has road load only as Crr*m*g + rho/2*Cd*A*v^2, so the preset's f1 term is folded
    into f0 and f2 by least squares over 0-130 km/h; both tools then get the same (f0, 0, f2).
    """
    p = catalog.load_preset("vehicles", PRESET)
    rl = p["road_load"]
    v = np.linspace(0.0, 130.0 / 3.6, 200)
    force = rl["f0_N"] + rl["f1_N_per_mps"] * v + rl["f2_N_per_mps2"] * v * v
    (f0, f2), *_ = np.linalg.lstsq(np.stack([np.ones_like(v), v * v], axis=1), force, rcond=None)
    return {
        "name": p["name"], "mass_kg": p["test_mass_kg"], "f0_N": f0, "f2_N_per_mps2": f2,
        "road_load_preset": (rl["f0_N"], rl["f1_N_per_mps"], rl["f2_N_per_mps2"]),
        "fit_rms_N": float(np.sqrt(np.mean((f0 + f2 * v * v - force) ** 2))),
        "motor_kW": p["motor_peak_kW"], "usable_kWh": p["battery"]["usable_energy_kWh"],
    }


def variants(base: dict, n: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Mass and road load of n variants; variant 0 is the base vehicle."""
    rng = np.random.default_rng(seed)
    scale = rng.uniform(1.0 - VARIANT_SPREAD, 1.0 + VARIANT_SPREAD, size=(3, n))
    scale[:, 0] = 1.0
    return {"mass_kg": base["mass_kg"] * scale[0], "f0_N": base["f0_N"] * scale[1],
            "f2_N_per_mps2": base["f2_N_per_mps2"] * scale[2]}


# ---------------------------------------------------------------------------------------------
# packstudy


def _cell(n: int, preset: str = CELL_PRESET):
    """Cell columns for n rows: the cell preset (NMC811 pouch) if shipped, else a synthetic 60 Ah
    cell.

    Returns (description, capacity_Ah, mean OCV V, dict of kernel arrays).
    """
    try:
        from packstudy.cell import cell_arrays, load_cell

        c = cell_arrays([load_cell(preset)], np.zeros(n, dtype=np.intp))
    except (ImportError, LookupError, ValueError):
        ones = np.ones((n, ecm.SOC_GRID.size, ecm.TEMP_GRID_C.size))
        arrays = {
            "ocv_V": np.tile(3.4 + 0.8 * ecm.SOC_GRID, (n, 1)), "r0_ohm": 0.0015 * ones,
            "r1_ohm": 0.0008 * ones, "tau1_s": 20.0 * ones, "v_min": 2.8, "v_max": 4.25,
            "i_dis": 600.0, "i_chg": 300.0, "mass": 0.9, "cp": 1000.0,
        }
        return "synthetic 60 Ah NMC-like cell (preset not available)", 60.0, arrays
    arrays = {
        "ocv_V": c.ocv_V, "r0_ohm": c.r0_ohm, "r1_ohm": c.r1_ohm, "tau1_s": c.tau1_s,
        "v_min": c.v_min_V, "v_max": c.v_max_V, "i_dis": c.i_peak_discharge_A,
        "i_chg": c.i_peak_charge_A, "mass": c.mass_kg, "cp": c.specific_heat_J_per_kgK,
    }
    return f"cell preset {preset!r}", float(c.capacity_Ah[0]), arrays


def packstudy_powertrain(base: dict, var: dict, regen_fraction=None, cell_preset=CELL_PRESET):
    """Kernel inputs for the variants; returns (Powertrain, pack description)."""
    n = var["mass_kg"].size
    motor_kW = np.full(n, base["motor_kW"])
    veh = vehicle.vehicle_parameters(
        test_mass_kg=var["mass_kg"], f0_N=var["f0_N"], f1_N_per_mps=np.zeros(n),
        f2_N_per_mps2=var["f2_N_per_mps2"], motor_peak_kW=motor_kW,
        top_speed_kmh=vehicle.default("top_speed_kmh"), regen_fraction=regen_fraction)
    what, capacity_Ah, cell = _cell(n, cell_preset)
    ocv_mean = float(np.mean(cell["ocv_V"][0]))
    series = round(NOMINAL_PACK_V / ocv_mean)
    window = SOC_WINDOW[1] - SOC_WINDOW[0]
    parallel = int(np.ceil(base["usable_kWh"] * 1e3 / (window * series * capacity_Ah * ocv_mean)))
    inv = inverter.inverter_parameters("si", motor_kW * 1e3, series * ocv_mean)
    bat = np.zeros((n, kernel.N_BATTERY_PARAMS))
    bat[:, kernel.B_SERIES] = series
    bat[:, kernel.B_PARALLEL] = parallel
    bat[:, kernel.B_CAPACITY_AH] = capacity_Ah
    bat[:, kernel.B_V_MIN] = cell["v_min"]
    bat[:, kernel.B_V_MAX] = cell["v_max"]
    bat[:, kernel.B_I_DISCHARGE] = cell["i_dis"]
    bat[:, kernel.B_I_CHARGE] = cell["i_chg"]
    bat[:, kernel.B_CELL_MASS] = cell["mass"]
    bat[:, kernel.B_CELL_CP] = cell["cp"]
    bat[:, kernel.B_CELL_HA] = 0.5 * bat[:, kernel.B_CELL_MASS]
    pt = procedures.Powertrain(
        vehicle=veh, inverter=inv, battery=bat,
        ocv_V=np.ascontiguousarray(cell["ocv_V"]), r0_ohm=np.ascontiguousarray(cell["r0_ohm"]),
        r1_ohm=np.ascontiguousarray(cell["r1_ohm"]), tau1_s=np.ascontiguousarray(cell["tau1_s"]),
        usable_energy_kWh=np.full(n, base["usable_kWh"]), soc_min=np.full(n, SOC_WINDOW[0]),
        soc_max=np.full(n, SOC_WINDOW[1]),
        recharge_efficiency=np.full(n, vehicle.default("recharge_efficiency")))
    pack = f"{series}s{parallel}p of {what}, {series * ocv_mean:.0f} V"
    return pt, pack


def packstudy_dc(pt, cycle: Cycle) -> np.ndarray:
    """DC consumption at the battery terminals, kWh/100 km, per variant."""
    acc, _ = procedures.run_cycle(pt, cycle)
    return procedures.cycle_metrics(pt, acc)["dc_kWh_per_100km"]


def drivetrain_efficiency_map(pt) -> tuple[np.ndarray, np.ndarray, float]:
    """packstudy's motor + inverter efficiency against output power fraction at base speed.

    FASTSim 3's machine efficiency is a curve of output power fraction only; base speed is
    where the whole power range is reachable. Returns (fractions, efficiencies, speed m/s).
    """
    veh, inv = pt.vehicle[0], pt.inverter[0]
    speed = veh[vehicle.V_BASE_SPEED]
    dc_V = pt.battery[0, kernel.B_SERIES] * float(np.mean(pt.ocv_V[0]))
    noload, copper = vehicle.motor_loss_coefficients(pt.vehicle[:1])
    speed_pow = speed ** veh[vehicle.V_NOLOAD_EXP]
    frac = np.array(EM_FRACTIONS)
    eff = np.empty_like(frac)
    for k, x in enumerate(frac):
        shaft = max(x, frac[1]) * veh[vehicle.V_MOTOR_W]
        force = shaft / speed
        loss = vehicle.motor_loss_W(noload[0], copper[0], veh[vehicle.V_LOAD_LOSS], speed_pow,
                                    force, shaft) + inverter.inverter_loss_W(
            inv, force / veh[vehicle.V_MAX_FORCE], speed / veh[vehicle.V_BASE_SPEED], dc_V)
        eff[k] = shaft / (shaft + loss)
    return frac, eff, float(speed)


# ---------------------------------------------------------------------------------------------
# FASTSim 3


def _nd(values) -> dict:
    return {"v": 1, "dim": [len(values)], "data": [float(x) for x in values]}


def fastsim_template(base: dict, pt) -> dict:
    """FASTSim vehicle dict for the base vehicle, on the bundled non-thermal BEV's layout."""
    d = fastsim.Vehicle.from_resource(FASTSIM_BASE).to_dict()
    frac, eff, _ = drivetrain_efficiency_map(pt)
    bev = d["pt_type"]["BEV"]
    em = bev["em"]
    em["pwr_out_max_watts"] = base["motor_kW"] * 1e3
    em["eff_interp_achieved"]["data"] = {"grid": [_nd(frac)], "values": _nd(eff)}
    em["eff_interp_at_max_input"]["data"] = {"grid": [_nd(frac / eff)], "values": _nd(eff)}
    bev["transmission"]["eff_interp"] = vehicle.default("gearbox_efficiency")
    res = bev["res"]
    res["min_soc"], res["max_soc"] = SOC_WINDOW
    res["energy_capacity_joules"] = base["usable_kWh"] * 3.6e6 / (SOC_WINDOW[1] - SOC_WINDOW[0])
    # not limiting here: in packstudy the cells set the power limit
    res["pwr_out_max_watts"] = 1.5 * base["motor_kW"] * 1e3
    d["chassis"].update(glider_mass_kilograms=None, cargo_mass_kilograms=None,
                        drive_type="RWD", frontal_area_square_meters=2.22)
    d["name"] = f"{base['name']} (packstudy benchmark)"
    d["pwr_aux_base_watts"] = vehicle.default("aux_W")
    d["save_interval"] = None
    return d


def fastsim_vehicles(template: dict, var: dict, count: int) -> list:
    """FASTSim vehicles for the first ``count`` variants, road load as Crr and Cd*A."""
    rot = vehicle.default("rotating_inertia_fraction")
    ch = template["chassis"]
    out = []
    for i in range(count):
        d = copy.deepcopy(template)
        m = float(var["mass_kg"][i])
        d["mass_kilograms"] = m
        c = d["chassis"]
        c["wheel_rr_coef"] = float(var["f0_N"][i]) / (m * FASTSIM_G_MPS2)
        c["drag_coef"] = 2.0 * float(var["f2_N_per_mps2"][i]) / (
            FASTSIM_AIR_DENSITY * ch["frontal_area_square_meters"])
        # wheels' rotational inertia as packstudy's rotating mass: n*J/r^2 = fraction * m
        c["wheel_inertia_kilogram_square_meters"] = (
            rot * m * ch["wheel_radius_meters"] ** 2 / ch["num_wheels"])
        veh = fastsim.Vehicle.from_dict(d)
        veh.set_save_interval(None)
        out.append(veh)
    return out


def fastsim_cycle(cycle: Cycle):
    return fastsim.Cycle.from_dict({
        "time_seconds": [float(x) for x in cycle.time_s],
        "speed_meters_per_second": [float(x) for x in cycle.speed_mps],
        "grade": [float(x) for x in cycle.grade],
    })


def fastsim_run(veh, cyc) -> dict:
    sd = fastsim.SimDrive(veh, cyc)
    sd.run()
    return sd.to_dict()["veh"]


def fastsim_dc(veh, cyc) -> tuple[float, float]:
    """DC consumption at the battery terminals (kWh/100 km) and road-load energy (J)."""
    out = fastsim_run(veh, cyc)
    s = out["state"]
    res = out["pt_type"]["BEV"]["res"]["state"]
    dc = res["energy_out_electrical_joules"] / s["dist_meters"] * R_TO_KWH_100KM
    return dc, s["energy_rr_joules"] + s["energy_drag_joules"]


# ---------------------------------------------------------------------------------------------
# timing


def time_packstudy(pt, cycle: Cycle, repeats: int = 1) -> float:
    """Seconds per batched call (median of repeats)."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        procedures.run_cycle(pt, cycle)
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def time_fastsim(vehicles: list, cyc, repeats: int = 1) -> float:
    """Seconds for one SimDrive construction + run per vehicle, looped (median of repeats)."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for veh in vehicles:
            sd = fastsim.SimDrive(veh, cyc)
            sd.run()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def road_load_energy_J(var: dict, cycle: Cycle, i: int = 0) -> float:
    """Road-load energy of variant i over the cycle with step-average speed (as the kernel)."""
    v = 0.5 * (cycle.speed_mps[1:] + cycle.speed_mps[:-1])
    dt = np.diff(cycle.time_s)
    force = var["f0_N"][i] + var["f2_N_per_mps2"][i] * v * v
    return float(np.sum(np.where(v > 0.0, force * v * dt, 0.0)))


def jit_probe() -> None:
    """Subprocess entry: time the first and second N = 1 kernel call; print JSON."""
    base = base_vehicle()
    pt, _ = packstudy_powertrain(base, variants(base, 1))
    cycle = load_cycle("udds")
    first = time_packstudy(pt, cycle)
    steady = time_packstudy(pt, cycle, repeats=5)
    print(json.dumps({"first_s": first, "steady_s": steady}))


def jit_times() -> tuple[float, float, float]:
    """(cold-cache first call, warm-cache first call, steady call) in seconds, each from a fresh
    interpreter with NUMBA_CACHE_DIR in a new temporary folder."""
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        runs = []
        for _ in range(2):
            out = subprocess.run([sys.executable, __file__, "--jit-probe"], env=env,
                                 capture_output=True, text=True, check=True)
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return runs[0]["first_s"], runs[1]["first_s"], runs[1]["steady_s"]


# ---------------------------------------------------------------------------------------------
# one cell on a current profile: packstudy's cell simulator vs PyBaMM's Thevenin model


def cell_current_profile(base: dict) -> tuple[np.ndarray, np.ndarray, float, str]:
    """Cell current of the benchmark BEV on WLTC class 3b with a pack of lg-m50 cells.

    Returns (time_s (1801,), current_A per 1 s interval (1800,), SOC at the start, pack text);
    current positive when discharging, from the kernel's trace ``T_CURRENT``.
    """
    pt, pack = packstudy_powertrain(base, variants(base, 1), cell_preset=PROFILE_CELL)
    if repr(PROFILE_CELL) not in pack:
        raise SystemExit(f"cell preset {PROFILE_CELL!r} is not shipped; cannot derive the profile")
    cycle = load_cycle(PROFILE_CYCLE)
    _, trace = procedures.run_cycle(pt, cycle, traces=True)
    soc0 = float(0.5 * (pt.soc_min[0] + pt.soc_max[0]))  # run_cycle's default start
    return np.asarray(cycle.time_s, dtype=float), trace[0, kernel.T_CURRENT].copy(), soc0, pack


def pybamm_thevenin(cells, time_s: np.ndarray, current_A: np.ndarray, soc0: float):
    """A PyBaMM Thevenin simulation with lg-m50's tables; returns (Simulation, solve(scale)).

    The profile enters as PyBaMM's usual drive-cycle input, a linear interpolant through the
    samples (equal to the zero-order hold at the sample times), times an input parameter.
    """
    def table(name: str, values: np.ndarray):
        def f(T_cell, current, soc):  # (degC, A, -): PyBaMM's signature for R0, R1 and C1
            return pybamm.Interpolant((SOC_GRID, TEMP_GRID_C), values, [soc, T_cell], name=name)
        return f

    r1 = cells.r1_ohm[0]
    samples = np.append(current_A, current_A[-1])
    profile = pybamm.Interpolant(time_s, samples, pybamm.t, name="current profile")
    ambient_K = CELL_TEMPERATURE_C + 273.15
    params = pybamm.equivalent_circuit.Thevenin().default_parameter_values
    params.update({
        "Cell capacity [A.h]": float(cells.capacity_Ah[0]),
        "Nominal cell capacity [A.h]": float(cells.capacity_Ah[0]),
        "Open-circuit voltage [V]": lambda soc: pybamm.Interpolant(
            SOC_GRID, cells.ocv_V[0], soc, name="ocv"),
        "Entropic change [V/K]": 0.0,  # lg-m50 has no entropic data (dOCV/dT = 0)
        "R0 [Ohm]": table("r0", cells.r0_ohm[0]),
        "R1 [Ohm]": table("r1", r1),
        "C1 [F]": table("c1", cells.tau1_s[0] / r1),
        "Upper voltage cut-off [V]": float(cells.v_max_V[0]),
        "Lower voltage cut-off [V]": float(cells.v_min_V[0]),
        "Cell thermal mass [J/K]": float(cells.mass_kg[0] * cells.specific_heat_J_per_kgK[0]),
        "Cell-jig heat transfer coefficient [W/K]": float(
            cellsim.default_h_W_per_m2K() * cells.surface_area_m2[0]),
        # a jig of huge thermal mass stays at the ambient temperature: cell-to-air cooling
        "Jig thermal mass [J/K]": 1e12,
        "Initial SoC": soc0, "Initial temperature [K]": ambient_K, "Ambient temperature [K]": ambient_K,
        "Current function [A]": profile * pybamm.InputParameter("current scale"),
    })
    sim = pybamm.Simulation(pybamm.equivalent_circuit.Thevenin(), parameter_values=params)

    def solve(scale: float):
        return sim.solve(t_eval=[time_s[0], time_s[-1]], t_interp=time_s,
                         inputs={"current scale": scale})

    return sim, solve


def cellsim_jit_s() -> tuple[float, float]:
    """(cold-cache, warm-cache) seconds of the first ``cellsim.simulate`` call (imports
    excluded), each in a fresh interpreter with NUMBA_CACHE_DIR in a new temporary folder."""
    code = ("import time, numpy as np\n"
            "from packstudy import cellsim\n"
            "from packstudy.cell import cell_arrays, load_cell\n"
            f"c = cell_arrays([load_cell({PROFILE_CELL!r})])\n"
            "t0 = time.perf_counter()\n"
            "cellsim.simulate(c, np.arange(3.0), np.ones(2), keep_trace=True)\n"
            "print(time.perf_counter() - t0)\n")
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                               check=True, env=env).stdout.strip().splitlines()[-1]
                for _ in range(2)]
    return float(runs[0]), float(runs[1])


def _median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def cell_vs_pybamm(base: dict, quick: bool) -> None:
    """Print the one-cell comparison and the ``ratio_vs_pybamm_thevenin_N*`` lines."""
    from packstudy.cell import cell_arrays, load_cell

    time_s, current_A, soc0, pack = cell_current_profile(base)
    dt = np.diff(time_s)
    print(f"one cell vs PyBaMM {pybamm.__version__} Thevenin (1 RC pair), single thread:")
    print(f"  profile: cell current of the benchmark BEV on {PROFILE_CYCLE} "
          f"({time_s[-1] - time_s[0]:.0f} s, {current_A.size} steps of 1 s) from the kernel "
          f"trace T_CURRENT, pack {pack}; current {current_A.min():+.2f}..{current_A.max():+.2f} A, "
          f"net {np.sum(current_A * dt) / 3600:.3f} Ah, start SOC {soc0:.3f}, "
          f"{CELL_TEMPERATURE_C:.0f} degC cell and ambient")
    one = cell_arrays([load_cell(PROFILE_CELL)])
    print(f"  cell: {PROFILE_CELL} ({one.capacity_Ah[0]:.4f} Ah); PyBaMM gets the same OCV(SOC), "
          f"R0, R1, C1 = tau1/R1 (SOC x temperature tables, linear interpolation), capacity, "
          f"voltage limits, thermal mass and cell-to-air conductance")

    cold, warm = cellsim_jit_s()
    cellsim.simulate(one, time_s, current_A, soc_start=soc0, keep_trace=True)  # warm-up
    t0 = time.perf_counter()
    sim, solve = pybamm_thevenin(one, time_s, current_A, soc0)
    sim.build()
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    solve(1.0)
    setup = time.perf_counter() - t0

    run = cellsim.simulate(one, time_s, current_A, soc_start=soc0, keep_trace=True)
    sol = solve(1.0)
    m = min(sol["Voltage [V]"].entries.size, time_s.size)  # either one may stop at a limit
    err_V = sol["Voltage [V]"].entries[:m] - run.trace_voltage_V[0, :m]
    err_V = err_V[np.isfinite(err_V)]
    print(f"  sanity, terminal voltage packstudy vs PyBaMM over {err_V.size} of {time_s.size} "
          f"samples: RMSE {1e3 * np.sqrt(np.mean(err_V**2)):.2f} mV, max "
          f"{1e3 * np.max(np.abs(err_V)):.2f} mV; "
          f"final SOC {run.soc[0]:.4f} vs {sol['SoC'].entries[-1]:.4f}, final temperature "
          f"{run.temperature_C[0]:.2f} vs {sol['Cell temperature [degC]'].entries[-1]:.2f} degC; "
          f"packstudy stop: {cellsim.STOP_REASONS[int(run.stop_reason[0])]}")
    print(f"  setup: packstudy JIT compile (cold cache) {cold:.2f} s, first call (warm cache) "
          f"{warm * 1e3:.1f} ms; PyBaMM build (parameters, discretisation) {build:.2f} s, "
          f"first solve (with solver setup) {setup:.3f} s")

    t_ps = _median_time(lambda: cellsim.simulate(one, time_s, current_A, soc_start=soc0,
                                                 keep_trace=True), N1_REPEATS)
    t_pb = _median_time(lambda: solve(1.0), PYBAMM_REPEATS)
    print(f"  N=1: packstudy {t_ps * 1e3:.3f} ms, PyBaMM {t_pb * 1e3:.2f} ms per solve "
          f"(medians of {N1_REPEATS} and {PYBAMM_REPEATS} runs, full voltage trace kept)")
    ratios = {1: t_pb / t_ps}
    if not quick:
        n = CELL_BATCH
        scale = np.random.default_rng(0).uniform(1.0 - VARIANT_SPREAD, 1.0 + VARIANT_SPREAD, n)
        scale[0] = 1.0
        cells = cell_arrays([load_cell(PROFILE_CELL)], np.zeros(n, dtype=np.intp))
        t_ps_n = _median_time(lambda: cellsim.simulate(
            cells, time_s, current_A, scale=scale, soc_start=soc0, keep_trace=True), 3)
        t0 = time.perf_counter()
        for s in scale[:PYBAMM_SUBSET]:
            solve(float(s))
        t_pb_n = (time.perf_counter() - t0) * n / PYBAMM_SUBSET
        ratios[n] = t_pb_n / t_ps_n
        print(f"  N={n}: packstudy one batched call {t_ps_n:.3f} s (median of 3); PyBaMM loop "
              f"{t_pb_n:.1f} s ({PYBAMM_SUBSET} solves timed, extrapolated linearly); cells "
              f"differ by current scale x U({1 - VARIANT_SPREAD:.2f}, {1 + VARIANT_SPREAD:.2f}), "
              f"an input parameter in PyBaMM")
    for n, r in ratios.items():
        print(f"ratio_vs_pybamm_thevenin_N{n} = {r:.1f}")
    if quick:
        print(f"ratio_vs_pybamm_thevenin_N{CELL_BATCH} = nan")


# ---------------------------------------------------------------------------------------------


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="N = 1 and 100 only, one cell only vs PyBaMM (CI smoke run)")
    ap.add_argument("--fastsim-subset", type=int, default=FASTSIM_SUBSET,
                    help="FASTSim simulations timed at N = 10,000 (default %(default)s)")
    ap.add_argument("--jit-probe", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.jit_probe:
        jit_probe()
        return
    sizes = (1, 100) if args.quick else (1, 100, 10_000)

    base = base_vehicle()
    var = variants(base, max(sizes))
    cycles = {name: load_cycle(name) for name in CYCLES}
    fs_cycles = {name: fastsim_cycle(c) for name, c in cycles.items()}
    pt1, pack = packstudy_powertrain(base, variants(base, 1))
    template = fastsim_template(base, pt1)
    frac, eff, v_map = drivetrain_efficiency_map(pt1)

    print(f"packstudy {__import__('packstudy').__version__} vs FASTSim {fastsim.__version__}, "
          f"single thread (NUMBA_NUM_THREADS=1, RAYON_NUM_THREADS=1, RUST_BACKTRACE unset, "
          f"FASTSim history off)")
    f0p, f1p, f2p = base["road_load_preset"]
    print(f"vehicle: {base['name']} preset, test mass {base['mass_kg']:.1f} kg, "
          f"motor {base['motor_kW']:.0f} kW, usable {base['usable_kWh']:.1f} kWh")
    print(f"  road load {f0p:.1f} + {f1p:.3f} v + {f2p:.4f} v^2 N folded (least squares, "
          f"0-130 km/h, rms {base['fit_rms_N']:.1f} N) to f0 = {base['f0_N']:.1f} N, "
          f"f2 = {base['f2_N_per_mps2']:.4f} N/(m/s)^2 for both tools")
    ch = fastsim_vehicles(template, var, 1)[0].to_dict()["chassis"]
    print(f"  FASTSim: Crr {ch['wheel_rr_coef']:.5f}, Cd {ch['drag_coef']:.4f} x "
          f"{ch['frontal_area_square_meters']} m2, motor+inverter efficiency "
          f"{eff[1]:.3f}..{eff.max():.3f} vs power fraction (packstudy map at "
          f"{v_map * 3.6:.0f} km/h), gearbox {vehicle.default('gearbox_efficiency')}, "
          f"aux {vehicle.default('aux_W'):.0f} W")
    print(f"  packstudy: pack {pack}")
    print(f"variants: mass, f0 and f2 each x U({1 - VARIANT_SPREAD:.2f}, "
          f"{1 + VARIANT_SPREAD:.2f}); variant 0 is the base vehicle")

    cold, warm, steady = jit_times()
    print(f"packstudy JIT: compile (cold cache) {cold:.2f} s, first call (warm cache) "
          f"{warm * 1e3:.1f} ms, steady-state N=1 UDDS call {steady * 1e3:.2f} ms")

    # warm-up (JIT load) and sanity: DC consumption of the base vehicle in both tools
    fs_base = fastsim_vehicles(template, var, 1)[0]
    pt_full_regen, _ = packstudy_powertrain(base, variants(base, 1), regen_fraction=1.0)
    print("sanity, base vehicle DC consumption at the battery terminals (kWh/100 km):")
    for name, cycle in cycles.items():
        ps = packstudy_dc(pt1, cycle)[0]
        ps_full = packstudy_dc(pt_full_regen, cycle)[0]
        fs, fs_road = fastsim_dc(fs_base, fs_cycles[name])
        road = road_load_energy_J(var, cycle)
        print(f"  {name:13s} packstudy {ps:6.2f} | FASTSim {fs:6.2f} | difference "
              f"{100 * (ps / fs - 1):+5.1f} % (with packstudy regen share 1.0 as in FASTSim: "
              f"{ps_full:.2f}, {100 * (ps_full / fs - 1):+.1f} %); road-load energy "
              f"FASTSim {fs_road / 1e6:.3f} MJ vs {road / 1e6:.3f} MJ")

    print(f"{'cycle':13s} {'N':>6s} {'FASTSim sims/s':>15s} {'packstudy sims/s':>17s} "
          f"{'ratio':>8s}  note")
    totals = {}
    for n in sizes:
        sub = var if n == var["mass_kg"].size else {k: v[:n] for k, v in var.items()}
        pt, _ = packstudy_powertrain(base, sub)
        timed = min(n, args.fastsim_subset) if n > 1000 else n
        fs_vehicles = fastsim_vehicles(template, sub, timed)
        repeats = N1_REPEATS if n == 1 else 1
        for name, cycle in cycles.items():
            t_ps = time_packstudy(pt, cycle, repeats)
            t_fs = time_fastsim(fs_vehicles, fs_cycles[name], repeats) * n / timed
            note = f"FASTSim: {timed} timed, extrapolated linearly" if timed < n else ""
            if n == 1:
                note = f"median of {repeats} runs each"
            print(f"{name:13s} {n:6d} {n / t_fs:15.1f} {n / t_ps:17.1f} {t_fs / t_ps:8.1f}  {note}")
            tot = totals.setdefault(n, [0.0, 0.0])
            tot[0] += t_fs
            tot[1] += t_ps
    for n, (t_fs, t_ps) in totals.items():
        print(f"{'WLTC+UDDS':13s} {n:6d} {2 * n / t_fs:15.1f} {2 * n / t_ps:17.1f} "
              f"{t_fs / t_ps:8.1f}")
    r1 = totals[1][0] / totals[1][1]
    if args.quick:
        r100 = totals[100][0] / totals[100][1]
        print(f"quick run: N=10,000 not run; ratio at N=100 = {r100:.1f}")
        cell_vs_pybamm(base, quick=True)
        print("ratio_vs_fastsim_N10000 = nan")
        return
    ratio = totals[10_000][0] / totals[10_000][1]
    print(f"goal: >= 50x at N=10,000: {'met' if ratio >= 50 else 'MISSED'} ({ratio:.1f}x); "
          f"not slower at N=1: {'met' if r1 >= 1 else 'MISSED'} ({r1:.1f}x)")
    cell_vs_pybamm(base, quick=False)
    print(f"ratio_vs_fastsim_N10000 = {ratio:.1f}")


if __name__ == "__main__":
    main()
