"""Pseudo-two-dimensional (DFN-class) electrochemical cell model on a coarse grid.

For cells whose file gives an ``[electrochemical]`` table (electrode design, particle and
electrolyte transport, kinetics and electrode open-circuit potentials; lg-m50: Chen et al.
2020). Each electrode is cut into ``N_ZONES`` zones through its thickness, each zone one
spherical particle (``N_SHELLS`` finite-volume shells, Fick's law) in its own electrolyte
volume; the separator has ``N_SEPARATOR`` volumes. Per step:

- the reaction current of every zone follows from the potential balance of the electrode:
  phi_s - phi_e = U(surface stoichiometry) + (2RT/F) asinh(j / 2 j0), j0 = k sqrt(c_e c_s
  (c_max - c_s)), with the solid and electrolyte ohmic drops between zones (conductivities,
  Bruggeman) and the electrolyte diffusion potential 2(1 - t+)(RT/F) ln c_e; solved by
  shooting from the separator (bracketed, so a zone whose electrolyte is exhausted or whose
  particle surface is full simply stops reacting);
- electrolyte salt: implicit finite volumes, D_e(c) and kappa_e(c) from tables, source
  (1 - t+) j / F; a zone cannot take salt that is not there (its share moves to the others);
- particles: implicit finite volumes.

Voltage = phi_s(positive collector) - phi_s(negative collector). Heat for the lumped thermal
model of ``cellsim`` is I (OCV(SOC) - V) - I T dOCV/dT with the cell's OCV table; the
exchange currents follow Arrhenius laws with the file's activation energies; transport
properties are taken at their tabulated (25 degC) values. Current positive when discharging.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from . import ecm
from .lookup import unknown
from .units import FARADAY_C_PER_MOL, GAS_CONSTANT_J_PER_MOLK
from .units import ZERO_CELSIUS_K as ZERO_C_K

N_ZONES = 20  # zones per electrode, as PyBaMM's default DFN mesh
N_SEPARATOR = 2
N_SHELLS = 20
OCP_POINTS = 401  # electrode OCPs resampled on a uniform stoichiometry grid 0..1
ELECTROLYTE_POINTS = 121  # D_e, kappa_e resampled on a uniform grid 0..c_max of the table
SUBSTEP_C_RATE_S = 0.6  # sub-steps of at most 0.6 s / C-rate (1/6000 of the capacity each)
REFERENCE_K = 298.15  # the exchange-current coefficients are given at 25 degC

ELECTRODE_KEYS = ("thickness_m", "porosity", "active_fraction", "particle_radius_m",
                  "diffusivity_m2_per_s", "max_concentration_mol_per_m3",
                  "conductivity_S_per_m", "j0_coefficient_A_m2p5_per_mol1p5",
                  "j0_activation_energy_J_per_mol", "stoichiometry_soc0",
                  "stoichiometry_soc1")
ELECTROLYTE_KEYS = ("concentration_mol_per_m3", "transference_number", "bruggeman")
TABLE_KEYS = ("electrode_area_m2", "electrolyte", "separator", "negative", "positive")

# parameter columns of ``par`` (one row per variant)
(AREA, C0, TPLUS, BRUG, LS, EPS_S, CTAB,
 LN, EPN, ESN, RN, DN, CMN, SGN, KN, EAN, XN0, XN1,
 LP, EPP, ESP, RP, DP, CMP, SGP, KP, EAP, YP0, YP1) = range(29)
N_PAR = 29


def parse_table(table, errors: list[str]) -> dict | None:
    """Validate an ``[electrochemical]`` table; problems go to ``errors`` (prefixed with
    ``electrochemical.``); returns the parameters as floats and arrays, or None."""
    where = "electrochemical"
    if not isinstance(table, dict):
        errors.append(f"{where}: must be a table")
        return None
    n_before = len(errors)
    errors += [f"{where}.{k}: {unknown('key', k, TABLE_KEYS, 'allowed')}"
               for k in sorted(set(table) - set(TABLE_KEYS))]
    out: dict = {"electrode_area_m2": _positive(table, "electrode_area_m2", where, errors)}
    parts = {}
    for name, keys, extra in (("electrolyte", ELECTROLYTE_KEYS,
                               ("table_concentration_mol_per_m3", "diffusivity_m2_per_s",
                                "conductivity_S_per_m")),
                              ("separator", ("thickness_m", "porosity"), ()),
                              ("negative", ELECTRODE_KEYS, ("ocp_V",)),
                              ("positive", ELECTRODE_KEYS, ("ocp_V",))):
        sec = table.get(name)
        if not isinstance(sec, dict):
            errors.append(f"{where}.{name}: missing table")
            continue
        label = f"{where}.{name}"
        errors += [f"{label}.{k}: {unknown('key', k, (*keys, *extra), 'allowed')}"
                   for k in sorted(set(sec) - set(keys) - set(extra))]
        vals = {k: _positive(sec, k, label, errors, zero_ok=k.endswith("_J_per_mol"))
                for k in keys}
        for k in ("porosity", "active_fraction", "transference_number", "stoichiometry_soc0",
                  "stoichiometry_soc1"):
            if k in vals and not 0.0 < vals[k] < 1.0:
                errors.append(f"{label}.{k}: must lie between 0 and 1; got {vals[k]:g}")
        for k in extra:
            arr = np.asarray(sec.get(k, []), dtype=float) if isinstance(
                sec.get(k), list) else np.array([])
            if arr.size < 2 or not np.all(np.isfinite(arr)):
                errors.append(f"{label}.{k}: must be a list of at least 2 finite numbers")
            vals[k] = arr
        parts[name] = vals
    if len(errors) == n_before:
        el = parts["electrolyte"]
        grid = el["table_concentration_mol_per_m3"]
        step = np.diff(grid)
        if grid[0] != 0.0 or np.any(step <= 0) or np.ptp(step) > 1e-9 * grid[-1]:
            errors.append(f"{where}.electrolyte.table_concentration_mol_per_m3: must start at 0 "
                          "and rise in equal steps")
        for k in ("diffusivity_m2_per_s", "conductivity_S_per_m"):
            if el[k].size != grid.size or np.any(el[k] < 0):
                errors.append(f"{where}.electrolyte.{k}: must give one non-negative value per "
                              "table_concentration_mol_per_m3")
        if grid[-1] <= el["concentration_mol_per_m3"]:
            errors.append(f"{where}.electrolyte.table_concentration_mol_per_m3: must reach "
                          "above concentration_mol_per_m3")
    if len(errors) > n_before:
        return None
    out.update(parts)
    return out


def _positive(sec: dict, key: str, label: str, errors: list[str], zero_ok=False) -> float:
    """``sec[key]`` as a float; a problem naming ``label.key`` when it is not a positive (or,
    with ``zero_ok``, non-negative) finite number."""
    v = sec.get(key)
    if (isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v)
            or v < 0 or (v == 0 and not zero_ok)):
        kind = "non-negative" if zero_ok else "positive"
        errors.append(f"{label}.{key}: must be a {kind} number; got {v!r}")
        return float("nan")
    return float(v)


def pack(tables) -> tuple[np.ndarray, ...]:
    """Per-variant arrays for the kernel from parsed tables (one per variant): ``par``
    (n, N_PAR), negative and positive OCP on ``OCP_POINTS`` stoichiometries, electrolyte
    diffusivity and conductivity on ``ELECTROLYTE_POINTS`` concentrations. Each distinct
    table is resampled once."""
    first: dict[int, int] = {}
    code = np.array([first.setdefault(id(tb), len(first)) for tb in tables], dtype=np.intp)
    distinct = list({id(tb): tb for tb in tables}.values())
    par, ocp_n, ocp_p, diff, kappa = _pack_distinct(distinct)
    return par[code], ocp_n[code], ocp_p[code], diff[code], kappa[code]


def _pack_distinct(tables) -> tuple[np.ndarray, ...]:
    n = len(tables)
    par = np.zeros((n, N_PAR))
    ocp = np.zeros((2, n, OCP_POINTS))
    elec = np.zeros((2, n, ELECTROLYTE_POINTS))
    sto = np.linspace(0.0, 1.0, OCP_POINTS)
    for v, tb in enumerate(tables):
        el, sep = tb["electrolyte"], tb["separator"]
        grid = el["table_concentration_mol_per_m3"]
        par[v, [AREA, C0, TPLUS, BRUG, LS, EPS_S, CTAB]] = (
            tb["electrode_area_m2"], el["concentration_mol_per_m3"], el["transference_number"],
            el["bruggeman"], sep["thickness_m"], sep["porosity"], grid[-1])
        c = np.linspace(0.0, grid[-1], ELECTROLYTE_POINTS)
        elec[0, v] = np.interp(c, grid, el["diffusivity_m2_per_s"])
        elec[1, v] = np.interp(c, grid, el["conductivity_S_per_m"])
        for e, name, first in ((0, "negative", LN), (1, "positive", LP)):
            d = tb[name]
            par[v, first:first + 11] = [d[k] for k in ELECTRODE_KEYS]
            ocp[e, v] = np.interp(sto, np.linspace(0.0, 1.0, d["ocp_V"].size), d["ocp_V"])
    return par, ocp[0], ocp[1], elec[0], elec[1]


# ---------------------------------------------------------------------------------------------
# kernel


@njit(cache=True)
def _uniform_at(tab, x_max, x):
    """Linear interpolation of ``tab`` on a uniform grid 0..x_max, clamped at the ends."""
    f = x / x_max * (tab.shape[0] - 1)
    if f <= 0.0:
        return tab[0]
    if f >= tab.shape[0] - 1:
        return tab[tab.shape[0] - 1]
    i = int(f)
    return tab[i] + (f - i) * (tab[i + 1] - tab[i])


@njit(cache=True)
def _overpotential(current, s_out, k_s, c_max, k_e, area, a2, ocp):
    """U(surface) + kinetic overpotential (V) of a zone carrying ``current`` (A, anodic +),
    and its derivative (V/A)."""
    s = min(max(s_out - k_s * current, 1e-12 * c_max), (1.0 - 1e-12) * c_max)
    root = math.sqrt(s * (c_max - s))
    j0 = max(k_e * root, 1e-300)
    x = current / (2.0 * area * j0)
    f = s / c_max * (ocp.shape[0] - 1)
    i = min(max(int(f), 0), ocp.shape[0] - 2)
    u = ocp[i] + (f - i) * (ocp[i + 1] - ocp[i])
    du = (ocp[i + 1] - ocp[i]) * (ocp.shape[0] - 1) / c_max  # dU/ds
    dj0 = -k_s * k_e * (c_max - 2.0 * s) / (2.0 * max(root, 1e-300))
    dx = 1.0 / (2.0 * area * j0) - x / j0 * dj0
    return u + a2 * math.asinh(x), -k_s * du + a2 * dx / math.sqrt(1.0 + x * x)


@njit(cache=True)
def _zone_current(target, s_out, k_s, c_max, k_e, area, a2, ocp, guess):
    """The zone current whose overpotential is ``target``: Newton from ``guess`` safeguarded
    by bisection on the range where the particle surface stays within 0..c_max (the
    overpotential rises monotonically with the current)."""
    lo = -(c_max - s_out) / k_s * (1.0 - 1e-9)
    hi = s_out / k_s * (1.0 - 1e-9)
    x = min(max(guess, lo), hi)
    for _ in range(100):
        f, df = _overpotential(x, s_out, k_s, c_max, k_e, area, a2, ocp)
        f -= target
        if f > 0.0:
            hi = x
        else:
            lo = x
        step = f / df if df > 0.0 else 0.0
        new = x - step
        if not lo < new < hi or df <= 0.0:
            new = 0.5 * (lo + hi)
        if abs(new - x) <= 1e-12 * (1.0 + abs(x)) or hi - lo <= 1e-12 * (1.0 + abs(x)):
            return new
        x = new
    return x


@njit(cache=True)
def _shoot(theta, cur, pos, dx, sigma, plate, rf, conc, s_out, k_s, c_max, k_e, area, a2,
           ocp, out):
    """Zone currents (``out``, from the separator side) for phi_s - phi_e = ``theta`` at the
    first zone, marching with the ohmic drops; returns their sum (A, anodic +)."""
    delta = theta
    cum = 0.0
    nz = out.shape[0]
    for k in range(nz):
        out[k] = _zone_current(delta - conc[k], s_out[k], k_s, c_max, k_e[k], area, a2, ocp,
                               out[k])
        cum += out[k]
        if k < nz - 1:
            if pos:
                delta += cum / plate * dx / sigma + (cur + cum) / plate * rf[k]
            else:
                delta += cum / plate * dx / sigma - (cur - cum) / plate * rf[k]
    return cum


@njit(cache=True)
def _electrode(cur, pos, dx, sigma, plate, rf, conc, s_out, k_s, c_max, k_e, area, a2, ocp,
               out, guess):
    """theta (phi_s - phi_e at the first zone, V; searched from ``guess``) and the zone
    currents (``out``, also the start of their solves) carrying the electrode's share."""
    target = -cur if pos else cur
    width = 0.02
    lo, hi = guess - width, guess + width
    f_lo = _shoot(lo, cur, pos, dx, sigma, plate, rf, conc, s_out, k_s, c_max, k_e, area, a2,
                  ocp, out) - target
    while f_lo > 0.0 and lo > -10.0:
        hi, f_hi = lo, f_lo
        width *= 4.0
        lo -= width
        f_lo = _shoot(lo, cur, pos, dx, sigma, plate, rf, conc, s_out, k_s, c_max, k_e, area,
                      a2, ocp, out) - target
    if f_lo <= 0.0:
        f_hi = _shoot(hi, cur, pos, dx, sigma, plate, rf, conc, s_out, k_s, c_max, k_e, area,
                      a2, ocp, out) - target
        while f_hi < 0.0 and hi < 10.0:
            lo, f_lo = hi, f_hi
            width *= 4.0
            hi += width
            f_hi = _shoot(hi, cur, pos, dx, sigma, plate, rf, conc, s_out, k_s, c_max, k_e,
                          area, a2, ocp, out) - target
    theta = 0.5 * (lo + hi)
    for it in range(200):
        theta = hi - f_hi * (hi - lo) / (f_hi - f_lo) if f_hi != f_lo else 0.5 * (lo + hi)
        if not lo < theta < hi or it % 3 == 2:
            theta = 0.5 * (lo + hi)
        f = _shoot(theta, cur, pos, dx, sigma, plate, rf, conc, s_out, k_s, c_max, k_e, area,
                   a2, ocp, out) - target
        if abs(f) <= 1e-10 * (1.0 + abs(target)) or hi - lo <= 1e-13:
            break
        if f > 0.0:
            hi, f_hi = theta, f
        else:
            lo, f_lo = theta, f
    return theta


@njit(cache=True)
def _geometry(p):
    """Volume widths and porosities of the electrolyte grid (negative collector first)."""
    n = 2 * N_ZONES + N_SEPARATOR
    dx = np.empty(n)
    eps = np.empty(n)
    for i in range(n):
        if i < N_ZONES:
            dx[i], eps[i] = p[LN] / N_ZONES, p[EPN]
        elif i < N_ZONES + N_SEPARATOR:
            dx[i], eps[i] = p[LS] / N_SEPARATOR, p[EPS_S]
        else:
            dx[i], eps[i] = p[LP] / N_ZONES, p[EPP]
    return dx, eps


@njit(cache=True)
def _zone_area(p, pos):
    """Particle surface area of one zone (m2)."""
    if pos:
        return 3.0 * p[ESP] / p[RP] * p[LP] * p[AREA] / N_ZONES
    return 3.0 * p[ESN] / p[RN] * p[LN] * p[AREA] / N_ZONES


@njit(cache=True)
def _voltage(cur, temp_K, p, ocp_n, ocp_p, kappa_tab, ce, cs, zone_i, theta):
    """Terminal voltage under ``cur``; the zone currents go to ``zone_i`` (negative zones
    from the separator, then positive zones from the separator) and each electrode's theta
    to ``theta`` (both also the starting points of the solve)."""
    a2 = 2.0 * GAS_CONSTANT_J_PER_MOLK * temp_K / FARADAY_C_PER_MOL
    dx, eps = _geometry(p)
    n = dx.shape[0]
    kap = np.empty(n)
    for i in range(n):
        kap[i] = max(_uniform_at(kappa_tab, p[CTAB], ce[i]), 1e-9) * eps[i] ** p[BRUG]
    plate = p[AREA]
    nz = N_ZONES
    conc = np.empty(nz)
    s_out = np.empty(nz)
    k_e = np.empty(nz)
    rf = np.empty(nz)
    for pos in range(2):
        first = LP if pos else LN  # the electrode's columns follow ELECTRODE_KEYS
        radius, diff, c_max = p[first + 3], p[first + 4], p[first + 5]
        sigma, k0, e_act = p[first + 6], p[first + 7], p[first + 8]
        area = _zone_area(p, pos)
        k_s = radius / N_SHELLS / (2.0 * diff * FARADAY_C_PER_MOL * area)
        arrh = math.exp(-e_act / GAS_CONSTANT_J_PER_MOLK * (1.0 / temp_K - 1.0 / REFERENCE_K))
        for k in range(nz):
            i = N_ZONES + N_SEPARATOR + k if pos else N_ZONES - 1 - k
            conc[k] = a2 * (1.0 - p[TPLUS]) * math.log(max(ce[i], 1e-12) / p[C0])
            k_e[k] = k0 * arrh * math.sqrt(max(ce[i], 0.0))
            s_out[k] = cs[pos * nz + k, N_SHELLS - 1]
            j = i + 1 if pos else i - 1
            if k < nz - 1:
                rf[k] = 0.5 * dx[i] / kap[i] + 0.5 * dx[j] / kap[j]
        theta[pos] = _electrode(cur, pos == 1, p[first] / nz, sigma, plate, rf, conc,
                                s_out, k_s, c_max, k_e, area, a2,
                                ocp_p if pos else ocp_n, zone_i[pos * nz:(pos + 1) * nz],
                                theta[pos])
    i_pl = cur / plate
    dxn, dxp = p[LN] / nz, p[LP] / nz
    phi_n = theta[0] + i_pl * 0.5 * dxn / kap[N_ZONES - 1]
    cum = 0.0
    for k in range(nz - 1):
        cum += zone_i[k]
        phi_n += cum / plate * dxn / p[SGN]
    phi_n += i_pl * 0.5 * dxn / p[SGN]
    r_sep = 0.0
    for i in range(N_ZONES, N_ZONES + N_SEPARATOR):
        r_sep += dx[i] / kap[i]
    phi_p = theta[1] - i_pl * (r_sep + 0.5 * dxp / kap[N_ZONES + N_SEPARATOR])
    cum = 0.0
    for k in range(nz - 1):
        cum += zone_i[nz + k]
        phi_p += cum / plate * dxp / p[SGP]
    phi_p -= i_pl * 0.5 * dxp / p[SGP]
    return phi_p - phi_n


@njit(cache=True)
def _tridiagonal(a, b, c, d, out):
    """Solve the tridiagonal system (sub ``a``, diagonal ``b``, super ``c``) into ``out``."""
    n = b.shape[0]
    cp = np.empty(n)
    dp = np.empty(n)
    cp[0] = c[0] / b[0]
    dp[0] = d[0] / b[0]
    for i in range(1, n):
        m = b[i] - a[i] * cp[i - 1]
        cp[i] = c[i] / m
        dp[i] = (d[i] - a[i] * dp[i - 1]) / m
    out[n - 1] = dp[n - 1]
    for i in range(n - 2, -1, -1):
        out[i] = dp[i] - cp[i] * out[i + 1]


@njit(cache=True)
def _electrolyte(p, diff_tab, ce, source, starved, dt, out):
    """Implicit salt step (mol/m3) under volume sources (mol/m2/s of plate); the sources of
    ``starved`` volumes are taken proportional to their new concentration. Returns the
    factor applied to each volume's source (1 where not starved)."""
    dx, eps = _geometry(p)
    n = dx.shape[0]
    g = np.empty(n)
    for i in range(n):
        g[i] = _uniform_at(diff_tab, p[CTAB], max(ce[i], 0.0)) * eps[i] ** p[BRUG] / dx[i]
    a = np.zeros(n)
    b = np.empty(n)
    c = np.zeros(n)
    d = np.empty(n)
    for i in range(n):
        b[i] = eps[i] * dx[i] / dt
        d[i] = b[i] * ce[i]
        if starved[i] and source[i] < 0.0:
            b[i] -= source[i] / max(ce[i], 1e-12)
        else:
            d[i] += source[i]
    for i in range(n - 1):
        gf = 1.0 / (0.5 / g[i] + 0.5 / g[i + 1])
        b[i] += gf
        b[i + 1] += gf
        a[i + 1] = -gf
        c[i] = -gf
    _tridiagonal(a, b, c, d, out)
    factor = np.ones(n)
    for i in range(n):
        if starved[i] and source[i] < 0.0:
            factor[i] = out[i] / max(ce[i], 1e-12)
    return factor


@njit(cache=True)
def _advance(p, diff_tab, ce, cs, zone_i, dt):
    """Move the salt and the particles on by ``dt`` under the zone currents ``zone_i``."""
    nz = N_ZONES
    n = 2 * nz + N_SEPARATOR
    src = np.zeros(n)
    f = (1.0 - p[TPLUS]) / (FARADAY_C_PER_MOL * p[AREA])
    for k in range(nz):
        src[N_ZONES - 1 - k] = zone_i[k] * f
        src[N_ZONES + N_SEPARATOR + k] = zone_i[nz + k] * f
    new = np.empty(n)
    starved = np.zeros(n, dtype=np.bool_)
    _electrolyte(p, diff_tab, ce, src, starved, dt, new)
    if new.min() < 0.0:
        for i in range(n):
            starved[i] = new[i] < 0.0
        factor = _electrolyte(p, diff_tab, ce, src, starved, dt, new)
        for pos in range(2):  # what starved zones could not carry goes to the others
            short = 0.0
            free = 0.0
            for k in range(nz):
                i = N_ZONES + N_SEPARATOR + k if pos else N_ZONES - 1 - k
                short += zone_i[pos * nz + k] * (1.0 - factor[i])
                zone_i[pos * nz + k] *= factor[i]
                if not starved[i]:
                    free += abs(zone_i[pos * nz + k])
            if free > 0.0:
                for k in range(nz):
                    i = N_ZONES + N_SEPARATOR + k if pos else N_ZONES - 1 - k
                    if not starved[i]:
                        zone_i[pos * nz + k] += short * abs(zone_i[pos * nz + k]) / free
        for k in range(nz):
            src[N_ZONES - 1 - k] = zone_i[k] * f
            src[N_ZONES + N_SEPARATOR + k] = zone_i[nz + k] * f
        starved[:] = False
        _electrolyte(p, diff_tab, ce, src, starved, dt, new)
    for i in range(n):
        ce[i] = max(new[i], 0.0)
    ns = N_SHELLS
    a = np.zeros(ns)
    b = np.empty(ns)
    c = np.zeros(ns)
    d = np.empty(ns)
    vol = np.empty(ns)
    out = np.empty(ns)
    for pos in range(2):
        radius, diff = (p[RP], p[DP]) if pos else (p[RN], p[DN])
        dr = radius / ns
        area = _zone_area(p, pos)
        for i in range(ns):
            vol[i] = ((dr * (i + 1)) ** 3 - (dr * i) ** 3) / 3.0
        for k in range(nz):
            z = pos * nz + k
            for i in range(ns):
                b[i] = vol[i] / dt
                d[i] = b[i] * cs[z, i]
                a[i] = 0.0
                c[i] = 0.0
            for i in range(ns - 1):
                g = diff * (dr * (i + 1)) ** 2 / dr
                b[i] += g
                b[i + 1] += g
                a[i + 1] = -g
                c[i] = -g
            d[ns - 1] -= zone_i[z] / (area * FARADAY_C_PER_MOL) * radius * radius
            _tridiagonal(a, b, c, d, out)
            cs[z, :] = out


def initial_state(par: np.ndarray, soc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Electrolyte (n, volumes) at rest and particles (n, 2 N_ZONES, N_SHELLS) at ``soc``."""
    n = par.shape[0]
    ce = np.repeat(par[:, C0:C0 + 1], 2 * N_ZONES + N_SEPARATOR, axis=1)
    x = par[:, XN0] + soc * (par[:, XN1] - par[:, XN0])
    y = par[:, YP0] + soc * (par[:, YP1] - par[:, YP0])
    cs = np.empty((n, 2 * N_ZONES, N_SHELLS))
    cs[:, :N_ZONES] = (x * par[:, CMN])[:, None, None]
    cs[:, N_ZONES:] = (y * par[:, CMP])[:, None, None]
    return ce, cs


@njit(cache=True)
def run(t, profile, scale, soc0, temp0, coolant, ha, cap, vmin, vmax, ipk_d, ipk_c, heat_cap,
        ocv, docv, soc_grid, par, ocp_n, ocp_p, diff_tab, kappa_tab, ce, cs, limits,
        isothermal, state, traces):
    """The time loop of ``cellsim.simulate`` for the electrochemical model (same ``state``
    columns and traces; ``ohmic_loss_J`` holds every irreversible loss, ``rc_loss_J`` 0)."""
    n = cap.shape[0]
    keep = traces.shape[2] > 1
    zone_i = np.zeros(2 * N_ZONES)
    theta = np.zeros(2)
    for v in range(n):
        theta[0] = ecm.curve_at(np.linspace(0.0, 1.0, ocp_n.shape[1]), ocp_n[v],
                                par[v, XN0] + soc0[v] * (par[v, XN1] - par[v, XN0]))
        theta[1] = ecm.curve_at(np.linspace(0.0, 1.0, ocp_p.shape[1]), ocp_p[v],
                                par[v, YP0] + soc0[v] * (par[v, YP1] - par[v, YP0]))
        zone_i[:] = 0.0
        state[v, 0] = t[t.shape[0] - 1]
        soc = soc0[v]
        temp = temp0[v]
        cur = 0.0
        last = t.shape[0] - 1
        for k in range(t.shape[0] - 1):
            dt_full = t[k + 1] - t[k]
            cur = scale[v] * profile[k]
            if limits and (cur > ipk_d[v] or cur < -ipk_c[v]):
                cur = min(max(cur, -ipk_c[v]), ipk_d[v])
                state[v, 2] = 1.0
            volt = _voltage(cur, temp + ZERO_C_K, par[v], ocp_n[v], ocp_p[v], kappa_tab[v],
                            ce[v], cs[v], zone_i, theta)
            if keep:
                traces[0, v, k] = volt
                traces[1, v, k] = cur
                traces[2, v, k] = soc
                traces[3, v, k] = temp
                traces[4, v, k] = state[v, 5]
            if limits and (volt < vmin[v] or volt > vmax[v]):
                state[v, 0] = t[k]
                state[v, 1] = 1.0 if volt < vmin[v] else 2.0
                last = -1
                break
            subs = max(1, int(math.ceil(dt_full * abs(cur) / cap[v] / SUBSTEP_C_RATE_S)))
            dt = dt_full / subs
            for j in range(subs):
                if j > 0:
                    volt = _voltage(cur, temp + ZERO_C_K, par[v], ocp_n[v], ocp_p[v],
                                    kappa_tab[v], ce[v], cs[v], zone_i, theta)
                _advance(par[v], diff_tab[v], ce[v], cs[v], zone_i, dt)
                soc_end = soc - cur * dt / (3600.0 * cap[v])
                soc_mid = 0.5 * (soc + soc_end)
                temp_K = temp + ZERO_C_K
                dudt = ecm.curve_at(soc_grid, docv[v], soc_mid)
                ocv_mid = ecm.curve_at(soc_grid, ocv[v], soc_mid) + dudt * (temp - 25.0)
                loss = cur * (ocv_mid - volt)
                state[v, 5] += cur * dt / 3600.0
                state[v, 6] += cur * ocv_mid * dt
                state[v, 7] += volt * cur * dt
                state[v, 8] += loss * dt
                heat = loss - cur * temp_K * dudt
                if ha[v] > 0.0:
                    t_inf = coolant[v] + heat / ha[v]
                    t_new = t_inf + (temp - t_inf) * math.exp(-ha[v] * dt / heat_cap[v])
                else:
                    t_new = temp + heat * dt / heat_cap[v]
                if isothermal:
                    t_new = temp
                state[v, 10] += heat * dt - heat_cap[v] * (t_new - temp)
                temp = t_new
                soc = soc_end
            if limits and (soc < 0.0 or soc > 1.0):
                state[v, 0] = t[k + 1]
                state[v, 1] = 3.0
                last = k + 1
                break
        if keep and last >= 0:
            traces[0, v, last] = _voltage(cur, temp + ZERO_C_K, par[v], ocp_n[v], ocp_p[v],
                                          kappa_tab[v], ce[v], cs[v], zone_i, theta)
            traces[1, v, last] = cur
            traces[2, v, last] = soc
            traces[3, v, last] = temp
            traces[4, v, last] = state[v, 5]
        state[v, 3] = soc
        state[v, 4] = temp

