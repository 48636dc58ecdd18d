"""Shared test helpers: the repository's reference-data folder, a synthetic powertrain and
the lowest CPU priority for a run a test interrupts."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from packstudy import ecm, inverter, kernel, procedures, vehicle

REPO = Path(__file__).resolve().parents[1]
SHARED_VALIDATION = REPO.parent / "shared" / "validation"


@pytest.fixture
def shared_validation() -> Path:
    """The shared reference-data folder; skips the test when it is absent."""
    if not SHARED_VALIDATION.is_dir():
        pytest.skip(f"reference data folder {SHARED_VALIDATION} is absent")
    return SHARED_VALIDATION


def lowest_priority() -> None:
    """``preexec_fn`` of a run a test stops or kills midway: at the lowest CPU priority, the run
    cannot have the machine to itself, and finish, while the scheduler keeps the test waiting."""
    os.nice(19)


def synthetic_powertrain(n=3, *, motor_kW=150.0, mass_kg=1900.0, inverter_kind="si",
                         capacity_Ah=60.0, series=96, parallel=3, r0_ohm=0.0015):
    """A mid-size BEV with a simple NMC-like cell (linear OCV 3.4-4.2 V)."""
    veh = vehicle.vehicle_parameters(
        test_mass_kg=np.full(n, mass_kg), f0_N=120.0, f1_N_per_mps=1.5, f2_N_per_mps2=0.40,
        motor_peak_kW=np.full(n, motor_kW), top_speed_kmh=180.0)
    v_nom = series * 3.8
    inv = inverter.inverter_parameters(np.full(n, inverter_kind), veh[:, vehicle.V_MOTOR_W],
                                       np.full(n, v_nom))
    bat = np.zeros((n, kernel.N_BATTERY_PARAMS))
    bat[:, kernel.B_SERIES] = series
    bat[:, kernel.B_PARALLEL] = parallel
    bat[:, kernel.B_CAPACITY_AH] = capacity_Ah
    bat[:, kernel.B_V_MIN] = 3.0
    bat[:, kernel.B_V_MAX] = 4.25
    bat[:, kernel.B_I_DISCHARGE] = 4.0 * capacity_Ah
    bat[:, kernel.B_I_CHARGE] = 2.0 * capacity_Ah
    bat[:, kernel.B_CELL_MASS] = 0.9
    bat[:, kernel.B_CELL_CP] = 1000.0
    bat[:, kernel.B_CELL_HA] = 0.9
    shape = (n, ecm.SOC_GRID.size, ecm.TEMP_GRID_C.size)
    usable = series * parallel * capacity_Ah * 3.8 * 0.95 / 1e3
    return procedures.Powertrain(
        vehicle=veh, inverter=inv, battery=bat,
        ocv_V=np.tile(3.4 + 0.8 * ecm.SOC_GRID, (n, 1)),
        r0_ohm=np.full(shape, r0_ohm), r1_ohm=np.full(shape, 0.0008), tau1_s=np.full(shape, 20.0),
        usable_energy_kWh=np.full(n, usable), soc_min=np.full(n, 0.03), soc_max=np.full(n, 0.98),
        recharge_efficiency=np.full(n, 0.89))
