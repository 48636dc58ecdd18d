"""Track laps: a quasi-steady-state lap time simulation run lap after lap with the thermal
state carried over.

A track is a closed lap given as curvature (1/m, signed, positive to the left) and grade
(rise/run) against distance along the racing line, resampled every ``track_step_m``: a
circuit described as segments in a TOML file (``data/tracks/<name>.toml`` for the shipped
ones, see ``segments_profile``) or a user CSV ``distance_m,curvature_1_per_m[,grade]``.

Per variant, the speed envelope comes first: the grip-limited cornering speed
sqrt(mu g / |curvature|) (capped by the top speed), and a backward pass from each corner
braking on all four tyres within the friction circle (the longitudinal grip left by the
lateral acceleration), wrapped around the lap so that its end meets its start. The forward
pass then drives lap after lap: at each step the acceleration model's force
(``performance._tractive``: machine torque and power times the drive's thermal derating,
grip of the driven axles within the friction circle, the pack's voltage-limited power times
the BMS derating, through the drivetrain losses) accelerates the car up to the envelope;
where the envelope binds, the car follows it at part throttle or brakes, regenerating the
sourced share of the braking power within the brake blending's limit, the drive's envelope
and the pack's charge limits (``launch.regen_power``). Cells, coolant loop, machine and
inverter are stepped by ``thermal.step``; laps are flying laps, the first starting at the envelope speed.

``track_chiller_kW_required`` is the smallest chiller rating with which the pack is never
derated over the laps: bisection on all variants at once (rows still open run together);
NaN when even ``chiller_search_max_kW`` is not enough.
"""

from __future__ import annotations

import csv
import math
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numba import njit

from . import catalog, thermal
from .cycles import MAX_ABS_GRADE  # the same bound as a drive cycle's grade
from .kernel import B_SERIES
from .launch import (
    bms_power_limit,
    charge_limit_W,
    default,
    drive_losses,
    idle_fraction,
    regen_power,
    variant_terms,
)
from .lookup import check
from .performance import (
    D_AUX,
    _battery_limits,
    _dc_quadratic,
    _tractive,
    cell_step,
)
from .procedures import Powertrain
from .thermal import S_CELL, S_INV, S_MACHINE, TH_CHILLER_W
from .units import G_MPS2
from .vehicle import V_F0, V_F1, V_F2, V_MOTOR_W, V_REGEN_FRAC, V_TOP_SPEED

COLUMNS = ("distance_m", "curvature_1_per_m")
MAX_ABS_CURVATURE = 0.2  # 1/m: a 5 m radius, tighter than any hairpin a car can take


class TrackFileError(ValueError):
    """A track file that is missing or malformed; the message names file, row and rule."""


@dataclass(frozen=True, eq=False)
class Track:
    """A closed lap sampled every ``step_m``: curvature (1/m) and grade (rise/run) at
    distances 0, step, ..., length - step."""

    name: str
    step_m: float
    curvature: np.ndarray
    grade: np.ndarray
    source: str

    @property
    def length_m(self) -> float:
        return self.step_m * self.curvature.shape[0]


def list_tracks() -> list[str]:
    """Names of the shipped tracks."""
    return sorted(p.stem for p in (catalog.data_dir() / "tracks").glob("*.toml"))


def load_track(name: str | None = None, file: str | os.PathLike | None = None,
               base_dir: Path | None = None, step_m: float | None = None) -> Track:
    """A shipped track by name (default: ``track_name`` of ``endurance.toml``) or a user file
    (relative to ``base_dir``): a segment TOML (``.toml``) or a curvature CSV, sampled every
    ``step_m`` (default ``track_step_m``)."""
    step = float(default("track_step_m") if step_m is None else step_m)
    if file is not None:
        path = Path(file)
        if not path.is_absolute() and base_dir is not None:
            path = Path(base_dir) / path
        if path.suffix == ".toml":
            return segments_track(path, step, str(file))
        return _resample(str(file), *_read_csv(path), step, f"user file {path}")
    name = name or default("track_name")
    check("track", name, list_tracks(), TrackFileError, listed="shipped")
    return segments_track(catalog.data_dir() / "tracks" / f"{name}.toml", step, name)


def segments_track(path: Path, step: float, name: str) -> Track:
    """The track described by the segment TOML at ``path`` (see ``segments_profile``),
    sampled every ``step`` m; its ``source`` names where the layout comes from."""
    if not path.is_file():
        raise TrackFileError(f"{path}: track file not found")
    try:
        with open(path, "rb") as f:
            doc = tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        raise TrackFileError(f"{path}: not valid TOML ({exc})") from None
    dist, curv = segments_profile(doc, path)
    count = max(int(round(dist[-1] / step)), 3)
    at = np.linspace(0.0, dist[-1], count + 1)
    turned = _turning(dist, curv, at)
    return Track(name, dist[-1] / count, np.diff(turned) / np.diff(at), np.zeros(count),
                 str(doc.get("source", f"user file {path}")))


def _turning(dist, curv, at):
    """Heading change (rad) from 0 to each of ``at`` along the piecewise-linear curvature
    through the knots (``dist``, ``curv``; a repeated distance is a step): exact, so sampled
    corners keep their angle."""
    knots = np.concatenate([[0.0], np.cumsum(0.5 * (curv[1:] + curv[:-1]) * np.diff(dist))])
    j = np.clip(np.searchsorted(dist, at, side="right") - 1, 0, dist.size - 2)
    x = at - dist[j]
    slope = (curv[j + 1] - curv[j]) / np.where(np.diff(dist)[j] > 0, np.diff(dist)[j], 1.0)
    return knots[j] + curv[j] * x + 0.5 * slope * x * x


def _number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def segments_profile(doc: dict, path) -> tuple[np.ndarray, np.ndarray]:
    """Knots (distance m, curvature 1/m) of the piecewise-linear curvature of a circuit given
    as ``[[segment]]`` tables in order: a straight ``{length_m}`` or a constant-radius corner
    ``{radius_m, angle_deg, direction = "left"|"right"}``. A corner's curvature rises linearly
    from zero over ``transition_m`` (top level, m), holds 1/radius and falls back over
    ``transition_m`` (shorter when the corner's arc is shorter than it), so the corner turns
    exactly ``angle_deg``. The turning angles must add up to one full turn (closed lap)."""
    segments = doc.get("segment")
    if not isinstance(segments, list) or not segments:
        raise TrackFileError(f"{path}: needs [[segment]] tables (straights and corners)")
    trans = doc.get("transition_m", 0.0)
    if not _number(trans) or not 0.0 <= trans <= 200.0:
        raise TrackFileError(f"{path}: transition_m must be a number from 0 to 200 (m)")
    dist, curv, turn = [0.0], [0.0], 0.0
    for i, seg in enumerate(segments):
        where = f"{path}: segment[{i}]"
        keys = set(seg) if isinstance(seg, dict) else {"?"}
        if keys == {"length_m"}:
            length = seg["length_m"]
            if not _number(length) or not 0.0 < length <= 1e4:
                raise TrackFileError(f"{where}: length_m must be a number in (0, 10000] (m)")
            dist.append(dist[-1] + length)
            curv.append(0.0)
            continue
        if keys != {"radius_m", "angle_deg", "direction"}:
            raise TrackFileError(f"{where}: give length_m (a straight) or radius_m, angle_deg "
                                 f"and direction (a corner); got {', '.join(sorted(keys))}")
        radius, angle, side = seg["radius_m"], seg["angle_deg"], seg["direction"]
        if not _number(radius) or radius < 1.0 / MAX_ABS_CURVATURE:
            raise TrackFileError(f"{where}: radius_m must be a number >= {1 / MAX_ABS_CURVATURE:g}")
        if not _number(angle) or not 0.0 < angle <= 360.0:
            raise TrackFileError(f"{where}: angle_deg must be a number in (0, 360]")
        if side not in ("left", "right"):
            raise TrackFileError(f"{where}: direction must be \"left\" or \"right\"")
        k = (1.0 if side == "left" else -1.0) / radius
        arc = math.radians(angle) * radius
        ramp = min(trans, arc)
        s0 = dist[-1]
        dist += [s0 + ramp, s0 + arc, s0 + arc + ramp]
        curv += [k, k, 0.0]
        turn += math.copysign(angle, k)
    if abs(abs(turn) - 360.0) > 0.5:
        raise TrackFileError(f"{path}: the corners turn {turn:g} deg in all; a closed lap "
                             f"turns 360 (left minus right)")
    return np.array(dist), np.array(curv)


def _read_csv(path: Path):
    if not path.is_file():
        raise TrackFileError(f"{path}: track file not found")
    with open(path, newline="") as f:
        rows = list(csv.reader(line for line in f if not line.startswith("#")))
    if not rows:
        raise TrackFileError(f"{path}: empty file")
    header = [h.strip() for h in rows[0]]
    allowed = (*COLUMNS, "grade")
    if any(c not in header for c in COLUMNS) or any(h not in allowed for h in header):
        raise TrackFileError(f"{path}: header must be distance_m,curvature_1_per_m[,grade]; "
                             f"got {','.join(header)}")
    try:
        data = np.array([[float(x) for x in r] for r in rows[1:] if r], dtype=float)
    except ValueError as exc:
        raise TrackFileError(f"{path}: every value must be a number ({exc})") from None
    if data.ndim != 2 or data.shape[0] < 3 or data.shape[1] != len(header):
        raise TrackFileError(f"{path}: needs at least 3 rows of {len(header)} numbers")
    col = {h: data[:, j] for j, h in enumerate(header)}
    dist, curv = col["distance_m"], col["curvature_1_per_m"]
    grade = col.get("grade", np.zeros_like(dist))
    if not np.all(np.isfinite(data)):
        raise TrackFileError(f"{path}: values must be finite numbers")
    if dist[0] != 0.0 or np.any(np.diff(dist) <= 0.0):
        raise TrackFileError(f"{path}: distance_m must start at 0 and increase strictly")
    if np.any(np.abs(curv) > MAX_ABS_CURVATURE):
        raise TrackFileError(f"{path}: |curvature_1_per_m| must be <= {MAX_ABS_CURVATURE} "
                             f"(a {1 / MAX_ABS_CURVATURE:g} m radius)")
    if np.any(np.abs(grade) > MAX_ABS_GRADE):
        raise TrackFileError(f"{path}: |grade| must be <= {MAX_ABS_GRADE}")
    return dist, curv, grade


def _resample(name, dist, curv, grade, step, source) -> Track:
    """The lap closes after the last point with the last point's spacing."""
    length = dist[-1] + (dist[-1] - dist[-2])
    count = max(int(round(length / step)), 3)
    at = np.arange(count) * (length / count)
    return Track(name, length / count, np.interp(at, dist, curv), np.interp(at, dist, grade),
                 source)


@njit(cache=True, error_model="numpy")
def _envelope(curv, grade, ds, mu, mass, m_in, f0, f1, f2, v_top, env):
    """Fill ``env`` (K,) with the highest speed (m/s) at each point from which the car can
    still take every corner ahead: cornering speed, then braking backwards within the
    friction circle, twice around the closed lap."""
    k_n = curv.shape[0]
    mu_g = mu * G_MPS2
    for k in range(k_n):
        c = abs(curv[k])
        env[k] = v_top if c < 1e-9 else min(math.sqrt(mu_g / c), v_top)
    for _ in range(2):
        for k in range(k_n - 1, -1, -1):
            nxt = env[(k + 1) % k_n]
            lat = nxt * nxt * abs(curv[k]) / mu_g
            brake = (mu * mass * G_MPS2 * math.sqrt(max(1.0 - lat * lat, 0.0))
                     + f0 + f1 * nxt + f2 * nxt * nxt + mass * G_MPS2 * grade[k]) / m_in
            env[k] = min(env[k], math.sqrt(nxt * nxt + 2.0 * ds * max(brake, 0.0)))


@njit(cache=True, error_model="numpy")
def _laps(veh, inv, bat, ocv_V, r0_ohm, r1_ohm, tau1_s, th, state, soc0, ambient, mass, drive,
          front_frac, mu, h_over_l, share, rotating, curv, grade, ds, laps, regen_mps2,
          stop_on_derate,
          lap_time, lap_energy, peak, pack_derated, lap_derated, trace_v, trace_t):
    """Run ``laps`` flying laps per variant. Fills lap times (s) and terminal energies (J,
    including the thermal system's draw) (n, laps), the peak cell, machine and inverter
    temperatures (n, 3), whether
    the BMS ever derated the pack (n,) and per lap whether any derating acted (n, laps);
    with ``trace_v`` (n, 2, K) the speed over the first and last lap, with ``trace_t``
    (n, laps * K) the cell temperature at every step. ``stop_on_derate``: leave a variant at
    its first pack derating (for the chiller search)."""
    n = veh.shape[0]
    k_n = curv.shape[0]
    env = np.empty(k_n)
    keep = trace_v.shape[0] > 0
    for i in range(n):
        p = veh[i]
        b = bat[i]
        t_i = th[i]
        s = state[i]
        m = mass[i]
        d, road_terms, m_in, cells, per_soc = variant_terms(p, inv[i], b, m, rotating[i])
        _envelope(curv, grade, ds, mu[i], m, m_in, p[V_F0], p[V_F1], p[V_F2], p[V_TOP_SPEED], env)
        v = env[0]
        a = 0.0
        soc = soc0[i]
        v_rc = 0.0
        extra = 0.0
        peak[i, 0] = s[S_CELL]
        peak[i, 1] = s[S_MACHINE]
        peak[i, 2] = s[S_INV]
        pack_derated[i] = 0.0
        lap_time[i, :] = np.nan
        lap_energy[i, :] = np.nan
        for lap in range(laps):
            time = 0.0
            energy = 0.0
            lap_derated[i, lap] = 0.0
            for k in range(k_n):
                dt_guess = ds / max(v, 1.0)
                ocv, r0, r1, decay, g, source, r_eff, p_cell_max = _battery_limits(
                    b, ocv_V[i], r0_ohm[i], r1_ohm[i], tau1_s[i], soc, s[S_CELL], v_rc, dt_guess)
                p_cell_max = bms_power_limit(b, ocv_V[i], r0_ohm[i], r1_ohm[i], tau1_s[i], soc,
                                             s[S_CELL], v_rc, dt_guess, t_i, p_cell_max)
                f_dis, f_chg = thermal.pack_fractions(t_i, s[S_CELL])
                f_drive = thermal.machine_fraction(t_i, s[S_MACHINE], s[S_INV])
                if f_dis < 1.0:
                    pack_derated[i] = 1.0
                if f_dis < 1.0 or f_drive < 1.0:
                    lap_derated[i, lap] = 1.0
                volt = b[B_SERIES] * ocv
                p_pack = max(p_cell_max * f_dis * cells - extra, 0.0)
                lat = v * v * abs(curv[k]) / (mu[i] * G_MPS2)
                grip = (drive[i], share[i], mu[i] * math.sqrt(max(1.0 - lat * lat, 0.0)),
                        m * h_over_l[i], m * G_MPS2 * front_frac[i],
                        m * G_MPS2 * (1.0 - front_frac[i]))
                net, dc = _tractive(d, road_terms, grip, v, a, p[V_TOP_SPEED], volt, p_pack, f_drive)
                a_max = (net - m * G_MPS2 * grade[k]) / m_in
                v_free = math.sqrt(max(v * v + 2.0 * ds * a_max, 0.0))
                nxt = env[(k + 1) % k_n]
                if v_free <= nxt:  # full throttle
                    v_next = max(v_free, 0.1)
                    a = a_max
                    wheel = max((net + p[V_F0] + p[V_F1] * v + p[V_F2] * v * v) * v, 0.0)
                    loss_m, loss_i = drive_losses(d, v, wheel, dc)
                    dc += extra
                else:  # the envelope binds: part throttle or braking
                    v_next = nxt
                    a = (nxt * nxt - v * v) / (2.0 * ds)
                    v_mid = 0.5 * (v + nxt)
                    wheel = (m_in * a + p[V_F0] + p[V_F1] * v_mid + p[V_F2] * v_mid * v_mid
                             + m * G_MPS2 * grade[k]) * v_mid
                    if wheel >= 0.0:
                        c0, c1, c2 = _dc_quadratic(d, v_mid, volt)
                        dc = c0 + (c1 + c2 * wheel) * wheel
                        loss_m, loss_i = drive_losses(d, v_mid, wheel, dc)
                        dc += extra
                    else:
                        accept = charge_limit_W(b, source, r_eff) * cells * f_chg
                        f_regen = thermal.regen_fraction(t_i, s[S_MACHINE], s[S_INV])
                        dc, loss_m, loss_i = regen_power(d, p[V_MOTOR_W], v_mid, volt, -wheel,
                                                         p[V_REGEN_FRAC], f_regen,
                                                         m_in * regen_mps2, accept,
                                                         d[D_AUX] + extra, idle_fraction(p))
                dt = 2.0 * ds / (v + v_next)
                current, heat, v_rc = cell_step(source, r_eff, r0, r1, decay, g, v_rc,
                                                min(dc / cells, p_cell_max))
                soc -= current * dt * per_soc
                extra = thermal.step(t_i, s, heat, loss_m, loss_i, ambient[i], dt)
                time += dt
                energy += dc * dt
                peak[i, 0] = max(peak[i, 0], s[S_CELL])
                peak[i, 1] = max(peak[i, 1], s[S_MACHINE])
                peak[i, 2] = max(peak[i, 2], s[S_INV])
                if keep:
                    if lap == 0:
                        trace_v[i, 0, k] = v
                    if lap == laps - 1:
                        trace_v[i, 1, k] = v
                    trace_t[i, lap * k_n + k] = s[S_CELL]
                v = v_next
            lap_time[i, lap] = time
            lap_energy[i, lap] = energy
            if stop_on_derate and pack_derated[i] > 0.0:
                break


def _run(pt: Powertrain, th, car, track: Track, laps, ambient, soc0, *, stop_on_derate=False,
         traces=False):
    n = pt.n
    k_n = track.curvature.shape[0]
    state = thermal.initial_state(th, ambient)
    lap_time = np.empty((n, laps))
    lap_energy = np.empty((n, laps))
    peak = np.empty((n, 3))
    pack_derated = np.empty(n)
    lap_derated = np.empty((n, laps))
    trace_v = np.zeros((n, 2, k_n) if traces else (0, 2, k_n))
    trace_t = np.zeros((n, laps * k_n) if traces else (0, 1))
    _laps(pt.vehicle, pt.inverter, pt.battery, pt.ocv_V, pt.r0_ohm, pt.r1_ohm, pt.tau1_s,
          np.ascontiguousarray(th), state, soc0, ambient, car["mass"], car["drive"],
          car["front"], car["mu"], car["h_l"], car["share"], car["rotating"],
          np.ascontiguousarray(track.curvature), np.ascontiguousarray(track.grade),
          track.step_m, laps, float(default("regen_max_deceleration_mps2")), stop_on_derate,
          lap_time, lap_energy, peak, pack_derated, lap_derated, trace_v, trace_t)
    return dict(lap_time=lap_time, lap_energy=lap_energy, peak=peak, pack_derated=pack_derated,
                lap_derated=lap_derated, state=state, trace_v=trace_v, trace_t=trace_t)


def _take(pt: Powertrain, rows) -> Powertrain:
    from dataclasses import fields, replace

    return replace(pt, **{f.name: getattr(pt, f.name)[rows] for f in fields(pt)
                          if isinstance(getattr(pt, f.name), np.ndarray)})


def chiller_required_kW(pt: Powertrain, th, car, track: Track, laps, ambient, soc0,
                        held=None) -> np.ndarray:
    """Smallest chiller rating (kW) with which the pack is never derated over ``laps``
    (bisection to ``chiller_search_tolerance_kW``; NaN when ``chiller_search_max_kW`` is not
    enough). ``held``: whether each variant's own chiller (``th``) already held the pack (the
    run is made when not given); it brackets the search. All variants still open run together
    at each bisection step, each run stopping at its first pack derating."""
    n = pt.n
    top = thermal.default("chiller_search_max_kW")
    tol = thermal.default("chiller_search_tolerance_kW")

    def holds(rows, kW):
        sub = th[rows].copy()
        sub[:, TH_CHILLER_W] = kW * 1e3
        car_rows = {k: v[rows] for k, v in car.items()}
        out = _run(_take(pt, rows), sub, car_rows, track, laps, ambient[rows], soc0[rows],
                   stop_on_derate=True)
        return out["pack_derated"] == 0.0

    given = np.minimum(th[:, TH_CHILLER_W] / 1e3, top)
    if held is None:
        held = holds(np.arange(n), given)
    lo = np.where(held, 0.0, given)
    hi = np.where(held, given, top)
    feasible = held.copy()
    short = np.flatnonzero(~held)
    if short.size:
        feasible[short] = holds(short, hi[short])
    spare = np.flatnonzero(held & (given > 0.0))
    if spare.size:  # no chiller needed at all?
        hi[spare] = np.where(holds(spare, np.zeros(spare.size)), 0.0, hi[spare])
    while True:
        open_rows = np.flatnonzero(feasible & (hi - lo > tol))
        if open_rows.size == 0:
            break
        mid = 0.5 * (lo[open_rows] + hi[open_rows])
        ok = holds(open_rows, mid)
        hi[open_rows] = np.where(ok, mid, hi[open_rows])
        lo[open_rows] = np.where(ok, lo[open_rows], mid)
    return np.where(feasible, hi, np.nan)


def track_laps(pt: Powertrain, th: np.ndarray, car: dict, track: Track, *, laps=None,
               ambient_C=None, soc=None, chiller_search=True, traces=False) -> dict:
    """Lap after lap for every variant (``th`` from ``thermal.thermal_parameters``, ``car``
    from ``launch.vehicle_arrays``); None takes the defaults of ``endurance.toml`` (SOC: the
    acceleration SOC). Returns the result columns, ``track_lap_times_s`` (n, laps) and, with
    ``traces``, the curves for the report."""
    from .performance import _column

    laps = int(default("track_laps") if laps is None else laps)
    if laps < 1:
        raise ValueError("track: laps must be >= 1")
    n = pt.n
    ambient = _column(default("track_ambient_C") if ambient_C is None else ambient_C, n,
                      name="ambient_C")
    soc0 = _column(soc, n, "acceleration_soc", "soc")
    out = _run(pt, th, car, track, laps, ambient, soc0, traces=traces)
    times = out["lap_time"]
    first = times[:, 0]
    within = np.sum(times <= first[:, None] * (1.0 + default("track_within_fraction")), axis=1)
    result = {
        "track_first_lap_s": first,
        "track_last_lap_s": times[:, -1],
        "track_laps_within_2pct": within.astype(float),
        "track_peak_cell_temperature_C": out["peak"][:, 0],
        "track_peak_machine_temperature_C": out["peak"][:, 1],
        "track_peak_inverter_temperature_C": out["peak"][:, 2],
        "track_energy_per_lap_kWh": out["lap_energy"].mean(axis=1) / 3.6e6,
        "track_derated_laps": out["lap_derated"].sum(axis=1),
        "track_lap_times_s": times,
        "track_state": out["state"],
    }
    if chiller_search:
        result["track_chiller_kW_required"] = chiller_required_kW(
            pt, th, car, track, laps, ambient, soc0, held=out["pack_derated"] == 0.0)
    if traces:
        k_n = track.curvature.shape[0]
        every = max(k_n // 200, 1)
        result["track_curve"] = {
            "track_distance_m": np.arange(k_n)[::every] * track.step_m,
            "track_speed_first_kmh": out["trace_v"][:, 0, ::every] * 3.6,
            "track_speed_last_kmh": out["trace_v"][:, 1, ::every] * 3.6,
            "track_total_distance_m": np.arange(laps * k_n)[::every] * track.step_m,
            "track_cell_temperature_C": out["trace_t"][:, ::every],
        }
    return result
