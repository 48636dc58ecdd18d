"""PyBaMM DFN (Chen2020, isothermal 25 degC) references for the lg-m50 cell at sustained rates.

Needs the ``bench`` extra (pybamm). Writes one CSV per case, ``time_s,current_A,voltage_V,
discharge_capacity_Ah`` (current positive when discharging), to the cache folder
``$PACKSTUDY_DFN_CACHE`` (default ``~/.cache/packstudy/dfn``), outside the repository; the
validation test ``test_lg_m50_dfn_rates.py`` beside this file reads them from there and
calls ``ensure`` to make missing ones when pybamm is installed; never used by the package.

Cases: constant-current discharges from 100 % SOC (``set_initial_state(1.0)``, OCV 4.2 V)
to 2.5 V at C/2, 1C, 1.5C, 2C and 3C, and a 0.7C constant-current charge from 0 % to 4.2 V
(C = 5 A, PyBaMM's nominal capacity for Chen2020). Default DFN options (isothermal), default
mesh, 1 s output period; about 10 s in all.

Current profiles (``profile_voltage``): the DFN on a given current against time (zero-order
hold), isothermal, from a given SOC, its voltage at the profile's samples; cached as
``chen2020_dfn_profile_NAME_DIGEST.csv`` (``time_s,current_A,voltage_V``), the digest
naming the profile's times, currents and start SOC, so that a changed profile is never read
from an old file. ``--profiles`` makes them for the study procedures' cell currents
(``procedure_profiles.py``; about 2 minutes), which ``test_lg_m50_procedure_profiles.py``
reads when cached.

Run: ``python tests/validation/dfn_reference.py [CASE ...]`` (all cases by default),
``... --profiles``, or ``... --diagnose CASE`` to print where the DFN's voltage loss goes
over that case (``overpotentials``): the basis of the diagnosis in docs/cells.md.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

CASES = {"C2": 0.5, "1C": 1.0, "1.5C": 1.5, "2C": 2.0, "3C": 3.0, "chg0.7C": -0.7}
NOMINAL_AH = 5.0


def cache_dir() -> Path:
    """The folder holding the reference CSVs."""
    return Path(os.environ.get("PACKSTUDY_DFN_CACHE",
                               Path.home() / ".cache" / "packstudy" / "dfn"))


def path(case: str) -> Path:
    return cache_dir() / f"chen2020_dfn_{case}_25C.csv"


def solve(case: str, period_s: float = 1.0):
    """The PyBaMM solution of one case, output every ``period_s`` seconds."""
    import pybamm

    pybamm.set_logging_level("WARNING")
    rate = CASES[case]
    step = (f"Discharge at {rate:g}C until 2.5 V" if rate > 0
            else f"Charge at {-rate:g}C until 4.2 V")
    sim = pybamm.Simulation(pybamm.lithium_ion.DFN(),
                            parameter_values=pybamm.ParameterValues("Chen2020"),
                            experiment=pybamm.Experiment([step], period=f"{period_s:g} seconds"))
    return sim.solve(initial_soc=1.0 if rate > 0 else 0.0)


def generate(case: str) -> Path:
    """Solve one case with PyBaMM and write its CSV (temp file, then rename)."""
    sol = solve(case)
    cols = [sol[k].entries for k in ("Time [s]", "Current [A]", "Voltage [V]",
                                     "Discharge capacity [A.h]")]
    table = np.column_stack(cols)[np.append(np.diff(cols[0]) > 1e-6, True)]
    out = path(case)
    _write_csv(out, table, "time_s,current_A,voltage_V,discharge_capacity_Ah")
    return out


def _write_csv(out: Path, table: np.ndarray, header: str) -> None:
    """``table`` as CSV at ``out`` (its folder made; a temporary file, then renamed)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, suffix=".tmp")
    with os.fdopen(fd, "w") as f:
        np.savetxt(f, table, delimiter=",", comments="", fmt="%.9g", header=header)
    os.replace(tmp, out)


def ensure(case: str) -> Path:
    """The CSV of ``case``, generated first if it is not cached."""
    return path(case) if path(case).is_file() else generate(case)


def profile_path(name: str, time_s, current_A, soc0: float) -> Path:
    """The cache file of the DFN run on a current profile (its digest in the name)."""
    h = hashlib.sha1(np.round(np.asarray(time_s, float), 6).tobytes())
    h.update(np.round(np.asarray(current_A, float), 6).tobytes())
    h.update(f"{soc0:.6f}".encode())
    return cache_dir() / f"chen2020_dfn_profile_{name}_{h.hexdigest()[:12]}.csv"


def solve_profile(time_s, current_A, soc0: float) -> np.ndarray:
    """The DFN's voltage (V) at the samples ``time_s`` (k + 1,) under ``current_A`` (k,) held
    from each sample to the next (A, positive discharging), from SOC ``soc0``; voltage
    cut-offs widened to 2.0-4.6 V so that the whole profile runs, as the packstudy models
    run it through their limits."""
    import pybamm

    pybamm.set_logging_level("WARNING")
    t = np.asarray(time_s, float)
    knots = np.repeat(t, 2)[1:-1]
    knots[1::2] -= 1e-6  # each current holds until just before the next sample
    knots[-1] = t[-1]
    values = pybamm.ParameterValues("Chen2020")
    values["Current function [A]"] = pybamm.Interpolant(
        knots, np.repeat(np.asarray(current_A, float), 2), pybamm.t, interpolator="linear")
    values["Lower voltage cut-off [V]"] = 2.0
    values["Upper voltage cut-off [V]"] = 4.6
    sim = pybamm.Simulation(pybamm.lithium_ion.DFN(), parameter_values=values,
                            solver=pybamm.IDAKLUSolver())
    sol = sim.solve(t_eval=[t[0], t[-1]], t_interp=t, initial_soc=soc0)
    return np.interp(t, sol["Time [s]"].entries, sol["Voltage [V]"].entries)


def profile_voltage(name: str, time_s, current_A, soc0: float, make: bool = False):
    """The cached DFN voltage on a profile (V at ``time_s``); with ``make``, solved and cached
    first when missing; None when missing and not made."""
    out = profile_path(name, time_s, current_A, soc0)
    if not out.is_file():
        if not make:
            return None
        table = np.column_stack([time_s, np.append(current_A, current_A[-1]),
                                 solve_profile(time_s, current_A, soc0)])
        _write_csv(out, table, "time_s,current_A,voltage_V")
    return np.genfromtxt(out, delimiter=",", names=True)["voltage_V"]


def _make_profiles() -> None:
    from procedure_profiles import profiles

    from packstudy.cell import load_cell

    capacity_Ah = load_cell("lg-m50").capacity_Ah
    for name, (t, c_rate, soc0) in profiles().items():
        profile_voltage(name, t, c_rate * capacity_Ah, soc0, make=True)
        print(f"{name:14s} {t[-1]:7.0f} s -> {profile_path(name, t, c_rate * capacity_Ah, soc0)}")


def overpotentials(case: str, period_s: float = 10.0) -> dict[str, np.ndarray]:
    """Where the DFN's voltage loss goes over a case (diagnosis, not a reference file): time,
    voltage, bulk and x-averaged surface OCV, electrolyte concentration and ohmic
    overpotentials, reaction overpotential (V), lowest electrolyte concentration (mol/m3) and
    highest positive-particle surface stoichiometry."""
    sol = solve(case, period_s)

    def e(name):
        return sol[name].entries

    return {
        "time_s": e("Time [s]"), "voltage_V": e("Voltage [V]"),
        "ocv_bulk_V": e("Positive electrode bulk open-circuit potential [V]")
        - e("Negative electrode bulk open-circuit potential [V]"),
        "ocv_surface_V": e("X-averaged positive electrode open-circuit potential [V]")
        - e("X-averaged negative electrode open-circuit potential [V]"),
        "electrolyte_concentration_V": e("X-averaged concentration overpotential [V]"),
        "electrolyte_ohmic_V": e("X-averaged electrolyte ohmic losses [V]"),
        "reaction_V": e("X-averaged reaction overpotential [V]"),
        "electrolyte_min_mol_per_m3": e("Electrolyte concentration [mol.m-3]").min(axis=0),
        "positive_surface_max": e("Positive particle surface stoichiometry").max(axis=0),
    }

def _print_diagnosis(case: str) -> None:
    d = overpotentials(case)
    print(f"DFN {case}: t_s V OCV_bulk OCV_surface conc_V el_ohmic_V reaction_V c_e_min y_p_max")
    for k in np.linspace(0, d["time_s"].size - 1, 9).astype(int):
        print("  " + " ".join(f"{d[n][k]:8.3f}" for n in d))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--diagnose"]:
        for c in sys.argv[2:] or ["1C", "2C", "3C"]:
            _print_diagnosis(c)
        sys.exit(0)
    if sys.argv[1:2] == ["--profiles"]:
        _make_profiles()
        sys.exit(0)
    for c in sys.argv[1:] or list(CASES):
        p = generate(c)
        d = np.genfromtxt(p, delimiter=",", names=True)
        print(f"{c:8s} {d['time_s'][-1]:7.0f} s  {d['discharge_capacity_Ah'][-1]:+.4f} Ah  "
              f"{d['voltage_V'][0]:.3f} -> {d['voltage_V'][-1]:.3f} V  -> {p}")

