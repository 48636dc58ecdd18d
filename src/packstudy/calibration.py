"""Calibrate a vehicle's drivetrain to its known test results, within sourced bounds.

Public specifications fix a car's mass and road load, but not how efficient its drivetrain
is; two cars on the same road load differ by 20 % or more in city consumption. Given a
vehicle's known results (EPA unadjusted city/highway, WLTP consumption or ranges), this
module fits the few drivetrain parameters that explain them, each inside the low/high range
sourced in ``data/factors/drivetrain.toml``:

- ``loss_level`` (1st target): one lumped level, -1 .. +1, that moves every wall-to-wheel
  loss term the model takes from defaults together, from its sourced low (-1) through the
  default (0) to its sourced high (+1): machine no-load, load-proportional and copper
  losses, gearbox loss and recharge efficiency. Changes city and highway consumption alike.
- ``regen_fraction`` (2nd target): share of braking power regenerated; moves city
  consumption several times more than highway, so it separates the two.
- ``aux_W`` (3rd target, or in reserve): auxiliary load, proportional to time rather than
  distance, so it also weighs on the city more than on the highway.

Never more unknowns than data: with m targets the first m of the requested parameters are
fitted (by default the first m of ``DEFAULT_ORDER``); the others wait in reserve (by default
only with two or more targets: alone, the other levers mostly trade one procedure against
another). When a
fitted parameter ends on a bound with the targets not met, it is held there and the next
reserve parameter is fitted in its place, so that two targets beyond regen_fraction's range
(say) are met with aux_W if its bounds allow. The fit is a bounded Gauss-Newton on relative
residuals; every iteration evaluates all vehicles and their finite-difference rows in one
batched kernel call per procedure, so it is deterministic and a list of vehicles costs
about as much as one. A target that cannot be met inside the bounds is reported as not met,
with the closest fit and the parameters that sit at a bound. ``accel_0_100_s`` is not
calibrated yet (the acceleration model has no fitted parameter).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace

import numpy as np

from . import catalog, distinct, procedures, vehicle
from .lookup import check, check_all
from .procedures import Powertrain

TARGET_PROCEDURE = {
    "epa_city_unadjusted_kWh_per_100km": "epa",
    "epa_highway_unadjusted_kWh_per_100km": "epa",
    "epa_range_km": "epa",
    "wltp_kWh_per_100km": "wltp",
    "wltp_range_km": "wltp",
}
NOT_YET = {"accel_0_100_s": "the acceleration model has no fitted parameter yet"}

# loss_level: (drivetrain.toml key, vehicle column or None for the recharge efficiency,
# whether the key's "high" is the lossier end)
LOSS_TERMS = (
    ("motor_noload_loss_fraction_at_top_speed", vehicle.V_NOLOAD, True),
    ("motor_load_loss_fraction", vehicle.V_LOAD_LOSS, True),
    ("motor_copper_loss_fraction_at_rated_torque", vehicle.V_COPPER, True),
    ("gearbox_efficiency", vehicle.V_GEAR_EFF, False),
    ("recharge_efficiency", None, False),
)
SINGLE = {"regen_fraction": vehicle.V_REGEN_FRAC, "aux_W": vehicle.V_AUX,
          "motor_load_loss_fraction": vehicle.V_LOAD_LOSS,
          "motor_noload_loss_fraction_at_top_speed": vehicle.V_NOLOAD,
          "gearbox_efficiency": vehicle.V_GEAR_EFF}
PARAMETERS = ("loss_level", *SINGLE, "recharge_efficiency")
DEFAULT_ORDER = ("loss_level", "regen_fraction", "aux_W")

TOLERANCE_PCT = 0.5  # a target is met when the model reproduces it this closely
CONDITION_LIMIT = 1e3  # beyond this the targets cannot tell the fitted parameters apart
FD_STEP = 0.05  # finite-difference step, in units of the parameter's low..high span
MAX_ITERATIONS = 12


class CalibrationError(ValueError):
    """Calibration input that cannot be used; the message names the key and what is allowed."""


@dataclass(frozen=True)
class CalibrationResult:
    """One vehicle's calibration: fitted values, residuals and how well they are determined.

    ``residual_pct`` is model / target - 1 in % at the fitted values; ``predicted`` holds
    every result of the procedures that were run (for checking results not used as
    targets); ``at_bound`` names fitted parameters that ended on a sourced bound.
    """

    parameters: dict[str, float]
    defaults: dict[str, float]
    bounds: dict[str, tuple[float, float]]
    targets: dict[str, float]
    predicted: dict[str, float]
    residual_pct: dict[str, float]
    not_fitted: list[str]
    at_bound: list[str]
    rank: int
    condition_number: float
    met: bool
    well_determined: bool
    messages: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One paragraph: fitted values, residuals, determination and any problem."""
        fitted = ", ".join(f"{k} = {v:.4g}" for k, v in self.parameters.items())
        res = ", ".join(f"{k} {v:+.2f} %" for k, v in self.residual_pct.items())
        state = "targets met" if self.met else "NOT MET within the sourced bounds (closest fit)"
        det = "well determined" if self.well_determined else "poorly determined"
        text = f"{state}; fitted {fitted or 'nothing'}; residuals {res}; {det} " \
               f"(rank {self.rank}, condition {self.condition_number:.3g})"
        return "; ".join([text, *self.messages])


def bounds(name: str) -> tuple[float, float, float]:
    """(low, default, high) of a calibration parameter, from ``drivetrain.toml``."""
    if name == "loss_level":
        return -1.0, 0.0, 1.0
    entry = catalog.factor_table("drivetrain")[name]
    return float(entry["low"]), float(entry["value"]), float(entry["high"])


def _loss_terms(level: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """Vehicle columns and values for a drivetrain loss level (-1 .. +1) per row."""
    out = []
    for key, col, more_at_high in LOSS_TERMS:
        low, mid, high = bounds(key)
        up, down = (high, low) if more_at_high else (low, high)
        out.append((col, np.where(level >= 0.0, mid + level * (up - mid), mid - level * (down - mid))))
    return out


def with_parameters(pt: Powertrain, values: dict[str, np.ndarray]) -> Powertrain:
    """A new Powertrain with calibration parameters set (arrays of shape (n,))."""
    veh = pt.vehicle.copy()
    recharge = pt.recharge_efficiency
    for name, value in values.items():
        value = np.broadcast_to(np.asarray(value, float), (pt.n,))
        if name == "loss_level":
            for col, column_value in _loss_terms(value):
                if col is None:
                    recharge = column_value
                else:
                    veh[:, col] = column_value
        elif name == "recharge_efficiency":
            recharge = value.copy()
        else:
            veh[:, SINGLE[name]] = value
    return replace(pt, vehicle=veh, recharge_efficiency=recharge)


def apply(pt: Powertrain, result: CalibrationResult | dict[str, float]) -> Powertrain:
    """``pt`` (any n) with one vehicle's fitted parameters set on every row."""
    fitted = result.parameters if isinstance(result, CalibrationResult) else result
    check_all("calibration parameter", list(fitted), PARAMETERS, CalibrationError, listed="allowed")
    return with_parameters(pt, {k: np.full(pt.n, float(v)) for k, v in fitted.items()})


def take(pt: Powertrain, rows) -> Powertrain:
    """The Powertrain of the given rows (index array), e.g. each vehicle repeated."""
    return distinct.take(pt, np.asarray(rows))


def stack(pts: list[Powertrain]) -> Powertrain:
    """One Powertrain with the rows of several (e.g. one per vehicle)."""
    kw = {}
    for name in Powertrain.__dataclass_fields__:
        values = [getattr(p, name) for p in pts]
        if any(v is None for v in values):
            kw[name] = None
        else:
            kw[name] = np.ascontiguousarray(np.concatenate(values))
    return Powertrain(**kw)


def calibrate(pt: Powertrain, targets: dict[str, float], parameters=None) -> CalibrationResult:
    """Fit one vehicle (``pt.n == 1``) to its known results; see ``calibrate_many``."""
    if pt.n != 1:
        raise CalibrationError(f"calibrate: expected a Powertrain of one vehicle, got n = {pt.n}; "
                               "use calibrate_many for several")
    return calibrate_many(pt, [targets], None if parameters is None else [parameters])[0]


def calibrate_many(pt: Powertrain, targets: list[dict[str, float]],
                   parameters: list | None = None) -> list[CalibrationResult]:
    """Fit every vehicle (row i of ``pt``) to ``targets[i]``, all in the same kernel calls.

    targets: per vehicle, known results by result name (kWh/100 km AC, km); parameters: per
    vehicle, the parameters in priority order (default ``DEFAULT_ORDER``). The first m are
    fitted for m targets, fewer when the targets cannot tell them apart; the rest are held in
    reserve: when a fitted parameter ends on a sourced bound with the targets not met, it is
    held there and the next reserve parameter is fitted in its place (never more than m fitted
    at once). Parameters not fitted keep the vehicle's own values.
    """
    n = pt.n
    if len(targets) != n:
        raise CalibrationError(f"calibrate_many: {len(targets)} target sets for {n} vehicles")
    names, y = _target_matrix(targets)
    given = ~np.isnan(y)
    m = given.sum(axis=1)
    if parameters is None:
        parameters = [None] * n
    # by default a single target fits loss_level alone: the other levers mostly trade one
    # procedure against another, so they are kept for separating two or more targets
    wanted = [tuple(p) if p else DEFAULT_ORDER[: 1 if m[i] == 1 else None]
              for i, p in enumerate(parameters)]
    par_names = _parameter_names(wanted)
    k = len(par_names)
    lo, mid, hi = (np.array([bounds(p)[j] for p in par_names]) for j in range(3))
    span = hi - lo
    active = np.zeros((n, k), bool)  # fitted now: the first m_i of each vehicle's order
    held = np.zeros((n, k), bool)  # fitted earlier, then held on the bound it reached
    reserve = [list(order)[m[i]:] for i, order in enumerate(wanted)]
    for i, order in enumerate(wanted):  # one-off bookkeeping of names, not the model
        for p in list(order)[: m[i]]:
            active[i, par_names.index(p)] = True
    x = (_current_values(pt, par_names) - lo) / span  # normalised: 0 .. 1 inside the bounds
    procs = sorted({TARGET_PROCEDURE[t] for t in names})
    notes: list[list[str]] = [[] for _ in range(n)]

    while True:
        x = _gauss_newton(pt, x, lo, span, par_names, names, y, active, procs, wanted, notes)
        r, _ = _residuals_and_jacobian(pt, x, lo, span, par_names, names, y, active, procs)
        unmet = np.any(np.abs(r) * 100.0 > TOLERANCE_PCT, axis=1)
        swapped = False
        for i in np.flatnonzero(unmet):
            stuck = [j for j in np.flatnonzero(active[i]) if x[i, j] <= 1e-6 or x[i, j] >= 1 - 1e-6]
            while stuck and reserve[i]:
                j, nxt = stuck.pop(), reserve[i].pop(0)
                active[i, j], held[i, j] = False, True
                active[i, par_names.index(nxt)] = True
                notes[i].append(f"{par_names[j]} held at its bound ({lo[j] + x[i, j] * span[j]:.4g}) "
                                f"and {nxt} fitted in its place")
                swapped = True
        if not swapped:
            break

    r, jac, pred = _residuals_and_jacobian(pt, x, lo, span, par_names, names, y, active, procs,
                                           predictions=True)
    cond = _condition(jac, active)
    rank = _rank(jac, active)
    values = lo + x * span
    results = []
    for i in range(n):
        fitted = [j for j in range(k) if active[i, j] or held[i, j]]
        res = {t: 100.0 * float(r[i, j]) for j, t in enumerate(names) if given[i, j]}
        met = all(abs(v) <= TOLERANCE_PCT for v in res.values())
        at_bound = [par_names[j] for j in fitted if x[i, j] <= 1e-6 or x[i, j] >= 1 - 1e-6]
        msgs = list(notes[i])
        unused = [p for p in wanted[i] if p not in [par_names[j] for j in fitted]]
        if unused:
            msgs.append(f"not fitted (more parameters than targets; kept in reserve): {', '.join(unused)}")
        if not met and at_bound:
            msgs.append(f"targets not met within the sourced bounds: closest fit, with "
                        f"{', '.join(at_bound)} at a bound")
        elif not met:
            msgs.append("targets not met: more targets than fitted parameters, least-squares fit")
        results.append(CalibrationResult(
            parameters={par_names[j]: float(values[i, j]) for j in fitted},
            defaults={par_names[j]: float(mid[j]) for j in fitted},
            bounds={par_names[j]: (float(lo[j]), float(hi[j])) for j in fitted},
            targets={t: float(y[i, j]) for j, t in enumerate(names) if given[i, j]},
            predicted={key: float(v[i]) for key, v in pred.items()},
            residual_pct=res, not_fitted=unused,
            at_bound=at_bound, rank=int(rank[i]), condition_number=float(cond[i]), met=met,
            well_determined=bool(rank[i] == active[i].sum() and cond[i] <= CONDITION_LIMIT),
            messages=msgs,
        ))
    return results


def _gauss_newton(pt, x, lo, span, par_names, names, y, active, procs, wanted, notes) -> np.ndarray:
    """Bounded Gauss-Newton iterations on the active parameters (``active`` is updated in
    place when the targets cannot tell two of them apart); returns the new ``x``."""
    start = x.copy()
    for _ in range(MAX_ITERATIONS):
        r, jac = _residuals_and_jacobian(pt, x, lo, span, par_names, names, y, active, procs)
        # where the targets cannot tell the fitted parameters apart, drop the one that the
        # weakest direction of the Jacobian is made of (ties: the lower priority)
        while np.any(ill := (_condition(jac, active) > CONDITION_LIMIT) & (active.sum(1) > 1)):
            for i in np.flatnonzero(ill):
                cols = np.flatnonzero(active[i])
                weakest = np.abs(np.linalg.svd(jac[i][:, cols])[2][-1])
                drop = max(zip(np.round(weakest, 6), [wanted[i].index(par_names[j]) for j in cols],
                               cols, strict=True))[2]
                active[i, drop], x[i, drop] = False, start[i, drop]
                notes[i].append(f"not fitted (the targets cannot separate it): {par_names[drop]}")
        step = _bounded_step(r, jac, x, active)
        x = np.where(active, np.clip(x + step, 0.0, 1.0), x)
        if np.all(np.abs(step) < 1e-4):
            break
    return x


def _current_values(pt: Powertrain, par_names: list[str]) -> np.ndarray:
    """The vehicles' own values (n, k) of the calibration parameters (loss_level: 0, the
    sourced defaults), so that parameters left unfitted change nothing."""
    cols = []
    for name in par_names:
        if name == "loss_level":
            cols.append(np.zeros(pt.n))
        elif name == "recharge_efficiency":
            cols.append(np.asarray(pt.recharge_efficiency, float))
        else:
            cols.append(pt.vehicle[:, SINGLE[name]])
    return np.stack(cols, axis=1)


RECORD_KEYS = ("fitted", "residual_pct", "met", "well_determined", "condition_number", "note",
               "packstudy_version", "date")


def calibrate_table(pt: Powertrain, table: dict) -> CalibrationResult:
    """Calibrate one vehicle from a ``[vehicle.calibration]`` table: its known results, an
    optional ``parameters`` list, and (ignored: refitted) the record a preset keeps."""
    allowed = [*TARGET_PROCEDURE, *NOT_YET, "parameters", *RECORD_KEYS]
    for key in table:
        check("key", key, allowed, CalibrationError, f"vehicle.calibration.{key}: ", listed="allowed")
    targets = {k: v for k, v in table.items() if k in TARGET_PROCEDURE or k in NOT_YET}
    parameters = table.get("parameters")
    if parameters is not None and not (isinstance(parameters, list)
                                       and all(isinstance(p, str) for p in parameters)):
        raise CalibrationError(f"vehicle.calibration.parameters: a list of parameter names; got "
                               f"{parameters!r}")
    return calibrate(pt, targets, parameters)


def _target_matrix(targets: list[dict[str, float]]) -> tuple[list[str], np.ndarray]:
    """Target names in a fixed order and an (n, m) matrix with NaN where not given."""
    for i, t in enumerate(targets):
        for key, value in t.items():
            if key in NOT_YET:
                raise CalibrationError(f"calibration target {key} (vehicle {i}): not supported yet "
                                       f"({NOT_YET[key]}); allowed: {', '.join(TARGET_PROCEDURE)}")
            check("calibration target", key, TARGET_PROCEDURE, CalibrationError,
                  f"vehicle {i}: ", listed="allowed")
            if not (isinstance(value, int | float) and not isinstance(value, bool)
                    and np.isfinite(value) and value > 0):
                raise CalibrationError(f"calibration target {key} (vehicle {i}) must be a number "
                                       f"> 0; got {value!r}")
        if not t:
            raise CalibrationError(f"calibration targets (vehicle {i}): give at least one of "
                                   f"{', '.join(TARGET_PROCEDURE)}")
    names = [t for t in TARGET_PROCEDURE if any(t in d for d in targets)]
    y = np.array([[d.get(t, np.nan) for t in names] for d in targets], dtype=float)
    return names, y


def _parameter_names(wanted: list) -> list[str]:
    """The union of requested parameters in the registry's order; unknown names rejected."""
    for order in wanted:
        for p in order:
            check("calibration parameter", p, PARAMETERS, CalibrationError, listed="allowed")
        if len(set(order)) != len(order):
            raise CalibrationError(f"calibration parameters listed twice: {list(order)}")
    used = {p for order in wanted for p in order}
    return [p for p in PARAMETERS if p in used]


def _residuals_and_jacobian(pt, x, lo, span, par_names, names, y, active, procs,
                            predictions=False):
    """Relative residuals (n, m) at x and their Jacobian (n, m, k) by forward differences,
    all rows (vehicle x {base, one step per parameter}) in one kernel call per procedure."""
    n, k = x.shape
    rows = np.repeat(x[:, None, :], k + 1, axis=1)  # (n, k + 1, k)
    h = np.where(x + FD_STEP <= 1.0, FD_STEP, -FD_STEP)  # step into the box
    for j in range(k):
        rows[:, j + 1, j] += h[:, j]
    trial = with_parameters(
        take(pt, np.repeat(np.arange(n), k + 1)),
        {p: (lo[j] + rows[:, :, j] * span[j]).ravel() for j, p in enumerate(par_names)})
    out: dict[str, np.ndarray] = {}
    for proc in procs:
        out.update(procedures.CALIBRATION_PROCEDURES[proc](trial))
    model = np.stack([out[t].reshape(n, k + 1) for t in names], axis=1)  # (n, m, k + 1)
    unfit = np.isnan(model) & ~np.isnan(y)[:, :, None]
    if unfit.any():
        target = names[int(np.flatnonzero(unfit.any(axis=(0, 2)))[0])]
        raise CalibrationError(
            f"vehicle.calibration.{target}: the vehicle cannot follow the cycle it is measured "
            "on (too little motor or battery power, or a road load that gives back energy), so its known "
            "results cannot be fitted; check motor_peak_kW, the road load and the pack")
    r = model[:, :, 0] / y - 1.0
    jac = (model[:, :, 1:] - model[:, :, :1]) / y[:, :, None] / h[:, None, :]
    jac = np.where(np.isnan(y)[:, :, None] | ~active[:, None, :], 0.0, jac)
    r = np.nan_to_num(r)
    if predictions:
        pred = {key: v.reshape(n, k + 1)[:, 0] for key, v in out.items()}
        return r, jac, pred
    return r, jac


def _condition(jac: np.ndarray, active: np.ndarray) -> np.ndarray:
    """Condition number of each vehicle's Jacobian over its active parameters."""
    s = -np.sort(-_singular_values(jac, active), axis=1)  # descending
    nk = active.sum(axis=1)
    smallest = s[np.arange(len(nk)), np.maximum(nk - 1, 0)]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(nk > 0, s[:, 0] / smallest, 1.0)


def _singular_values(jac: np.ndarray, active: np.ndarray) -> np.ndarray:
    return np.linalg.svd(jac * active[:, None, :], compute_uv=False)


def _rank(jac: np.ndarray, active: np.ndarray) -> np.ndarray:
    s = _singular_values(jac, active)
    return (s > s.max(axis=1, keepdims=True) / CONDITION_LIMIT).sum(axis=1) * (s.max(axis=1) > 0)


def _bounded_step(r, jac, x, active) -> np.ndarray:
    """Step (n, k), in normalised units, that minimises the linearised residuals inside the
    box 0 <= x <= 1: every split of the active parameters into free / at low / at high is
    solved (3^k <= 27 cases for k <= 3) and the best feasible one kept (exact for a linear
    model, unlike clipping each parameter on its own)."""
    n, k = x.shape
    best = np.full(n, np.inf)
    step = np.zeros_like(x)
    for case in itertools.product((0, 1, 2), repeat=k):  # 0 free, 1 at low, 2 at high
        state = np.array(case)
        free = active & (state == 0)
        fixed = np.where(state == 1, -x, 1.0 - x) * (active & (state > 0))
        j = jac * free[:, None, :]
        rhs = r + np.einsum("nmk,nk->nm", jac, fixed)
        a = np.einsum("nmk,nml->nkl", j, j) + np.eye(k) * (1e-12 + ~free[:, :, None])
        delta = fixed - np.linalg.solve(a, np.einsum("nmk,nm->nk", j, rhs)[:, :, None])[:, :, 0]
        delta *= active
        cost = np.sum((r + np.einsum("nmk,nk->nm", jac, delta)) ** 2, axis=1)
        feasible = np.all(~active | ((x + delta >= -1e-9) & (x + delta <= 1 + 1e-9)), axis=1)
        feasible &= ~np.any(~active & (state > 0), axis=1)
        better = feasible & (cost < best - 1e-15)
        best = np.where(better, cost, best)
        step = np.where(better[:, None], delta, step)
    return step


def preset_table(result: CalibrationResult, *, version: str, date: str) -> str:
    """The ``[calibration]`` TOML table recording a preset's calibration: the targets used
    (same keys as a study's ``[vehicle.calibration]``), the fitted values, the residuals, and
    the packstudy version and date (ISO) that produced them."""
    def table(d: dict[str, float], digits: int) -> str:
        return "{ " + ", ".join(f"{k} = {round(v, digits)!r}" for k, v in d.items()) + " }"

    order = [*result.parameters, *result.not_fitted]  # fitted or held, then the reserve
    lines = ["[calibration]",
             "# Produced by scripts/calibrate_presets.py (packstudy.calibration): the targets are",
             "# the [published] values above; fitted within data/factors/drivetrain.toml bounds."]
    lines += [f"{k} = {v!r}" for k, v in result.targets.items()]
    lines += [
        f"parameters = [{', '.join(repr(p).replace(chr(39), chr(34)) for p in order)}]",
        f"fitted = {table(result.parameters, 4)}",
        f"residual_pct = {table(result.residual_pct, 2)}",
        f"met = {str(result.met).lower()}",
        f"well_determined = {str(result.well_determined).lower()}",
        f"condition_number = {round(result.condition_number, 2)!r}",
    ]
    if result.messages:
        lines.append(f"note = {'; '.join(result.messages)!r}".replace("'", '"'))
    lines += [f'packstudy_version = "{version}"', f"date = {date}"]
    return "\n".join(lines) + "\n"


def write_preset_table(path, table: str) -> None:
    """Put ``table`` as the preset file's ``[calibration]`` table: replaces an existing one
    (up to the next table or the end), else appends it; the rest of the file is unchanged."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    start = text.find("\n[calibration]\n")
    if start >= 0:
        end = text.find("\n[", start + 1)
        text = text[: start + 1] + (text[end + 1:] if end >= 0 else "")
    text = text.rstrip("\n") + "\n\n" + table
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
