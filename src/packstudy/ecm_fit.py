"""Fit an equivalent circuit (OCV, R0, R1, tau1 per SOC band) to pulse-test or discharge data.

Data: ``time_s,current_A,voltage_V`` (current positive when discharging; ``current_A[k]``
flows from ``time_s[k]`` to the next sample, as cyclers and PyBaMM record it).

Method:

1. Charge throughput q(t) by integrating the current; SOC = 1 - q / capacity.
2. OCV: the relaxed voltage at the end of each rest of at least ``rest_min_s`` (the test is
   taken to start from full charge, OCV(SOC 1) = v_max, unless it starts at rest), with
   OCV(SOC 0) = v_min appended. With a separately measured OCV curve (``ocv_soc, ocv_V``),
   that curve is the OCV and the relaxed points only serve to estimate the capacity.
3. Capacity: given; else the one that best maps the relaxed voltages onto the OCV curve
   (least squares); else the charge delivered when the data reaches v_min.
4. Per SOC band (between nodes of the common SOC grid): for each tau1 on a logarithmic
   grid, the RC current x (dx/dt = (I - x)/tau1) is computed over the whole record and
   (R0, R1) solve the linear least-squares problem OCV(SOC) - V = R0*I + R1*x on the band's
   samples, weighted so that loaded and resting samples carry equal totals and, among the
   loaded ones, pulses (constant-current steps of at most ``pulse_max_s``) and longer steps
   too; the tau1 with the least error wins. Extra records (constant-current discharges)
   join this step, each weighing as much in a band as the main record. Bands without
   current take their neighbours' values.
5. The voltage RMSE is that of the fitted cell simulated over the data (``cellsim``) on the
   common SOC grid, i.e. the model as the kernels use it.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numba import njit

TAU_GRID_S = np.geomspace(1.0, 3000.0, 61)


class FitDataError(ValueError):
    """Unusable fit input; the message names the file and the column or option."""


@dataclass(frozen=True)
class TestData:
    """A test record: samples of time (s), current (A, + discharging) and voltage (V)."""

    time_s: np.ndarray
    current_A: np.ndarray
    voltage_V: np.ndarray
    path: str = ""


@dataclass(frozen=True)
class EcmFit:
    """Fitted parameters: OCV on ``ocv_soc``; R0, R1, tau1 at band centres ``band_soc``."""

    capacity_Ah: float
    v_min_V: float
    v_max_V: float
    ocv_soc: np.ndarray
    ocv_V: np.ndarray
    band_soc: np.ndarray
    r0_ohm: np.ndarray
    r1_ohm: np.ndarray
    tau1_s: np.ndarray
    band_rmse_V: np.ndarray
    capacity_method: str
    ocv_method: str
    notes: list = field(default_factory=list)


def read_csv_columns(path: str | Path, columns: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Named numeric columns of a CSV file; FitDataError naming the file and column."""
    path = Path(path)
    try:
        with open(path, newline="") as f:
            rows = list(csv.reader(f))
    except FileNotFoundError:
        raise FitDataError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FitDataError(f"{path}: cannot read as CSV ({exc})") from None
    if not rows:
        raise FitDataError(f"{path}: empty file; expected a header {','.join(columns)}")
    header = [h.strip() for h in rows[0]]
    missing = [c for c in columns if c not in header]
    if missing:
        raise FitDataError(f"{path}: missing column(s) {', '.join(missing)}; the header must "
                           f"name {','.join(columns)} (got {','.join(header)})")
    out = {}
    for c in columns:
        j = header.index(c)
        try:
            out[c] = np.array([float(r[j]) for r in rows[1:] if r], dtype=np.float64)
        except (ValueError, IndexError):
            raise FitDataError(f"{path}: column {c}: every row needs a number") from None
        if not np.all(np.isfinite(out[c])):
            raise FitDataError(f"{path}: column {c}: values must be finite")
    if out[columns[0]].size < 2:
        raise FitDataError(f"{path}: needs at least 2 data rows")
    return out


def read_test_csv(path: str | Path) -> TestData:
    """A ``time_s,current_A,voltage_V`` record with strictly increasing time."""
    cols = read_csv_columns(path, ("time_s", "current_A", "voltage_V"))
    if np.any(np.diff(cols["time_s"]) <= 0.0):
        raise FitDataError(f"{path}: column time_s: must increase strictly")
    if np.any(cols["voltage_V"] <= 0.0):
        raise FitDataError(f"{path}: column voltage_V: must be positive")
    return TestData(cols["time_s"], cols["current_A"], cols["voltage_V"], str(path))


@njit(cache=True)
def _rc_current(time_s, current_A, tau_s):
    """x at each sample for dx/dt = (I - x)/tau, I held over each interval, x(0) = 0."""
    x = np.zeros(time_s.shape[0])
    for k in range(time_s.shape[0] - 1):
        a = math.exp(-(time_s[k + 1] - time_s[k]) / tau_s)
        x[k + 1] = x[k] * a + current_A[k] * (1.0 - a)
    return x


def charge_throughput_Ah(time_s: np.ndarray, current_A: np.ndarray) -> np.ndarray:
    """Discharged charge at each sample (Ah), the current held over each interval."""
    q = np.zeros(time_s.size)
    q[1:] = np.cumsum(current_A[:-1] * np.diff(time_s)) / 3600.0
    return q


def relaxed_points(data: TestData, rest_min_s: float) -> tuple[np.ndarray, np.ndarray]:
    """(q_Ah, V) at the last sample of every rest (zero current) lasting >= ``rest_min_s``."""
    q = charge_throughput_Ah(data.time_s, data.current_A)
    rest = np.abs(data.current_A) < 1e-9
    pts_q, pts_v = [], []
    k = 0
    n = rest.size
    while k < n:
        if rest[k]:
            j = k
            while j + 1 < n and rest[j + 1]:
                j += 1
            if data.time_s[j] - data.time_s[k] >= rest_min_s:
                pts_q.append(q[j])
                pts_v.append(data.voltage_V[j])
            k = j + 1
        else:
            k += 1
    return np.array(pts_q), np.array(pts_v)


def _capacity_from_curve(q: np.ndarray, v: np.ndarray, soc: np.ndarray, ocv: np.ndarray) -> float:
    """Capacity (Ah) minimising sum (OCV(1 - q/C) - v)^2, by golden-section search."""
    def cost(c):
        return float(np.sum((np.interp(1.0 - q / c, soc, ocv) - v) ** 2))

    lo, hi = max(q.max(), 1e-9) * 1.0001, max(q.max(), 1e-9) * 4.0
    g = (math.sqrt(5.0) - 1.0) / 2.0
    for _ in range(100):
        a, b = hi - g * (hi - lo), lo + g * (hi - lo)
        if cost(a) < cost(b):
            hi = b
        else:
            lo = a
    return 0.5 * (lo + hi)


def fit_ecm(data: TestData, v_min_V: float, v_max_V: float, capacity_Ah: float | None = None,
            ocv_soc: np.ndarray | None = None, ocv_V: np.ndarray | None = None,
            band_width: float = 0.05, rest_min_s: float = 600.0,
            pulse_max_s: float = 30.0, extra: tuple[TestData, ...] = ()) -> EcmFit:
    """Fit OCV, R0, R1 and tau1 (per SOC band of ``band_width``) to a test record.

    Steps of constant current lasting at most ``pulse_max_s`` (s) count as pulses in the
    weighting: without that a 10 s pulse would weigh as little as 10 s of a long discharge,
    although it is the record's only information on the response to large currents.
    ``extra`` records (e.g. constant-current discharges, each starting from full charge)
    join the resistance fit only, each weighing as much as ``data`` in every band it reaches:
    they carry what a pulse test lacks, the polarisation built over minutes of sustained
    current. Capacity and OCV come from ``data``.
    """
    where = data.path or "data"
    if not v_min_V < v_max_V:
        raise FitDataError(f"{where}: v_min_V must be below v_max_V")
    notes: list[str] = []
    q = charge_throughput_Ah(data.time_s, data.current_A)
    rq, rv = relaxed_points(data, rest_min_s)
    starts_at_rest = abs(data.current_A[0]) < 1e-9
    have_curve = ocv_soc is not None and ocv_V is not None

    if capacity_Ah is not None:
        if capacity_Ah <= q.max():
            raise FitDataError(f"{where}: capacity_Ah {capacity_Ah:g} is below the charge "
                               f"the data delivers ({q.max():.4g} Ah)")
        cap, cap_method = float(capacity_Ah), "given"
    elif have_curve and rq.size >= 2:
        cap = _capacity_from_curve(rq, rv, ocv_soc, ocv_V)
        cap_method = (f"least-squares match of the {rq.size} relaxed voltages to the given "
                      "OCV curve")
    elif data.voltage_V.min() <= v_min_V + 0.01:
        k = int(np.argmax(data.voltage_V <= v_min_V + 0.01))
        cap = float(q[k])
        cap_method = "charge delivered to v_min in the data"
    else:
        raise FitDataError(f"{where}: the data does not reach v_min ({v_min_V:g} V), so the "
                           "capacity is unknown: give capacity_Ah (--capacity-Ah) or a "
                           "measured OCV curve (--ocv)")

    if have_curve:
        o_soc, o_v = np.asarray(ocv_soc, float), np.asarray(ocv_V, float)
        ocv_method = "given OCV curve"
    else:
        if rq.size < 2:
            raise FitDataError(f"{where}: needs at least 2 rests of >= {rest_min_s:g} s to "
                               "fit the OCV, or a measured OCV curve (--ocv)")
        s = 1.0 - rq / cap
        v = rv.copy()
        if not starts_at_rest:
            s, v = np.append(s, 1.0), np.append(v, v_max_V)
            notes.append("the test starts from full charge: OCV(SOC 1) = v_max")
        if s.min() > 1e-6:
            s, v = np.append(s, 0.0), np.append(v, v_min_V)
            notes.append("OCV(SOC 0) = v_min, linear below the lowest relaxed point")
        order = np.argsort(s)
        s, v = s[order], v[order]
        keep = np.concatenate([[True], np.diff(s) > 1e-6])
        s, v = s[keep], v[keep]
        v = np.maximum.accumulate(v + 1e-6 * np.arange(v.size))  # strictly increasing
        o_soc, o_v = s, v
        ocv_method = f"relaxed voltage after rests >= {rest_min_s:g} s"

    records = [_FitRecord.of(d, cap, o_soc, o_v, pulse_max_s) for d in (data, *extra)]
    nb = int(round(1.0 / band_width))
    edges = np.linspace(0.0, 1.0, nb + 1)
    centres = 0.5 * (edges[:-1] + edges[1:])
    r0, r1, tau1, rmse = (np.full(nb, np.nan) for _ in range(4))
    for b in range(nb):
        parts = [p for p in (r.band(edges[b], edges[b + 1], b == nb - 1) for r in records) if p]
        if not parts:
            continue
        cur = np.concatenate([p[0] for p in parts])
        y = np.concatenate([p[1] for p in parts])
        xs = np.concatenate([p[2] for p in parts], axis=1)
        w = np.concatenate([p[3] / len(parts) for p in parts])
        sw = np.sqrt(w)
        best = (np.inf, 0.0, 0.0, 0.0)
        for j, tau in enumerate(TAU_GRID_S):
            a = np.stack([cur, xs[j]], axis=1)
            coef, *_ = np.linalg.lstsq(a * sw[:, None], y * sw, rcond=None)
            coef = np.maximum(coef, 1e-6)
            sse = float(np.sum(w * (a @ coef - y) ** 2) / w.mean())
            if sse < best[0]:
                best = (sse, coef[0], coef[1], tau)
        r0[b], r1[b], tau1[b] = best[1], best[2], best[3]
        rmse[b] = math.sqrt(best[0] / cur.size)
    fitted = ~np.isnan(r0)
    if not fitted.any():
        raise FitDataError(f"{where}: no SOC band has current flowing; nothing to fit")
    if not fitted.all():
        empty = ", ".join(f"{c:.3f}" for c in centres[~fitted])
        notes.append(f"bands without data (SOC centres {empty}) take the nearest fitted values")
        for arr in (r0, r1, tau1):
            arr[~fitted] = np.interp(centres[~fitted], centres[fitted], arr[fitted])
    return EcmFit(cap, float(v_min_V), float(v_max_V), o_soc, o_v, centres, r0, r1, tau1,
                  rmse, cap_method, ocv_method, notes)


@dataclass(frozen=True)
class _FitRecord:
    """One record prepared for the band fits: current, OCV - V, RC currents per tau1,
    which samples are pulses, and the SOC."""

    current_A: np.ndarray
    y_V: np.ndarray
    rc_A: np.ndarray  # (len(TAU_GRID_S), samples)
    pulse: np.ndarray  # bool
    soc: np.ndarray

    @classmethod
    def of(cls, data: TestData, cap: float, ocv_soc: np.ndarray, ocv_V: np.ndarray,
           pulse_max_s: float) -> _FitRecord:
        soc = 1.0 - charge_throughput_Ah(data.time_s, data.current_A) / cap
        rc = np.stack([_rc_current(data.time_s, data.current_A, tau) for tau in TAU_GRID_S])
        pulse = _pulse_samples(data.time_s, data.current_A, pulse_max_s)
        return cls(data.current_A, np.interp(soc, ocv_soc, ocv_V) - data.voltage_V, rc,
                   pulse, soc)

    def band(self, lo: float, hi: float, last: bool):
        """(current, y, rc currents, weights summing to 1) of the samples with SOC in
        [lo, hi) ([lo, hi] for the last band), or None when too few or without current."""
        m = (self.soc >= lo) & ((self.soc < hi) | last & (self.soc <= hi))
        cur = self.current_A[m]
        if m.sum() < 10 or np.abs(cur).max() < 1e-6:
            return None
        w = _band_weights(np.abs(cur) > 1e-9, self.pulse[m])
        return cur, self.y_V[m], self.rc_A[:, m], w


def _pulse_samples(time_s: np.ndarray, current_A: np.ndarray, pulse_max_s: float) -> np.ndarray:
    """Samples under load in a constant-current step lasting at most ``pulse_max_s`` (s)."""
    new = np.concatenate([[True], np.abs(np.diff(current_A)) > 1e-9])
    starts = np.flatnonzero(new)
    ends = np.append(starts[1:], time_s.size - 1)
    duration = (time_s[ends] - time_s[starts])[np.cumsum(new) - 1]
    return (duration <= pulse_max_s) & (np.abs(current_A) > 1e-9)


def _band_weights(loaded: np.ndarray, pulse: np.ndarray) -> np.ndarray:
    """Least-squares weights of a band's samples, summing to 1.

    Resting and loaded samples carry equal totals, and so, within the loaded ones, pulse
    samples and those of longer steps; a class absent from the band drops out.
    """
    load_parts = [g for g in (loaded & pulse, loaded & ~pulse) if g.any()]
    parts = [(g, 1.0 / len(load_parts)) for g in load_parts]
    if (~loaded).any():
        parts = [(g, 0.5 * share) for g, share in parts] + [(~loaded, 0.5)]
    w = np.zeros(loaded.size)
    for g, share in parts:
        w[g] = share / g.sum()
    return w


def fitted_preset(fit: EcmFit, name: str, template: dict, data_file: str,
                  method_note: str = "") -> dict:
    """A cell preset table: ``template``'s ratings with the fitted electrical parameters.

    The fitted fields (capacity, voltage window, OCV, resistance) and their sources are
    replaced; ``[fit]`` records the provenance. The RMSE is filled by ``score_fit``.
    """
    out = {k: v for k, v in template.items() if k not in ("ocv", "resistance", "fit")}
    out.update(schema_version=1, name=name, capacity_Ah=round(fit.capacity_Ah, 4),
               v_min_V=fit.v_min_V, v_max_V=fit.v_max_V)
    out["ocv"] = {"soc": _r(fit.ocv_soc, 5), "ocv_V": _r(fit.ocv_V, 5)}
    res = dict(template.get("resistance", {}))
    for k in ("r0_ohm", "r1_ohm", "tau1_s", "c1_F", "temperature_C"):
        res.pop(k, None)
    res.update(soc=_r(fit.band_soc, 4), r0_ohm=_r(fit.r0_ohm, 6), r1_ohm=_r(fit.r1_ohm, 6),
               tau1_s=_r(fit.tau1_s, 2))
    res.setdefault("activation_energy_J_per_mol", _default("resistance_activation_energy"))
    out["resistance"] = res
    src = dict(template.get("sources", {}))
    how = f"ECM fit to {Path(data_file).name} (packstudy.ecm_fit; see [fit])"
    src.update(capacity_Ah=f"{how}: {fit.capacity_method}", ocv=f"{how}: {fit.ocv_method}",
               resistance=f"{how}; R0, R1, tau1 per 5 % SOC band at 25 degC")
    src.setdefault("v_min_V", "fit option v_min_V")
    src.setdefault("v_max_V", "fit option v_max_V")
    out["sources"] = src
    out["fit"] = {"data_file": Path(data_file).name, "method": __doc__.split("\n\n")[0].strip()
                  + " " + method_note, "capacity_method": fit.capacity_method,
                  "ocv_method": fit.ocv_method, "notes": list(fit.notes)}
    return out


def _default(key: str) -> float:
    from . import catalog

    return catalog.factor("cell_defaults", key + "_J_per_mol")


def _r(a: np.ndarray, digits: int) -> list[float]:
    return [round(float(x), digits) for x in a]


def score_fit(preset: dict, data: TestData) -> tuple[float, np.ndarray]:
    """Voltage RMSE (V) of a preset simulated over the data (isothermal), and its trace."""
    from .cell import cell_arrays, cell_from_dict
    from .cellsim import simulate

    cells = cell_arrays([cell_from_dict(preset, where="fitted cell")])
    run = simulate(cells, data.time_s, data.current_A[:-1], keep_trace=True,
                   enforce_limits=False, h_W_per_m2K=1e9)
    v = run.trace_voltage_V[0]
    return float(np.sqrt(np.mean((v - data.voltage_V) ** 2))), v


def dump_toml(table: dict) -> str:
    """TOML text of a nested dict of str/number/bool/list (the cell preset layout)."""
    lines: list[str] = []
    scalars = {k: v for k, v in table.items() if not _is_table(v)}
    for k, v in scalars.items():
        lines.append(f"{_key(k)} = {_value(v)}")
    for k, v in table.items():
        if _is_table(v):
            lines += ["", f"[{_key(k)}]"]
            subs = {kk: vv for kk, vv in v.items() if isinstance(vv, dict) and _is_table(vv)
                    and any(isinstance(x, list) for x in vv.values())}
            for kk, vv in v.items():
                if kk not in subs:
                    lines.append(f"{_key(kk)} = {_value(vv)}")
            for kk, vv in subs.items():  # sub-tables holding lists: [section.sub]
                lines += ["", f"[{_key(k)}.{_key(kk)}]"]
                lines += [f"{_key(x)} = {_value(y)}" for x, y in vv.items()]
    return "\n".join(lines) + "\n"


def _is_table(v) -> bool:
    """A top-level dict is a [section] unless it is a {value, low, high} or dimensions table."""
    return isinstance(v, dict) and "value" not in v and not {"diameter", "length"} & set(v)


def _key(k: str) -> str:
    return k if k.replace("_", "").replace("-", "").isalnum() else '"' + k + '"'


def _value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(float(v)) if isinstance(v, float) else repr(int(v))
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'
    if isinstance(v, list | tuple):
        if any(isinstance(x, list | tuple) for x in v):
            return "[\n    " + ",\n    ".join(_value(x) for x in v) + ",\n]"
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")
