"""Traction machine technologies and the loss-minimising torque split between two axles.

A vehicle's ``motors`` (one entry per machine: axle, type, peak power, disconnect) become
columns of the kernel's vehicle matrix (``vehicle.V_M1``, ``vehicle.V_M2``): each machine's
share of the rated power and how its losses differ from the permanent-magnet baseline of
``data/factors/drivetrain.toml``, from the sourced factors of ``data/factors/motors.toml``:

- ``pmsm``: no-load iron loss whenever it turns, energised or idle (the magnets' back-EMF);
- ``induction``: rotor (slip) copper loss on top of the stator's, and a magnetising loss
  while energised; idle, no field and so no drag;
- ``eesm``: rotor excitation loss while energised; idle (field off), no drag.

A machine on a disconnected axle (``disconnect = true``) has no drag when idle. Each
machine's loss is  excitation + iron x v^k + copper x F_i^2 + load fraction x |F_i v|  when
it carries force F_i, idle drag x v^k when it carries none; its own inverter (its axle's
technology, rated at the machine's power) adds lin_i F_i + quad_i F_i^2 (``inverter``
losses, linear and quadratic in current, at the step's speed and bus voltage). At every
operating point the kernel takes the cheapest of: both idle (zero force), one machine alone
(within its torque limit, the other idling) and both together at the minimum of the convex
sum (clipped to the torque limits). For this loss model that is the exact loss-minimising
split, in closed form, so the kernel needs no per-variant table. A vehicle without ``motors``
has one machine of the baseline type (share 1), which gives exactly the single-machine loss
model.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from . import catalog
from .lookup import check

TYPES = ("pmsm", "induction", "eesm")
AXLES = ("front", "rear")

# Columns of one machine (offsets from vehicle.V_M1 / V_M2)
M_SHARE = 0  # share of the vehicle's rated machine power
M_NOLOAD = 1  # energised no-load (iron) loss / the baseline's
M_IDLE = 2  # idle drag / energised no-load loss
M_COPPER = 3  # copper loss at the machine's rated torque / the baseline's
M_EXCITE = 4  # excitation or magnetising loss while energised / the machine's rated power
N_MACHINE_COLS = 5

NO_LIMIT_N = 1e30  # torque limit of a lone machine: the vehicle's own limit applies upstream


class Machine(NamedTuple):
    """One traction machine: axle "front"/"rear", type (``TYPES``), peak power (kW) and
    whether its axle disconnects when it is idle."""

    axle: str
    type: str
    peak_kW: float
    disconnect: bool = False


def factor(key: str) -> float:
    """A sourced machine-technology factor from ``data/factors/motors.toml``."""
    return float(catalog.factor("motors", key))


def type_columns(kind: str, disconnect: bool = False) -> np.ndarray:
    """(no-load multiplier, idle fraction, copper multiplier, excitation fraction) of a type."""
    check("motor type", kind, TYPES, listed="allowed")
    idle = 0.0 if disconnect else factor(f"{kind}_idle_drag_fraction")
    copper = 1.0 + (factor("induction_rotor_copper_ratio") if kind == "induction" else 0.0)
    excite = {"pmsm": 0.0, "induction": factor("induction_magnetising_loss_fraction"),
              "eesm": factor("eesm_excitation_loss_fraction")}[kind]
    return np.array([1.0, idle, copper, excite])


def machine_columns(machines=None) -> np.ndarray:
    """The two machines' columns (2 x N_MACHINE_COLS): with no ``machines``, one baseline
    PMSM carrying all the power and an absent second machine (share 0)."""
    out = np.zeros((2, N_MACHINE_COLS))
    if not machines:
        out[0, M_SHARE] = 1.0
        out[0, M_NOLOAD:] = type_columns("pmsm")
        return out
    if len(machines) > 2:
        raise ValueError("at most two machines (one per axle) are modelled")
    total = sum(m.peak_kW for m in machines)
    for i, m in enumerate(machines):
        out[i, M_SHARE] = m.peak_kW / total
        out[i, M_NOLOAD:] = type_columns(m.type, m.disconnect)
    return out


def drive_of(machines) -> str:
    """"FWD", "RWD" or "AWD" from the machines' axles."""
    axles = {m.axle for m in machines}
    return "AWD" if len(axles) == 2 else ("FWD" if axles == {"front"} else "RWD")


@njit(cache=True, inline="always", error_model="numpy")
def split_losses_W(iron1, iron2, idle1, idle2, excite1, excite2, copper1, copper2, lin1, lin2,
                   quad1, quad2, fmax1, fmax2, load_fraction, speed_pow, force_N, shaft_W):
    """(machine W, inverter W) of two machines, each with its own inverter, sharing the
    tractive force ``force_N`` (at the wheels, motoring or generating) at the cheapest split;
    ``speed_pow`` = v^k.

    iron/idle: energised no-load and idle drag coefficients (W per (m/s)^k); excite: W while
    energised; copper: W per N^2 of the machine's own force; lin/quad: its inverter's loss
    lin f + quad f^2 (W, f its force in N) at this speed and bus voltage; fmax: each machine's
    force limit (N). Both machines energised share the force at the minimum of the convex
    sum of the two losses, f1 = (2 Q2 f + lin2 - lin1) / (2 (Q1 + Q2)) with Q = copper + quad,
    clipped to the torque limits. Branch-free, so that callers vectorise.
    """
    big = 1e30
    f = abs(force_N)
    on1 = excite1 + iron1 * speed_pow
    on2 = excite2 + iron2 * speed_pow
    off1 = idle1 * speed_pow
    off2 = idle2 * speed_pow
    idle_machine = off1 + off2
    inv1 = (lin1 + quad1 * f) * f
    inv2 = (lin2 + quad2 * f) * f
    m1 = on1 + off2 + copper1 * f * f
    m2 = on2 + off1 + copper2 * f * f
    q1 = copper1 + quad1
    q2 = copper2 + quad2
    f1 = (2.0 * q2 * f + lin2 - lin1) / (2.0 * (q1 + q2))
    f1 = min(max(f1, f - fmax2, 0.0), fmax1, f)
    f2 = f - f1
    m12 = on1 + on2 + copper1 * f1 * f1 + copper2 * f2 * f2
    inv12 = (lin1 + quad1 * f1) * f1 + (lin2 + quad2 * f2) * f2
    best = idle_machine + (0.0 if f == 0.0 else big)
    machine = idle_machine
    inverter = 0.0
    t1 = m1 + inv1 + (0.0 if f <= fmax1 else big)
    machine = m1 if t1 < best else machine
    inverter = inv1 if t1 < best else inverter
    best = min(t1, best)
    t2 = m2 + inv2 + (0.0 if f <= fmax2 else big)
    machine = m2 if t2 < best else machine
    inverter = inv2 if t2 < best else inverter
    best = min(t2, best)
    t12 = m12 + inv12
    machine = m12 if t12 < best else machine
    inverter = inv12 if t12 < best else inverter
    return machine + load_fraction * abs(shaft_W), inverter


def machine_axles(vehicle) -> tuple[tuple[str, ...], ...]:
    """The axles each machine of a ``spec.Vehicle`` drives, in the kernel's machine order:
    its ``motors`` (one axle each), else one machine on the axle(s) of its ``drive``."""
    if vehicle.motors:
        return tuple((m.axle,) for m in vehicle.motors)
    return {"FWD": (("front",),), "RWD": (("rear",),), "AWD": (AXLES,)}[vehicle.drive]


def inverter_kinds_of(value, axles) -> tuple[str, str]:
    """Each machine's inverter technology ("si"/"sic"; a second slot repeats the first where
    there is one machine) from a candidate's ``inverter``: one kind for every axle, or a
    ``spec.AxleInverters`` with a kind for the axle of every machine (``machine_axles``).
    Raises ValueError naming what is missing or has no machine."""
    if isinstance(value, str):
        return value, value
    given = {axle: getattr(value, axle) for axle in AXLES if getattr(value, axle) is not None}
    driven = {axle for machine in axles for axle in machine}
    extra = sorted(set(given) - driven)
    if extra:
        raise ValueError(f"a {extra[0]} inverter is given but the vehicle has no {extra[0]} machine "
                         f"(its machines drive the {' and '.join(sorted(driven))} axle(s))")
    kinds = []
    for machine in axles:
        missing = [axle for axle in machine if axle not in given]
        if missing:
            raise ValueError(f"no inverter for the {missing[0]} axle; give every driven axle's, "
                             'e.g. { front = "si", rear = "sic" }, or one inverter = "si" | "sic"')
        if len({given[axle] for axle in machine}) > 1:
            raise ValueError("front and rear inverters differ but the vehicle has one combined "
                             "machine (no motors list); give [vehicle] motors, one per axle")
        kinds.append(given[machine[0]])
    return kinds[0], kinds[-1]
