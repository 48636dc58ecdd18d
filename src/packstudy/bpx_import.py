"""Cells from Battery Parameter eXchange (BPX) files, via the optional ``bpx`` package.

Taken from the file: capacity, voltage window, OCV(SOC) = U_p(y) - U_n(x) over the
stoichiometry window (x, y linear in SOC), dOCV/dT from the entropic coefficients, mass
(density x volume), volume, specific heat. The equivalent circuit is derived with these
documented approximations (listed in ``Cell.assumptions``), for the electrode-pair area
A = electrode area x number of pairs, at the initial electrolyte concentration c_e0:

- R0 = electrolyte ohmic resistance, L_s/(kappa tau_s) + (L_n/tau_n + L_p/tau_p)/(3 kappa),
  plus the linearised Butler-Volmer charge-transfer resistance of each electrode,
  R T / (F i0 a L), with i0 = F k sqrt(theta (1 - theta)) (BPX's normalised rate constant);
  all over A.
- R1 = solid-diffusion resistance of each electrode, |dU/dtheta| R_p / (5 F D c_max a L A)
  (surface-to-mean concentration difference of a sphere under constant flux);
  tau1 = R_p^2 / (15 D), the R1-weighted mean of the two electrodes.
- Temperature: Arrhenius with the BPX reaction-rate activation energies (mean of the two
  electrodes), else the packstudy default.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from . import catalog

FARADAY_C_PER_MOL = 96485.33212  # CODATA 2018 (exact)
GAS_J_PER_MOLK = 8.314462618
SOC = np.linspace(0.0, 1.0, 21)


class BPXError(ValueError):
    """A BPX file that cannot be read as a cell (the message names the file)."""


def _bpx():
    try:
        import bpx  # noqa: PLC0415
    except ImportError:
        raise BPXError("reading BPX files needs the optional 'bpx' package: "
                        "pip install 'packstudy[bpx]' (or pip install bpx)") from None
    return bpx


def _function(value, where: str):
    """A callable of x from a BPX float, expression or table."""
    if value is None:
        return None
    if isinstance(value, int | float):
        return lambda x: np.full_like(np.asarray(x, dtype=float), float(value))
    if hasattr(value, "x") and hasattr(value, "y"):
        xs, ys = np.asarray(value.x, float), np.asarray(value.y, float)
        return lambda x: np.interp(x, xs, ys)
    expr = str(value)  # validated by bpx: numbers, + - * / **, exp, tanh, cosh and x only
    names = {"exp": np.exp, "tanh": np.tanh, "cosh": np.cosh, "__builtins__": {}}
    code = compile(expr, where, "eval")
    return lambda x: eval(code, names, {"x": np.asarray(x, dtype=float)})  # noqa: S307


def _short(exc: Exception) -> str:
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    lines = [ln for ln in lines if not ln.startswith("For further information")]
    text = "; ".join(lines[:6])
    return text if len(text) < 600 else text[:600] + " ..."


def cell_table_from_bpx(path: Path) -> dict:
    """A cell table (as a cell TOML holds it, for ``cell.cell_from_dict``) from a BPX file;
    BPXError with the path and bpx's (shortened) message."""
    bpx = _bpx()
    path = Path(path)
    if not path.is_file():
        raise BPXError(f"{path}: BPX file not found")
    try:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = bpx.parse_bpx_file(path)
    except Exception as exc:  # pydantic ValidationError, JSON errors, bpx's ValueErrors
        raise BPXError(f"{path}: not a valid BPX file: {_short(exc)}") from None
    p = model.parameterisation
    neg, pos, cell = p.negative_electrode, p.positive_electrode, p.cell
    if hasattr(neg, "particle") or hasattr(pos, "particle"):
        raise BPXError(f"{path}: Parameterisation: blended electrodes are not supported")
    if not hasattr(p, "electrolyte"):
        raise BPXError(f"{path}: Header.Model: needs a DFN/SPMe parameter set (with "
                        "Electrolyte and Separator) to derive the ohmic resistance")
    assumptions = [__doc__.split("\n\n")[1].replace("\n", " ")]
    missing = [k for k, v in (("Cell.Volume [m3]", cell.volume),
                              ("Cell.Density [kg.m-3]", cell.density)) if v is None]
    if missing:
        raise BPXError(f"{path}: {', '.join(missing)}: required to give the cell's mass "
                        "and volume")

    x = neg.minimum_stoichiometry + SOC * (neg.maximum_stoichiometry - neg.minimum_stoichiometry)
    y = pos.maximum_stoichiometry - SOC * (pos.maximum_stoichiometry - pos.minimum_stoichiometry)
    un, up = _function(neg.ocp, f"{path}:Negative OCP"), _function(pos.ocp, f"{path}:Positive OCP")
    ocv = up(y) - un(x)
    dn, dp = _function(neg.dudt, "dUn/dT"), _function(pos.dudt, "dUp/dT")
    docv = (dp(y) if dp else 0.0 * y) - (dn(x) if dn else 0.0 * x)
    if not (dn and dp):
        assumptions.append("entropic coefficient missing for an electrode: taken as 0")

    area = cell.electrode_area * cell.number_of_electrodes
    temp_K = cell.reference_temperature or 298.15
    ic = model.state.initial_conditions if model.state else None
    c_e0 = (ic.initial_electrolyte_concentration if ic else None) or 1000.0
    kappa = float(_function(p.electrolyte.conductivity, "conductivity")(c_e0))
    sep = p.separator
    r_ohm = (sep.thickness / sep.transport_efficiency
             + (neg.thickness / neg.transport_efficiency
                + pos.thickness / pos.transport_efficiency) / 3.0) / (kappa * area)
    r0 = np.full(SOC.size, r_ohm)
    r1 = np.zeros(SOC.size)
    tau_w = np.zeros(SOC.size)
    for el, theta, u in ((neg, x, un), (pos, y, up)):
        a, length = el.surface_area_per_unit_volume, el.thickness
        th = np.clip(theta, 1e-3, 1 - 1e-3)
        i0 = FARADAY_C_PER_MOL * el.reaction_rate_constant * np.sqrt(th * (1 - th))
        r0 = r0 + GAS_J_PER_MOLK * temp_K / (FARADAY_C_PER_MOL * i0 * a * length * area)
        d = float(_function(el.diffusivity, "diffusivity")(th).mean())
        slope = np.abs(np.gradient(u(th), th))
        r_d = slope * el.particle_radius / (5 * FARADAY_C_PER_MOL * d * el.maximum_concentration
                                            * a * length * area)
        r1 = r1 + r_d
        tau_w = tau_w + r_d * el.particle_radius**2 / (15 * d)
    tau1 = tau_w / np.maximum(r1, 1e-12)
    eas = [e.reaction_rate_constant_activation_energy for e in (neg, pos)
           if e.reaction_rate_constant_activation_energy]
    ea = float(np.mean(eas)) if eas else catalog.factor("cell_defaults",
                                                        "resistance_activation_energy_J_per_mol")
    if not eas:
        assumptions.append("no reaction-rate activation energy in the file: packstudy default")
    cp = cell.specific_heat_capacity
    if cp is None:
        cp = catalog.factor("cell_defaults", "specific_heat_J_per_kgK")
        assumptions.append("specific heat missing: packstudy default")
    cap = float(cell.nominal_cell_capacity)
    mean_v = float(np.trapezoid(ocv, SOC))
    limit_note = "current limits: 2C continuous, 4C 10 s peak, 1C charge (assumed; BPX has none)"
    assumptions += [limit_note, "nominal voltage: the mean OCV over the SOC window",
                    "charge map: 1C from 0 to 45 degC, none below 0 degC (assumed)"]
    title = model.header.title or path.stem
    table = {
        "schema_version": 1, "name": path.stem, "description": str(title),
        "chemistry": _guess_chemistry(str(title) + " " + str(model.header.description or "")),
        "format": _guess_format(str(model.header.description or "") + " " + str(title)),
        "capacity_Ah": cap, "nominal_voltage_V": mean_v,
        "v_min_V": float(cell.lower_voltage_cutoff), "v_max_V": float(cell.upper_voltage_cutoff),
        "mass_kg": float(cell.density * cell.volume), "volume_L": float(cell.volume * 1e3),
        "i_max_discharge_A": 2 * cap, "i_peak_discharge_A": 4 * cap,
        "i_max_charge_A": cap, "i_peak_charge_A": cap, "specific_heat_J_per_kgK": float(cp),
        "ocv": {"soc": SOC.tolist(), "ocv_V": ocv.tolist(), "docv_dT_V_per_K": docv.tolist()},
        "resistance": {"soc": SOC.tolist(), "r0_ohm": r0.tolist(), "r1_ohm": r1.tolist(),
                       "tau1_s": tau1.tolist(), "activation_energy_J_per_mol": ea},
        "charge_map": {"soc": [0.0, 1.0], "temperature_C": [-1.0, 0.0, 45.0, 46.0],
                       "c_rate_max": [[0.0, 1.0, 1.0, 0.0]] * 2},
        "assumptions": assumptions,
        "sources": {k: f"BPX file {path.name}" for k in (
            "capacity_Ah", "v_min_V", "v_max_V", "mass_kg", "volume_L", "ocv", "resistance")},
    }
    if not math.isfinite(mean_v) or np.any(np.diff(ocv) <= 0):
        raise BPXError(f"{path}: OCP [V]: the electrode OCPs give an OCV that does not rise "
                        "with SOC over the stoichiometry window")
    return table


def _guess_chemistry(text: str) -> str:
    """The packstudy chemistry id named in the BPX title/description (default NMC811)."""
    t = text.lower()
    for key, chem in (("lmfp", "lmfp-graphite"), ("lfp", "lfp-graphite"),
                      ("nca", "nca-graphite-si"), ("622", "nmc622-graphite"),
                      ("sodium", "nfpp-hard-carbon"), ("na-ion", "nfpp-hard-carbon")):
        if key in t:
            return chem
    return "nmc811-graphite"


def _guess_format(text: str) -> str:
    t = text.lower()
    if "pouch" in t:
        return "pouch"
    if "prismatic" in t:
        return "prismatic"
    return "cylindrical"
