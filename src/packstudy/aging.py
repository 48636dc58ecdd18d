"""Battery aging: semi-empirical calendar and cycle capacity fade, and resistance growth.

The models are the published fits in ``data/aging/MODEL.toml`` (the semi-empirical form of Smith
et al., ACC 2017; fits of Gasper et al., J. Energy Storage 2023, Smith et al., JES 2021, and
NREL's LG M50 fit): a calendar loss ``k_cal(T, SOC, Ua) · (t_days/s)^p_cal`` and a cycle loss
``k_cyc(T, DOD, C-rate) · (EFC/s)^p_cyc``. Stresses change along a profile, so each loss is
carried as a state and advanced segment by segment (a segment: at most one day or one
equivalent full cycle; equal segments in a row in one step) from its equivalent time:
``y ← k·((y/k)^(1/p) + dx)^p``. Capacity retention ``q = 1 − loss_cal − loss_cyc``; resistance growth is
``resistance_growth_per_capacity_loss · (1 − q)`` (``data/factors/aging.toml``). A fit without a
charge-rate term (``charge_rate_stress.applies_to``) weights each charging step's throughput in
its cycle loss by the NMC622 fit's cycle stress at the step's C-rate over that at the fit's own
highest charge rate (:func:`charge_rate_factor`; 1 at or below it).

A profile is one period of (time, SOC, cell temperature) repeated to the horizon. The same energy
is drawn as capacity fades, so each period's SOC swings are stretched by ``1/q`` about the
period's first SOC (clipped to 0..1). EFC counts charge throughput in nominal capacities.

:func:`simulate` runs any number of variants through one compiled loop (variants outside, the
repeated profile inside); the variants share the time grid and segmentation, each has its own
SOC trace, model and temperature row.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache

import numpy as np
from numba import njit

from . import catalog
from .lookup import unknown
from .units import ZERO_CELSIUS_K

FORMS = {"lgm50": 0, "lfp250": 1, "nmc622_denso": 2}
# cal[0:8], cyc[8:16], p_cal, p_cyc, days_scale, efc_scale, fade scale, T_n, Ua_n, then the
# borrowed charge-rate stress: reference charge C-rate (NaN: none) and the donor's cycle terms
_N_PAR = 30
_P_CAL, _P_CYC, _DAYS, _EFC, _SCALE, _T_NORM, _UA_NORM = 16, 17, 18, 19, 20, 21, 22
_C_REF, _DONOR = 23, 24  # par[24:30]: Ea_N1, N0, N1, N2, N3, Ea_N2 of the NMC622 form
_SECONDS_PER_DAY = 86400.0


class AgingError(ValueError):
    """An unknown cell or model, or a profile the models cannot use."""


@dataclass(frozen=True)
class AgingModel:
    """One fitted fade model (``data/aging/NAME.toml``)."""

    name: str
    form: str
    description: str
    source: str
    params: np.ndarray  # length _N_PAR, fade scale 1
    validity: dict


@dataclass(frozen=True)
class CellAging:
    """A cell's aging model, why it was chosen, and the fade-scale band (``factors/aging.toml``)."""

    cell: str
    model: AgingModel
    why: str
    scale: float
    scale_low: float
    scale_high: float


@cache
def load_model(name: str) -> AgingModel:
    """The fitted model ``data/aging/NAME.toml``."""
    path = catalog.data_dir() / "aging" / f"{name}.toml"
    if not path.is_file():
        names = sorted(p.stem for p in path.parent.glob("*.toml"))
        raise AgingError(unknown("aging model", name, names, "shipped"))
    data = tomllib.loads(path.read_text())
    terms = data["form_terms"]
    par = np.zeros(_N_PAR)
    par[0:len(terms["cal"])] = terms["cal"]
    par[8:8 + len(terms["cyc"])] = terms["cyc"]
    par[_P_CAL:_C_REF] = (terms["p_cal"], terms["p_cyc"], terms["days_scale"], terms["efc_scale"],
                          1.0, terms.get("temperature_norm_K", np.nan),
                          terms.get("anode_potential_norm_V", np.nan))
    par[_C_REF:] = np.nan
    stress = catalog.factor_table("aging")["charge_rate_stress"]
    if name in stress["applies_to"]:
        donor = load_model(stress["value"])
        par[_C_REF] = data["validity"]["charge_c_rate_max"]
        par[_DONOR:] = donor.params[8:14]
    par.flags.writeable = False
    return AgingModel(data["name"], data["form"], data["description"], data["source"], par,
                      dict(data["validity"]))


def mapped_cells() -> list[str]:
    """Cell names that ``factors/aging.toml`` maps to a model."""
    return sorted(k for k, v in catalog.factor_table("aging").items() if "scale" in v)


def cell_aging(cell: str, chemistry: str | None = None) -> CellAging:
    """The aging model of a cell preset name (or, for a user cell, of a shipped preset of the same
    ``chemistry``); an unknown name raises :class:`AgingError` with the close matches."""
    table = catalog.factor_table("aging")
    entry = table.get(cell)
    if entry is None or "scale" not in entry:
        if chemistry is not None:
            for name in mapped_cells():
                if catalog.load_preset("cells", name).get("chemistry") == chemistry:
                    base = cell_aging(name)
                    return CellAging(cell, base.model, f"same chemistry ({chemistry}) as the "
                                     f"preset {name!r}: {base.why}", base.scale,
                                     base.scale_low, base.scale_high)
        raise AgingError(unknown("cell for an aging model", cell, mapped_cells(),
                                 "cells with a model"))
    return CellAging(cell, load_model(entry["value"]), entry["source"], float(entry["scale"]),
                     float(entry["low"]), float(entry["high"]))


def settings() -> np.ndarray:
    """Model-wide numbers for the kernel: lithiation at SOC 0 and 1, rest threshold (1/h),
    capacity step between rate evaluations, then the graphite potential curve's coefficients."""
    f = catalog.factor_table("aging")
    return np.array([f["anode_lithiation_at_soc0"]["value"], f["anode_lithiation_at_soc1"]["value"],
                     f["storage_c_rate_threshold"]["value"],
                     f["rate_update_capacity_step"]["value"],
                     *f["anode_potential_curve"]["value"]])


def resistance_growth(capacity_retention: np.ndarray, ratio: float | None = None) -> np.ndarray:
    """Relative DC resistance growth (fraction) for a capacity retention (fraction)."""
    if ratio is None:
        ratio = catalog.factor("aging", "resistance_growth_per_capacity_loss")
    return ratio * (1.0 - np.asarray(capacity_retention))


def segment_profile(time_s: np.ndarray, soc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Segments of one profile period: start sample and sample count of each (neighbours share
    their boundary sample). A segment closes at the first SOC reversal after one equivalent full
    cycle, or when it reaches one day (``factors/aging.toml``)."""
    max_s = catalog.factor("aging", "segment_max_days") * _SECONDS_PER_DAY
    max_efc = catalog.factor("aging", "segment_max_efc")
    d = np.diff(soc)
    sign = np.sign(d)
    nz = np.flatnonzero(sign)
    reversal = np.zeros(soc.size, dtype=bool)
    if nz.size > 1:
        flips = nz[1:][sign[nz[1:]] != sign[nz[:-1]]]
        reversal[flips] = True  # sample at which the SOC direction turns
    efc = np.concatenate(([0.0], np.cumsum(np.abs(d)) / 2.0))
    starts = [0]
    for i in range(1, soc.size - 1):
        s = starts[-1]
        if time_s[i] - time_s[s] >= max_s or (reversal[i] and efc[i] - efc[s] > max_efc):
            starts.append(i)
    starts = np.array(starts)
    ends = np.append(starts[1:], soc.size - 1)
    return starts, ends - starts + 1


@njit(cache=True)
def _anode_potential_V(soc, setting):
    """Graphite potential vs Li (V) at a cell SOC: lithiation x0 + soc (x1 - x0), then
    c0 + c1 exp(c2 x) + sum over four (a, b, w) of a tanh((x - b) / w) (``setting[4:]``)."""
    x = setting[0] + soc * (setting[1] - setting[0])
    c = setting[4:]
    u = c[0] + c[1] * np.exp(c[2] * x)
    for k in range(3, c.size, 3):
        u += c[k] * np.tanh((x - c[k + 1]) / c[k + 2])
    return u


@njit(cache=True, error_model="numpy")
def _k_cal(form, par, T_K, soc, ua):
    tn = T_K / par[_T_NORM]
    uan = ua / par[_UA_NORM]
    if form == 0:
        return (par[0] + par[1] * np.exp(tn ** 3 / uan ** (1.0 / 3.0))
                + par[2] * tn ** 3 / np.sqrt(uan) + par[3] * np.exp(np.sqrt(soc) / tn ** 2)
                + par[4] * np.exp(soc ** 3))
    return abs(par[0]) * np.exp(par[1] / T_K) * np.exp(par[2] * ua / T_K)


@njit(cache=True, error_model="numpy")
def _k_cyc(form, par, T_K, dod, crate, cdis):
    tn = T_K / par[_T_NORM]
    if form == 0:
        return par[8] * np.exp(par[9] * cdis ** 3) * np.exp(par[10] * tn ** 3 * np.sqrt(cdis))
    return (par[8] + par[9] * dod + par[10] * crate) * (np.exp(par[11] / T_K)
                                                       + np.exp(-par[12] / T_K))


@njit(cache=True, error_model="numpy")
def _arrhenius(ea_J_per_mol, T_K):
    return np.exp(-(ea_J_per_mol / 8.3144) * (1.0 / T_K - 1.0 / 298.15))


@njit(cache=True, error_model="numpy")
def _denso_rates(par, T_K, soc, dod, c_rate, out):
    """k_cal and k_cyc of the NMC622 form: Arrhenius factors about 298.15 K, a cubic in SOC,
    cycle stress sqrt(DOD x charge C-rate) (discharge C-rate when the segment has no charge)."""
    b1t = _arrhenius(par[0], T_K) * (par[1] + par[2] * soc + par[3] * soc ** 2 + par[4] * soc ** 3
                               + par[5] * soc * T_K + par[6] * max(0.0, T_K - 328.15))
    b1n = (max(0.0, par[9] * _arrhenius(par[8], T_K) * np.sqrt(dod * c_rate) * (1.0 + par[10] * soc)
                    + par[11]) + par[12] * _arrhenius(par[13], T_K) * dod ** 6)
    out[0] = b1t
    out[1] = b1t * b1n * par[14]


@njit(cache=True, error_model="numpy")
def _donor_cycle_stress(par, T_K, soc, dod, c_chg):
    """The cycle-stress factor of the NMC622 form (Smith et al. 2021) at a charge C-rate, from
    the donor terms ``par[_DONOR:]``: max(0, N0 a(Ea_N1) sqrt(DOD C) (1 + N1 soc) + N2)
    + N3 a(Ea_N2) DOD^6."""
    d = par[_DONOR:]
    return (max(0.0, d[1] * _arrhenius(d[0], T_K) * np.sqrt(dod * c_chg) * (1.0 + d[2] * soc)
                + d[3]) + d[4] * _arrhenius(d[5], T_K) * dod ** 6)


@njit(cache=True, error_model="numpy")
def charge_rate_factor(par, T_K, soc, dod, c_chg):
    """Multiplier (>= 1) on the cycle fade of charge throughput at ``c_chg`` (1/h) for a model
    fitted at charge rates up to ``par[_C_REF]``: the donor's cycle stress at the rate over that
    at the reference rate, at the same temperature, SOC and DOD (1 at or below the reference;
    1 for models without a reference)."""
    c_ref = par[_C_REF]
    if not c_chg > c_ref:  # also NaN: no borrowed stress
        return 1.0
    base = _donor_cycle_stress(par, T_K, soc, dod, c_ref)
    return _donor_cycle_stress(par, T_K, soc, dod, c_chg) / base if base > 0.0 else 1.0


@njit(cache=True, error_model="numpy")
def _segment_rates(form, par, time_s, soc, temp_C, i0, j0, n, q, anchor, setting, out):
    """Time-averaged k_cal, k_cyc, days and EFC of one segment at capacity ``q`` into ``out``."""
    c_rest = setting[2]
    span_s = time_s[i0 + n - 1] - time_s[i0]
    throughput = 0.0
    lo, hi = 1.0, 0.0
    c_sum = 0.0
    dis_sum = 0.0
    dis_t = 0.0
    chg_sum = 0.0
    chg_t = 0.0
    prev = min(max(anchor + (soc[i0] - anchor) / q, 0.0), 1.0)
    lo = min(lo, prev)
    hi = max(hi, prev)
    for i in range(1, n):
        s = min(max(anchor + (soc[i0 + i] - anchor) / q, 0.0), 1.0)
        dt_s = time_s[i0 + i] - time_s[i0 + i - 1]
        ds = s - prev
        throughput += abs(ds)
        lo = min(lo, s)
        hi = max(hi, s)
        c = ds / (dt_s / 3600.0) if dt_s > 0.0 else 0.0
        if abs(c) >= c_rest:
            c_sum += abs(c) * dt_s
            if c < 0.0:
                dis_sum += -c * dt_s
                dis_t += dt_s
            else:
                chg_sum += c * dt_s
                chg_t += dt_s
        prev = s
    crate = q * c_sum / span_s if span_s > 0.0 else 0.0
    cdis = q * dis_sum / dis_t if dis_t > 0.0 else 0.0
    dod = hi - lo
    out[2] = span_s / 86400.0
    out[3] = q * throughput / 2.0
    if form == 2:  # rates of the segment's time-mean temperature and SOC (Smith et al. 2021)
        soc_mean = 0.0
        T_mean = 0.0
        s_prev = min(max(anchor + (soc[i0] - anchor) / q, 0.0), 1.0)
        T_prev = temp_C[j0] + ZERO_CELSIUS_K
        for i in range(1, n):
            s_i = min(max(anchor + (soc[i0 + i] - anchor) / q, 0.0), 1.0)
            T_i = temp_C[j0 + i] + ZERO_CELSIUS_K
            w = (time_s[i0 + i] - time_s[i0 + i - 1]) / span_s if span_s > 0.0 else 1.0 / (n - 1)
            soc_mean += 0.5 * (s_i + s_prev) * w
            T_mean += 0.5 * (T_i + T_prev) * w
            s_prev, T_prev = s_i, T_i
        if n == 1:
            soc_mean, T_mean = s_prev, T_prev
        cchg = q * chg_sum / chg_t if chg_t > 0.0 else 0.0
        _denso_rates(par, T_mean, soc_mean, dod, cchg if cchg > 0.0 else crate, out)
        return
    kc = 0.0
    ky = 0.0
    k_prev_c = 0.0
    k_prev_y = 0.0
    weighted = 0.0  # throughput x charge-rate factor
    s_prev = 0.0
    for i in range(n):
        s = min(max(anchor + (soc[i0 + i] - anchor) / q, 0.0), 1.0)
        T_K = temp_C[j0 + i] + ZERO_CELSIUS_K
        a = _k_cal(form, par, T_K, s, _anode_potential_V(s, setting))
        b = _k_cyc(form, par, T_K, dod, crate, cdis)
        if i > 0:
            dt_s = time_s[i0 + i] - time_s[i0 + i - 1]
            kc += 0.5 * (a + k_prev_c) * dt_s
            ky += 0.5 * (b + k_prev_y) * dt_s
            ds = s - s_prev
            f = 1.0
            if ds > 0.0 and dt_s > 0.0:
                f = charge_rate_factor(par, 0.5 * (T_K + temp_C[j0 + i - 1] + ZERO_CELSIUS_K),
                                       0.5 * (s + s_prev), dod, q * ds / (dt_s / 3600.0))
            weighted += f * abs(ds)
        k_prev_c = a
        k_prev_y = b
        s_prev = s
    if span_s > 0.0:
        out[0] = kc / span_s
        out[1] = ky / span_s
    else:
        out[0] = k_prev_c
        out[1] = k_prev_y
    if throughput > 0.0:
        out[1] *= weighted / throughput


@njit(cache=True, error_model="numpy")
def _power_step(y, dx, k, p):
    """Increase of a state following y = k·x^p over dx at the current k: from the equivalent
    x = (y/k)^(1/p) of the state reached so far (exact while k holds)."""
    if dx <= 0.0 or not k > 0.0:
        return 0.0
    return k * ((y / k) ** (1.0 / p) + dx) ** p - y


@njit(cache=True, error_model="numpy")
def _all_rates(form, par, time_s, soc, temp_C, seg_i0, seg_j0, seg_n, q, anchor, setting, out):
    for k in range(seg_n.size):
        _segment_rates(form, par, time_s, soc, temp_C, seg_i0[k], seg_j0[k], seg_n[k], q, anchor,
                       setting, out[k])


@njit(cache=True, error_model="numpy")
def _age(form, par, soc, time_s, temp_C, temp_row, seg_i0, seg_j0, seg_n, seq, reps,
         horizon_days, record_days, threshold, setting, q_rec, efc_rec, t_threshold):
    """Advance each variant's calendar and cycle losses segment by segment (``reps`` equal
    segments in one step), until the horizon, or once every record is taken and the threshold
    crossed. The stress rates
    depend on capacity through the stretched SOC swing: they are evaluated on a grid of capacity
    (step ``setting[3]``) and interpolated linearly between its two nearest points."""
    n_var = soc.shape[0]
    n_seg = seg_n.size
    n_rec = record_days.shape[1]
    hi = np.empty((n_seg, 4))
    lo = np.empty((n_seg, 4))
    rates = np.empty((n_seg, 4))
    step = setting[3]
    for v in range(n_var):
        p = par[v]
        row = temp_C[temp_row[v]]
        anchor = soc[v, 0]
        q_hi = 1.0
        _all_rates(form[v], p, time_s, soc[v], row, seg_i0, seg_j0, seg_n, q_hi, anchor,
                   setting, hi)
        _all_rates(form[v], p, time_s, soc[v], row, seg_i0, seg_j0, seg_n, q_hi - step, anchor,
                   setting, lo)
        q = 1.0
        y_cal = 0.0
        y_cyc = 0.0
        t = 0.0
        efc = 0.0
        r = 0
        t_threshold[v] = np.nan
        done = False
        while not done:
            order = seq[min(v, seq.shape[0] - 1)]
            times = reps[min(v, reps.shape[0] - 1)]
            for j in range(order.size):
                s = order[j]
                m = times[j]
                while q < q_hi - step and q_hi - step > step:
                    hi[:, :] = lo
                    q_hi -= step
                    _all_rates(form[v], p, time_s, soc[v], row, seg_i0, seg_j0, seg_n,
                               q_hi - step, anchor, setting, lo)
                w = min(max((q_hi - q) / step, 0.0), 1.0)
                for c in range(4):
                    rates[s, c] = hi[s, c] + w * (lo[s, c] - hi[s, c])
                y_cal += p[_SCALE] * _power_step(y_cal, m * rates[s, 2] / p[_DAYS], rates[s, 0],
                                                 p[_P_CAL])
                y_cyc += p[_SCALE] * _power_step(y_cyc, m * rates[s, 3] / p[_EFC], rates[s, 1],
                                                 p[_P_CYC])
                q_new = 1.0 - y_cal - y_cyc
                t_new = t + m * rates[s, 2]
                efc_new = efc + m * rates[s, 3]
                while r < n_rec and record_days[v, r] <= t_new:
                    f = (record_days[v, r] - t) / (t_new - t) if t_new > t else 1.0
                    q_rec[v, r] = q + f * (q_new - q)
                    efc_rec[v, r] = efc + f * (efc_new - efc)
                    r += 1
                if np.isnan(t_threshold[v]) and q_new < threshold <= q:
                    t_threshold[v] = t + (q - threshold) / (q - q_new) * (t_new - t)
                q, t, efc = q_new, t_new, efc_new
                if (t >= horizon_days[v] or q <= 0.0
                        or (r == n_rec and not np.isnan(t_threshold[v]))):
                    done = True
                    break
            if hi[:, 2].sum() <= 0.0:
                break


@dataclass(frozen=True)
class AgingRun:
    """Retention (fraction) and throughput (nominal EFC) at each variant's record days, and the
    day the retention first fell below ``threshold`` (NaN: not within the horizon)."""

    capacity_retention: np.ndarray  # (variants, records)
    efc: np.ndarray  # (variants, records)
    days_to_threshold: np.ndarray  # (variants,)


def model_arrays(aging: list[CellAging], scale: np.ndarray | None = None
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Form codes and parameter rows of the variants' models; ``scale`` overrides each cell's
    fade scale (e.g. a Monte Carlo draw)."""
    form = np.array([FORMS[a.model.form] for a in aging], dtype=np.int64)
    par = np.array([a.model.params for a in aging])
    par[:, _SCALE] = [a.scale for a in aging] if scale is None else scale
    return form, par


def simulate(form: np.ndarray, par: np.ndarray, soc: np.ndarray, time_s: np.ndarray,
             temp_C: np.ndarray, temp_row: np.ndarray, segments: tuple, sequence: np.ndarray,
             horizon_days: np.ndarray, record_days: np.ndarray, threshold: float = 0.7,
             repeats: np.ndarray | None = None) -> AgingRun:
    """Age variants through a repeated period.

    soc: (variants, samples) cell SOC 0..1; time_s: (samples,) s, shared; temp_C: (rows, samples')
    cell temperature, degC, row ``temp_row[v]`` for variant v; segments: (soc start, temperature
    start, sample count) arrays, shared; sequence: (1 or variants, segments a period) the segment
    order of one period, shared or per variant; repeats: how many times in a row each entry of
    ``sequence`` applies (default 1; 0 pads ragged rows); horizon_days:
    (variants,) when to stop; record_days: (variants, records) increasing days to report.
    """
    seg_i0, seg_j0, seg_n = (np.ascontiguousarray(a, dtype=np.int64) for a in segments)
    n_var = soc.shape[0]
    if (time_s.shape != soc.shape[1:] or np.max(seg_i0 + seg_n) > time_s.size
            or np.max(seg_j0 + seg_n) > temp_C.shape[1]):
        raise ValueError("aging.simulate: segments reach beyond the SOC, time or temperature "
                         "samples (time_s must have one entry per SOC sample)")
    record_days = np.ascontiguousarray(np.broadcast_to(record_days, (n_var, record_days.shape[-1])),
                                       dtype=float)
    q_rec = np.full(record_days.shape, np.nan)
    efc_rec = np.full(record_days.shape, np.nan)
    t_thr = np.full(n_var, np.nan)
    _age(np.ascontiguousarray(form, dtype=np.int64), np.ascontiguousarray(par, dtype=float),
         np.ascontiguousarray(soc, dtype=float), np.ascontiguousarray(time_s, dtype=float),
         np.ascontiguousarray(temp_C, dtype=float), np.ascontiguousarray(temp_row, dtype=np.int64),
         seg_i0, seg_j0, seg_n, np.ascontiguousarray(np.atleast_2d(sequence), dtype=np.int64),
         np.ascontiguousarray(np.atleast_2d(np.ones_like(sequence) if repeats is None else repeats),
                              dtype=np.int64),
         np.ascontiguousarray(np.broadcast_to(horizon_days, (n_var,)), dtype=float),
         record_days, float(threshold), settings(), q_rec, efc_rec, t_thr)
    return AgingRun(q_rec, efc_rec, t_thr)


def age_profile(aging: CellAging, time_s: np.ndarray, soc: np.ndarray, temperature_C: np.ndarray,
                years: float, record_days: np.ndarray) -> AgingRun:
    """One cell through one profile period repeated for ``years`` (the ``cell age`` command)."""
    time_s = np.asarray(time_s, dtype=float) - float(time_s[0])
    if not time_s[-1] > 0.0:
        raise AgingError("the profile must span a positive time")
    starts, counts = segment_profile(time_s, soc)
    form, par = model_arrays([aging])
    return simulate(form, par, np.asarray(soc, dtype=float)[None, :], time_s,
                    np.asarray(temperature_C, dtype=float)[None, :], np.zeros(1, dtype=np.int64),
                    (starts, starts, counts), np.arange(starts.size), np.array([365.0 * years]),
                    np.asarray(record_days, dtype=float)[None, :])


def validity_notes(aging: CellAging, temperature_C: np.ndarray, c_rate_charge: float,
                   c_rate_discharge: float) -> list[str]:
    """Where a use lies outside the range the cell's model was fitted in."""
    v = aging.model.validity
    notes = []
    lo, hi = v["calendar_temperature_C"]
    t_min, t_max = float(np.min(temperature_C)), float(np.max(temperature_C))
    if t_min < lo or t_max > hi:
        notes.append(f"{aging.cell}: cell temperature {t_min:.0f}..{t_max:.0f} degC outside the "
                     f"fitted {lo:g}..{hi:g} degC of aging model {aging.model.name}")
    if c_rate_charge > v["charge_c_rate_max"]:
        borrowed = ""
        if np.isfinite(aging.model.params[_C_REF]):
            donor = load_model(catalog.factor_table("aging")["charge_rate_stress"]["value"])
            borrowed = (f" (the charge-rate stress above it is borrowed from {donor.name}, "
                        f"fitted up to {donor.validity['charge_c_rate_max']:g}C)")
        notes.append(f"{aging.cell}: charge rate {c_rate_charge:.2f}C above the fitted "
                     f"{v['charge_c_rate_max']:g}C of aging model {aging.model.name}{borrowed}")
    if c_rate_discharge > v["discharge_c_rate_max"]:
        notes.append(f"{aging.cell}: discharge rate {c_rate_discharge:.2f}C above the fitted "
                     f"{v['discharge_c_rate_max']:g}C of aging model {aging.model.name}")
    return notes
