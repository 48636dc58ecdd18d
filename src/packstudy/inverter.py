"""Traction-inverter losses: three-phase two-level inverter, Si IGBT or SiC MOSFET.

Average-model losses over a fundamental period with sinusoidal PWM (Graovac & Puerschel,
"IGBT power losses calculation using the data-sheet parameters", Infineon application note
v1.1, 2009). Per switch, with peak phase current I, modulation index m and power factor cos:

- IGBT conduction  V0*I*(1/(2pi) + m cos/8) + r*I^2*(1/8 + m cos/(3pi))
- diode conduction VF0*I*(1/(2pi) - m cos/8) + rF*I^2*(1/8 - m cos/(3pi))
- switching        f_sw * e * (I/pi) * Vdc, with e = (Eon + Eoff [+ Err]) / (I_test * V_test)
  (energy linear in current and in DC voltage; I/pi is the mean of |i| over the switch's
  half-period)
- SiC MOSFET: the channel conducts in both directions (synchronous rectification, body-diode
  conduction during dead time neglected), so each switch carries R*I^2/4 whatever m and cos.

Totals are for all six switches and diodes. Device data are typical datasheet values at
150 degC (Si) or 175 degC (SiC) from ``data/factors/inverter.toml``; each module is scaled to
the rated peak phase current (slope resistances divided by the scale, threshold voltages and
switching energy per ampere unchanged: paralleled chips).

Sign convention: ``torque_fraction`` is |T|/T_rated. Generating at the same |T| swaps the
IGBT and diode conduction shares (cos < 0); the model uses the motoring split for both
directions, which is exact for SiC and changes the Si total by a few per cent.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from packstudy import catalog
from packstudy.lookup import check_all

INVERTER_KINDS = ("si", "sic")
SWITCHES = 6  # a three-phase bridge: six switches, each with its antiparallel diode

# Column layout of one parameter row.
P_SW_V0 = 0  # switch threshold voltage (IGBT VCE0), V; 0 for a MOSFET
P_SW_R = 1  # switch slope / on-resistance, ohm
P_D_V0 = 2  # diode threshold voltage, V; 0 with synchronous rectification
P_D_R = 3  # diode slope resistance, ohm
P_E_SW = 4  # switch Eon + Eoff per ampere and volt, J/(A V)
P_E_REC = 5  # diode recovery energy per ampere and volt, J/(A V)
P_F_SW = 6  # switching frequency, Hz
P_I_RATED = 7  # rated peak phase current, A
P_V_NOM = 8  # nominal DC-bus voltage, V
P_M_MAX = 9  # maximum (linear) modulation index
P_COS_PHI = 10  # power factor
N_INVERTER_PARAMS = 11


def _f(key: str) -> float:
    return float(catalog.factor("inverter", key))


def rated_peak_current_A(rated_power_W, nominal_dc_voltage_V) -> np.ndarray:
    """Peak phase current (A) at rated power, base speed, maximum modulation and the assumed
    power factor: P = 3/2 * (m_max * Vdc / 2) * I * cos(phi)."""
    m_max, cos_phi = _f("modulation_index_max"), _f("power_factor")
    p = np.asarray(rated_power_W, dtype=float)
    v = np.asarray(nominal_dc_voltage_V, dtype=float)
    return 4.0 * p / (3.0 * m_max * v * cos_phi)


def _device_table() -> dict[str, np.ndarray]:
    """Unscaled device constants per (kind, class): rows si-low, si-high, sic-low, sic-high."""
    si = [("si_650v", "si_650v"), ("si_1200v", "si_1200v")]
    e_sic = _f("sic_switching_energy_J") / (_f("sic_module_current_A") * _f("sic_test_voltage_V"))
    e_rec = _f("sic_recovery_energy_J") / (_f("sic_module_current_A") * _f("sic_test_voltage_V"))
    rows = []
    for prefix, _ in si:
        i_mod = _f(f"{prefix}_module_current_A")
        rows.append([
            _f(f"{prefix}_vce0_V"), _f(f"{prefix}_rce_ohm") * i_mod,
            _f("si_diode_vf0_V"), _f("si_diode_rf_ohm") * _f("si_diode_module_current_A"),
            _f(f"{prefix}_switching_energy_J") / (i_mod * _f(f"{prefix}_test_voltage_V")),
            0.0, _f("switching_frequency_si_Hz"), 0.0,
        ])
    sic = [0.0, _f("sic_rdson_ohm") * _f("sic_module_current_A"), 0.0, 0.0, e_sic, e_rec,
           _f("switching_frequency_sic_Hz"), 1.0]
    rows += [sic, sic]
    return np.array(rows)  # resistances as ohm*A (scaled by 1/I_rated below)


def inverter_parameters(kind, rated_power_W, nominal_dc_voltage_V) -> np.ndarray:
    """Parameter rows (n, N_INVERTER_PARAMS) for ``inverter_loss_W``.

    kind: "si" | "sic" (array or scalar); rated_power_W: inverter rated output (W);
    nominal_dc_voltage_V: nominal bus voltage (V), which picks the device class (650/750 V
    devices up to ``voltage_class_boundary_V``, 1200 V above). All broadcast to n variants.
    """
    kind_a, power, volt = np.broadcast_arrays(
        np.asarray(kind), np.asarray(rated_power_W, dtype=float),
        np.asarray(nominal_dc_voltage_V, dtype=float))
    kind_a, power, volt = kind_a.ravel(), power.ravel(), volt.ravel()
    check_all("inverter kind", kind_a, INVERTER_KINDS)
    if np.any(~(power > 0)) or np.any(~(volt > 0)):
        raise ValueError("inverter rated_power_W and nominal_dc_voltage_V must be > 0")
    row = 2 * (kind_a == "sic") + (volt > _f("voltage_class_boundary_V"))
    dev = _device_table()[row]
    i_rated = rated_peak_current_A(power, volt)
    out = np.empty((power.size, N_INVERTER_PARAMS))
    out[:, P_SW_V0] = dev[:, 0]
    out[:, P_SW_R] = dev[:, 1] / i_rated
    out[:, P_D_V0] = dev[:, 2]
    # a MOSFET's reverse current flows in its channel: the "diode" is the same resistance
    out[:, P_D_R] = np.where(dev[:, 7] > 0.5, dev[:, 1], dev[:, 3]) / i_rated
    out[:, P_E_SW] = dev[:, 4]
    out[:, P_E_REC] = dev[:, 5]
    out[:, P_F_SW] = dev[:, 6]
    out[:, P_I_RATED] = i_rated
    out[:, P_V_NOM] = volt
    out[:, P_M_MAX] = _f("modulation_index_max")
    out[:, P_COS_PHI] = _f("power_factor")
    return out


def combined_parameters(rows, share_1) -> np.ndarray:
    """One parameter row (n, N_INVERTER_PARAMS) for two machines' inverters working together
    in proportion to their ratings (full-power acceleration, the track): ``rows`` (n, 2,
    N_INVERTER_PARAMS) are full-power rows of each machine's kind at the same power and bus,
    ``share_1`` the first machine's share of the power.

    An inverter rated s x P carrying s of the current loses s x the full-power inverter's loss
    at the full current (threshold and switching terms linear in current, slope resistances
    scaled by 1/s), so the pair loses the share-weighted sum of the two full-power losses,
    which is linear in the threshold voltages, resistances and switching energy x frequency:
    those columns are blended (the recovery energy folded into the switching energy). Columns
    the rows share are kept exactly.
    """
    rows = np.asarray(rows, dtype=float)
    a, b = rows[:, 0], rows[:, 1]
    s = np.asarray(share_1, dtype=float)[:, None]
    out = s * a + (1.0 - s) * b
    f_sw = out[:, P_F_SW]
    energy = (s[:, 0] * (a[:, P_E_SW] + a[:, P_E_REC]) * a[:, P_F_SW]
              + (1.0 - s[:, 0]) * (b[:, P_E_SW] + b[:, P_E_REC]) * b[:, P_F_SW])
    out[:, P_E_SW] = energy / f_sw
    out[:, P_E_REC] = 0.0
    return np.where(np.all(a == b, axis=1)[:, None], a, out)


@njit(cache=True)
def inverter_loss_W(params, torque_fraction, speed_fraction, dc_voltage_V):
    """Total inverter loss (W) of one variant (row ``params``) at |T|/T_rated
    ``torque_fraction``, omega/omega_base ``speed_fraction`` and bus voltage ``dc_voltage_V``.
    """
    return loss_from_columns(
        params[P_SW_V0], params[P_SW_R], params[P_D_V0], params[P_D_R],
        params[P_E_SW] + params[P_E_REC], params[P_F_SW], params[P_I_RATED], params[P_V_NOM],
        params[P_M_MAX], params[P_COS_PHI], torque_fraction, speed_fraction, dc_voltage_V)


@njit(cache=True, inline="always", error_model="numpy")
def loss_from_columns(sw_v0, sw_r, d_v0, d_r, e_switch, f_sw, i_rated, v_nom, m_max, cos_phi,
                      torque_fraction, speed_fraction, dc_voltage_V):
    """The loss of ``inverter_loss_W`` from the parameter columns (branch-free, so the
    batched kernel's loop over variants vectorises).

    Phase current is proportional to torque; the modulation index grows with speed up to base
    speed (scaled by nominal/actual bus voltage) and stays at its maximum above. A MOSFET row
    has zero threshold voltages and equal switch and diode resistances, which makes the
    conduction term R*I^2/4 per switch (synchronous rectification).
    """
    i_pk = abs(torque_fraction) * i_rated
    c1, c2 = loss_quadratic(sw_v0, sw_r, d_v0, d_r, e_switch, f_sw, v_nom, m_max, cos_phi,
                            speed_fraction, dc_voltage_V)
    return (c1 + c2 * i_pk) * i_pk


@njit(cache=True, inline="always", error_model="numpy")
def loss_quadratic(sw_v0, sw_r, d_v0, d_r, e_switch, f_sw, v_nom, m_max, cos_phi, speed_fraction,
                   dc_voltage_V):
    """(c1, c2) with ``loss_from_columns`` = c1 I + c2 I^2 (W) at peak phase current I >= 0
    and the given speed and bus voltage: the loss is exactly quadratic in the current. The
    modulation index grows with speed up to base speed (scaled by nominal/actual bus voltage)."""
    m = min(m_max * min(abs(speed_fraction), 1.0) * v_nom / max(dc_voltage_V, 1e-9), m_max)
    a0, a1, per_volt, b0, b1 = loss_terms(sw_v0, sw_r, d_v0, d_r, e_switch, f_sw, cos_phi)
    return SWITCHES * (a0 + a1 * m + per_volt * max(dc_voltage_V, 0.0)), SWITCHES * (b0 + b1 * m)


@njit(cache=True, inline="always", error_model="numpy")
def loss_terms(sw_v0, sw_r, d_v0, d_r, e_switch, f_sw, cos_phi):
    """One switch's loss a I + b I^2 (W) at peak phase current I as a = a0 + a1 m + s Vdc and
    b = b0 + b1 m, m the modulation index and Vdc the bus voltage: (a0, a1, s, b0, b1)
    (sinusoidal PWM conduction of the switch and its diode, switching energy per ampere and
    volt at the switching frequency)."""
    return ((sw_v0 + d_v0) / (2.0 * math.pi), (sw_v0 - d_v0) * cos_phi / 8.0,
            f_sw * e_switch / math.pi,
            (sw_r + d_r) / 8.0, (sw_r - d_r) * cos_phi / (3.0 * math.pi))


@njit(cache=True)
def _loss_many(params, torque_fraction, speed_fraction, dc_voltage_V, out):
    for i in range(out.shape[0]):
        out[i] = inverter_loss_W(params[i], torque_fraction[i], speed_fraction[i],
                                 dc_voltage_V[i])


def _broadcast(params, torque_fraction, speed_fraction, dc_voltage_V):
    """Rows and points broadcast together: one row against any grid, or n rows against
    arrays of n points (or scalars)."""
    params = np.atleast_2d(np.asarray(params, dtype=float))
    row = np.arange(params.shape[0]) if params.shape[0] > 1 else np.zeros((), dtype=int)
    row, t, s, v = np.broadcast_arrays(row, np.asarray(torque_fraction, dtype=float),
                                       np.asarray(speed_fraction, dtype=float),
                                       np.asarray(dc_voltage_V, dtype=float))
    return np.ascontiguousarray(params[row]), t, s, v


def inverter_loss_map_W(params, torque_fraction, speed_fraction, dc_voltage_V) -> np.ndarray:
    """Vectorised ``inverter_loss_W`` (W) over broadcast points, see ``_broadcast``."""
    p, t, s, v = _broadcast(params, torque_fraction, speed_fraction, dc_voltage_V)
    out = np.empty(t.size)
    _loss_many(p.reshape(-1, N_INVERTER_PARAMS), np.ascontiguousarray(t).ravel(),
               np.ascontiguousarray(s).ravel(), np.ascontiguousarray(v).ravel(), out)
    return out.reshape(t.shape)


def inverter_efficiency_map(params, torque_fraction, speed_fraction, dc_voltage_V) -> np.ndarray:
    """Inverter efficiency P_ac / (P_ac + loss) at the given points (motoring), with AC output
    P_ac = 3/2 * (m * Vdc / 2) * I * cos(phi). NaN where the output is zero."""
    p, t, s, v = _broadcast(params, torque_fraction, speed_fraction, dc_voltage_V)
    loss = inverter_loss_map_W(params, torque_fraction, speed_fraction, dc_voltage_V)
    m_max = p[..., P_M_MAX]
    m = np.minimum(m_max * np.minimum(s, 1.0) * p[..., P_V_NOM] / v, m_max)
    p_ac = 0.75 * m * v * np.abs(t) * p[..., P_I_RATED] * p[..., P_COS_PHI]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(p_ac > 0, p_ac / (p_ac + loss), np.nan)
