"""Cell presets: the TOML format, its validation, and columnar cell arrays on the common grids.

A cell file (``data/cells/NAME.toml``, ``schema_version = 1``) holds one cell: identity
(``chemistry``, ``format``), ratings (capacity, voltages, mass, volume or dimensions, current
limits, specific heat), the OCV curve at 25 degC (optionally dOCV/dT), R0, R1 and tau1 (or C1)
vs SOC (and temperature, or 25 degC tables with an Arrhenius activation energy) and a
charge-rate map (max C-rate vs SOC and temperature), and optionally its own ``[construction]``
(electrode design and housing from a teardown or datasheet, ``chemistry.CONSTRUCTION_KEYS``,
which replace the chemistry's generic values in the bill of materials), and optionally an
``[electrochemical]`` table for ``electrochem`` (electrode design, transport, kinetics, electrode
OCPs; ``electrochem.parse_table``). Every number is sourced in ``[sources]``;
a scalar may be written ``{ value = ..., low = ..., high = ... }`` for projections.
Conventions: current positive when discharging, SOC 0..1, temperatures in degC.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from . import catalog, electrochem
from .chemistry import CONSTRUCTION_KEYS
from .ecm import SOC_GRID, TEMP_GRID_C
from .lookup import unknown
from .units import ZERO_CELSIUS_K as ZERO_C_K

SCHEMA_VERSION = 1
GAS_CONSTANT_J_PER_MOLK = 8.314462618  # CODATA 2018 (exact since the 2019 SI)

CHEMISTRIES = (
    "nmc811-graphite",
    "nmc9-graphite-si",
    "nmc622-graphite",
    "nca-graphite-si",
    "lfp-graphite",
    "lmfp-graphite",
    "nfpp-hard-carbon",
    "nmc811-lithium-metal",
)
FORMATS = ("pouch", "prismatic", "cylindrical")
SCALARS = (
    "capacity_Ah",
    "nominal_voltage_V",
    "v_min_V",
    "v_max_V",
    "mass_kg",
    "i_max_discharge_A",
    "i_max_charge_A",
    "i_peak_discharge_A",
    "i_peak_charge_A",
    "specific_heat_J_per_kgK",
)
TOP_KEYS = {
    "schema_version", "name", "description", "chemistry", "format", "volume_L",
    "dimensions_mm", "ocv", "resistance", "charge_map", "sources", "assumptions", "fit",
    "bpx", "construction", "electrochemical", *SCALARS,
}
DIMENSIONS = {"cylindrical": ("diameter", "height"), "pouch": ("length", "width", "thickness"),
              "prismatic": ("length", "width", "thickness")}


class CellError(ValueError):
    """An invalid cell definition; the message names the file and every bad field, ``problems``
    lists them (``"capacity_Ah: must be a positive number; got -3"``)."""

    def __init__(self, message: str, problems: Sequence[str] = ()):
        super().__init__(message)
        self.problems = list(problems)


@dataclass(frozen=True, eq=False)
class Cell:
    """One cell: ratings, its raw tables (as written in the file), sources and assumptions."""

    name: str
    chemistry: str
    format: str
    capacity_Ah: float
    nominal_voltage_V: float
    v_min_V: float
    v_max_V: float
    mass_kg: float
    volume_L: float
    surface_area_m2: float
    i_max_discharge_A: float
    i_max_charge_A: float
    i_peak_discharge_A: float
    i_peak_charge_A: float
    specific_heat_J_per_kgK: float
    ocv_soc: np.ndarray
    ocv_V: np.ndarray
    docv_dT_V_per_K: np.ndarray
    res_soc: np.ndarray
    res_temperature_C: np.ndarray  # shape (1,) with an Arrhenius law, else the table's columns
    r0_ohm: np.ndarray  # (len(res_soc), len(res_temperature_C))
    r1_ohm: np.ndarray
    tau1_s: np.ndarray
    activation_energy_J_per_mol: float  # 0 when the tables carry temperature columns
    charge_soc: np.ndarray
    charge_temperature_C: np.ndarray
    charge_c_rate_max: np.ndarray
    sources: dict = field(default_factory=dict)
    ranges: dict = field(default_factory=dict)  # field -> (low, high) for projections
    construction: dict = field(default_factory=dict)  # CONSTRUCTION_KEYS given by the file
    electrochemical: dict | None = None  # parsed [electrochemical] table (electrochem.py)
    assumptions: tuple = ()
    description: str = ""
    path: str = ""

    @property
    def energy_Wh(self) -> float:
        """Nominal energy: capacity x nominal voltage, Wh."""
        return self.capacity_Ah * self.nominal_voltage_V


@dataclass(frozen=True)
class CellArrays:
    """Cells as columns, one row per variant, tables on ``SOC_GRID`` x ``TEMP_GRID_C``."""

    capacity_Ah: np.ndarray
    nominal_voltage_V: np.ndarray
    energy_Wh: np.ndarray
    mass_kg: np.ndarray
    volume_L: np.ndarray
    surface_area_m2: np.ndarray
    v_min_V: np.ndarray
    v_max_V: np.ndarray
    i_max_discharge_A: np.ndarray
    i_max_charge_A: np.ndarray
    i_peak_discharge_A: np.ndarray
    i_peak_charge_A: np.ndarray
    specific_heat_J_per_kgK: np.ndarray
    ocv_V: np.ndarray  # (n, len(SOC_GRID))
    docv_dT_V_per_K: np.ndarray  # (n, len(SOC_GRID))
    r0_ohm: np.ndarray  # (n, len(SOC_GRID), len(TEMP_GRID_C))
    r1_ohm: np.ndarray
    tau1_s: np.ndarray
    charge_c_rate_max: np.ndarray
    chemistry: np.ndarray  # (n,) str
    format: np.ndarray
    name: np.ndarray
    construction: dict = field(default_factory=dict)  # CONSTRUCTION_KEYS -> (n,), NaN: none
    electrochemical: np.ndarray | None = None  # (n,) object: [electrochemical] tables or None


# ---------------------------------------------------------------------------------------------
# loading


def load_cell(spec: str | dict | os.PathLike, base_dir: Path | None = None) -> Cell:
    """A validated cell from a preset name, a TOML path, an inline table or ``{"bpx": file}``.

    Relative paths resolve against ``base_dir`` (default: the working directory). Raises
    CellError naming the file and all bad fields.
    """
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    if isinstance(spec, dict):
        if set(spec) == {"bpx"}:
            from .bpx_import import BPXError, cell_table_from_bpx

            if not isinstance(spec["bpx"], str):
                raise CellError(f"bpx: the path of a BPX JSON file; got {spec['bpx']!r}")
            path = Path(spec["bpx"])
            path = path if path.is_absolute() else base / path
            try:
                table = cell_table_from_bpx(path)
            except BPXError as exc:
                raise CellError(str(exc)) from None
            return cell_from_dict(table, where=str(path))
        return cell_from_dict(spec, where="inline cell table")
    path = cell_file(spec, base)
    if path is not None:
        return _load_file(path, require_sources=False)
    try:
        path = catalog.preset_path("cells", str(spec))
    except catalog.UnknownPresetError as exc:
        raise CellError(str(exc)) from None
    return _load_file(path, require_sources=True)


def cell_file(spec, base_dir: Path | None = None) -> Path | None:
    """The cell TOML file a cell spec names (a path, or a string ending in ``.toml``), relative
    paths resolved against ``base_dir`` (default: the working directory); None for a preset
    name or a table."""
    if not (isinstance(spec, os.PathLike) or (isinstance(spec, str) and spec.endswith(".toml"))):
        return None
    path = Path(spec)
    return path if path.is_absolute() else Path(base_dir if base_dir is not None else Path.cwd()) / path


def _load_file(path: Path, require_sources: bool) -> Cell:
    try:
        with open(path, "rb") as f:
            data = _parsed_toml(f.read())
    except FileNotFoundError:
        raise CellError(f"{path}: cell file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise CellError(f"{path}: not valid TOML ({exc})") from None
    except UnicodeDecodeError as exc:
        raise CellError(f"{path}: not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset "
                        f"{exc.start}); a cell file is TOML saved as UTF-8") from None
    return cell_from_dict(data, where=str(path), require_sources=require_sources)


@lru_cache(maxsize=64)
def _parsed_toml(content: bytes) -> dict:
    """A cell file's text parsed once per process (keyed by the text, so an edited file is parsed
    again); shared, so only read: ``cell_from_dict`` builds new arrays and containers from it."""
    return tomllib.loads(content.decode())


def cell_from_dict(data: dict, where: str = "cell", require_sources: bool = False) -> Cell:
    """Validate a parsed cell table (the TOML layout) and build a Cell; all errors at once."""
    errors: list[str] = []
    errors += [f"{key}: {unknown('key', key, sorted(TOP_KEYS), 'allowed')}"
               for key in sorted(set(data) - TOP_KEYS)]
    version = data.get("schema_version", SCHEMA_VERSION)
    if version != SCHEMA_VERSION:
        errors.append(f"schema_version: must be {SCHEMA_VERSION}; got {version!r}")
    chemistry, fmt = data.get("chemistry"), data.get("format")
    for key, value, allowed in (("chemistry", chemistry, CHEMISTRIES), ("format", fmt, FORMATS)):
        if value not in allowed:
            errors.append(f"{key}: " + (unknown(key, value, allowed) if isinstance(value, str) else
                                        f"must be one of {', '.join(allowed)}; got {value!r}"))

    values: dict[str, float] = {}
    ranges: dict[str, tuple[float, float]] = {}
    for key in SCALARS:
        values[key] = _scalar(data, key, errors, ranges)
    _check_ratings(values, errors)
    volume_L, area_m2 = _volume_and_area(data, fmt, errors, ranges)

    ocv = _section(data, "ocv", errors)
    ocv_soc = _vector(ocv, "ocv.soc", "soc", errors)
    ocv_V = _vector(ocv, "ocv.ocv_V", "ocv_V", errors)
    docv = _vector(ocv, "ocv.docv_dT_V_per_K", "docv_dT_V_per_K", errors, required=False)
    _check_soc_axis(ocv_soc, "ocv.soc", errors)
    _check_same_length(ocv_soc, ocv_V, "ocv.ocv_V", errors)
    if docv is None:
        docv = np.zeros_like(ocv_soc)
    else:
        _check_same_length(ocv_soc, docv, "ocv.docv_dT_V_per_K", errors)
    if ocv_V.size > 1 and np.any(np.diff(ocv_V) <= 0.0):
        k = int(np.argmax(np.diff(ocv_V) <= 0.0))
        errors.append(f"ocv.ocv_V: must increase strictly with SOC; it does not between "
                      f"SOC {ocv_soc[k]:g} and {ocv_soc[k + 1]:g} "
                      f"({ocv_V[k]:g} V -> {ocv_V[k + 1]:g} V)")
    vmin, vmax = values["v_min_V"], values["v_max_V"]
    if ocv_V.size and not np.isnan(vmin + vmax):
        if ocv_V.min() < vmin - 0.05 or ocv_V.max() > vmax + 0.05:
            errors.append(f"ocv.ocv_V: must lie within v_min_V..v_max_V ({vmin:g}..{vmax:g} V) "
                          f"to 50 mV; spans {ocv_V.min():g}..{ocv_V.max():g} V")

    res = _resistance(_section(data, "resistance", errors), errors)
    cmap = _section(data, "charge_map", errors)
    c_soc = _vector(cmap, "charge_map.soc", "soc", errors)
    c_temp = _vector(cmap, "charge_map.temperature_C", "temperature_C", errors)
    _check_soc_axis(c_soc, "charge_map.soc", errors)
    _check_increasing(c_temp, "charge_map.temperature_C", errors)
    c_rate = _matrix(cmap, "charge_map.c_rate_max", "c_rate_max", (c_soc.size, c_temp.size),
                     errors, allow_zero=True)

    sources = data.get("sources", {})
    if not isinstance(sources, dict):
        errors.append("sources: must be a table of field = \"source\"")
        sources = {}
    construction = _construction(data, errors, values["mass_kg"])
    echem = (electrochem.parse_table(data["electrochemical"], errors)
             if "electrochemical" in data else None)
    if construction and not errors:
        errors += _construction_weight(chemistry, fmt, values, construction)
    needed = [*SCALARS, "volume_L" if "volume_L" in data else "dimensions_mm",
              "ocv", "resistance", "charge_map", *(f"construction.{k}" for k in construction),
              *(["electrochemical"] if "electrochemical" in data else [])]
    missing = [k for k in needed if not str(sources.get(k, "")).strip()]
    assumptions = data.get("assumptions", [])
    if not isinstance(assumptions, list):
        errors.append(f"assumptions: must be a list of sentences; got {assumptions!r}")
        assumptions = []
    assumptions = [str(a) for a in assumptions]
    if missing and require_sources:
        errors.append(f"sources: every number needs a source; missing for {', '.join(missing)}")
    elif missing:
        assumptions.append(f"no source given for: {', '.join(missing)}")

    if errors:
        raise CellError(f"{where}: invalid cell definition:\n  - " + "\n  - ".join(errors), errors)
    return Cell(
        name=str(data.get("name", Path(where).stem)), chemistry=chemistry, format=fmt,
        **values, volume_L=volume_L, surface_area_m2=area_m2,
        ocv_soc=ocv_soc, ocv_V=ocv_V, docv_dT_V_per_K=docv, **res,
        charge_soc=c_soc, charge_temperature_C=c_temp, charge_c_rate_max=c_rate,
        sources=dict(sources), ranges=ranges, assumptions=tuple(assumptions),
        construction=construction, electrochemical=echem,
        description=str(data.get("description", "")), path=where,
    )


def _construction(data: dict, errors: list, mass_kg: float) -> dict[str, float]:
    """The optional ``[construction]`` table: known keys, positive numbers, a housing lighter
    than the cell (``mass_kg``)."""
    table = data.get("construction", {})
    if not isinstance(table, dict):
        errors.append(f"construction: must be a table of {', '.join(CONSTRUCTION_KEYS)}")
        return {}
    out = {}
    for key, value in table.items():
        if key not in CONSTRUCTION_KEYS:
            errors.append(f"construction.{key}: {unknown('key', key, CONSTRUCTION_KEYS, 'allowed')}")
        elif not _is_number(value) or not value > 0.0:
            errors.append(f"construction.{key}: must be a positive number; got {value!r}")
        else:
            out[key] = float(value)
    if out.get("container_kg", 0.0) >= mass_kg:
        errors.append(f"construction.container_kg: the housing must weigh less than the cell's "
                      f"mass_kg ({mass_kg:g} kg); got {out['container_kg']:g} kg")
    return out


def _construction_weight(chemistry: str, fmt: str, values: dict, construction: dict) -> list[str]:
    """A construction whose stack, terminals and housing weigh more than the cell: a value in
    the wrong unit (a 650 um anode for 65 um, a housing in grams) would otherwise be priced
    and counted silently."""
    from .chemistry import cell_composition, load_tables

    energy_Wh = values["capacity_Ah"] * values["nominal_voltage_V"]
    comp = cell_composition([chemistry], [energy_Wh], [values["mass_kg"]], [fmt], load_tables(),
                            {k: np.array([v]) for k, v in construction.items()})
    excess_kg = float(comp["mass_deficit_kg"][0])
    if excess_kg <= 0.0:
        return []
    return [f"construction: its electrodes, foils, separator, electrolyte, terminals and housing "
            f"weigh {values['mass_kg'] + excess_kg:.3g} kg, more than the cell's mass_kg "
            f"({values['mass_kg']:g} kg); check its values and their units "
            f"({', '.join(sorted(construction))})"]


def _scalar(data: dict, key: str, errors: list, ranges: dict, required: bool = True) -> float:
    raw = data.get(key)
    if raw is None:
        if required:
            errors.append(f"{key}: required (a positive number)")
        return math.nan
    if isinstance(raw, dict):
        if "value" not in raw:
            errors.append(f"{key}: a table needs value (and low/high); got {sorted(raw)}")
            return math.nan
        lo, hi = raw.get("low", raw["value"]), raw.get("high", raw["value"])
        if not all(_is_number(x) for x in (raw["value"], lo, hi)) or not lo <= raw["value"] <= hi:
            errors.append(f"{key}: needs low <= value <= high; got {raw}")
            return math.nan
        ranges[key] = (float(lo), float(hi))
        raw = raw["value"]
    if not _is_number(raw) or not raw > 0.0:
        errors.append(f"{key}: must be a positive number; got {raw!r}")
        return math.nan
    return float(raw)


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def _check_ratings(v: dict, errors: list) -> None:
    if v["v_min_V"] >= v["v_max_V"]:
        errors.append(f"v_min_V: must be below v_max_V; got {v['v_min_V']:g} >= {v['v_max_V']:g}")
    if not v["v_min_V"] < v["nominal_voltage_V"] < v["v_max_V"]:
        if not math.isnan(v["nominal_voltage_V"] + v["v_min_V"] + v["v_max_V"]):
            errors.append("nominal_voltage_V: must lie between v_min_V and v_max_V")
    for kind in ("discharge", "charge"):
        if v[f"i_peak_{kind}_A"] < v[f"i_max_{kind}_A"]:
            errors.append(f"i_peak_{kind}_A: must be >= i_max_{kind}_A (the 10 s peak limit "
                          "is at least the continuous one)")


def _volume_and_area(data: dict, fmt: str, errors: list, ranges: dict) -> tuple[float, float]:
    """Volume (L) and outer surface (m2) from dimensions_mm, or from volume_L (cube surface)."""
    if "dimensions_mm" in data:
        dims = data["dimensions_mm"]
        names = DIMENSIONS.get(fmt, ())
        if not isinstance(dims, dict) or sorted(dims) != sorted(names):
            errors.append(f"dimensions_mm: a {fmt} cell needs {{{', '.join(names)}}} in mm; "
                          f"got {dims!r}")
            return math.nan, math.nan
        if not all(_is_number(x) and x > 0 for x in dims.values()):
            errors.append(f"dimensions_mm: must be positive numbers; got {dims!r}")
            return math.nan, math.nan
        m = {k: float(x) / 1e3 for k, x in dims.items()}
        if fmt == "cylindrical":
            d, h = m["diameter"], m["height"]
            return math.pi / 4 * d * d * h * 1e3, math.pi * d * h + math.pi / 2 * d * d
        a, b, c = m["length"], m["width"], m["thickness"]
        return a * b * c * 1e3, 2.0 * (a * b + a * c + b * c)
    if "volume_L" in data:
        vol = _scalar(data, "volume_L", errors, ranges)
        return vol, 6.0 * (vol / 1e3) ** (2.0 / 3.0)
    errors.append("volume_L or dimensions_mm: one is required")
    return math.nan, math.nan


def _section(data: dict, name: str, errors: list) -> dict:
    sec = data.get(name)
    if not isinstance(sec, dict):
        errors.append(f"{name}: required table")
        return {}
    return sec


def _vector(sec: dict, label: str, key: str, errors: list, required: bool = True):
    raw = sec.get(key)
    if raw is None:
        if required:
            errors.append(f"{label}: required list of numbers")
            return np.zeros(0)
        return None
    arr = np.asarray(raw, dtype=object)
    if arr.ndim != 1 or arr.size < 2 or not all(_is_number(x) for x in arr):
        errors.append(f"{label}: must be a list of at least 2 numbers; got {raw!r}"[:200])
        return np.zeros(0)
    return arr.astype(np.float64)


def _matrix(sec: dict, label: str, key: str, shape: tuple, errors: list,
            allow_zero: bool = False, one_d_ok: bool = False) -> np.ndarray:
    raw = sec.get(key)
    try:
        arr = np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError):
        arr = None
    if arr is None or raw is None or not np.all(np.isfinite(arr)):
        errors.append(f"{label}: required numeric table of shape {shape}")
        return np.zeros(shape)
    if one_d_ok and arr.ndim == 1:
        arr = arr[:, None]
    if arr.shape != shape:
        errors.append(f"{label}: shape must be {shape} (soc rows x temperature columns); "
                      f"got {arr.shape}")
        return np.zeros(shape)
    if np.any(arr < 0.0) or (not allow_zero and np.any(arr <= 0.0)):
        errors.append(f"{label}: values must be {'>= 0' if allow_zero else 'positive'}")
    return arr


def _check_soc_axis(soc: np.ndarray, label: str, errors: list) -> None:
    if soc.size and (soc[0] < 0.0 or soc[-1] > 1.0):
        errors.append(f"{label}: SOC values must lie in 0..1")
    _check_increasing(soc, label, errors)


def _check_increasing(x: np.ndarray, label: str, errors: list) -> None:
    if x.size > 1 and np.any(np.diff(x) <= 0.0):
        errors.append(f"{label}: must increase strictly")


def _check_same_length(a: np.ndarray, b: np.ndarray, label: str, errors: list) -> None:
    if a.size and b.size and a.size != b.size:
        errors.append(f"{label}: needs one value per soc point ({a.size}); got {b.size}")


def _resistance(sec: dict, errors: list) -> dict:
    """R0, R1, tau1 tables; 1-D (25 degC) tables need an Arrhenius activation energy."""
    soc = _vector(sec, "resistance.soc", "soc", errors)
    _check_soc_axis(soc, "resistance.soc", errors)
    temp = _vector(sec, "resistance.temperature_C", "temperature_C", errors, required=False)
    ea = sec.get("activation_energy_J_per_mol", 0.0)
    if temp is None:
        t_ref = sec.get("reference_temperature_C", 25.0)
        if not _is_number(ea) or ea <= 0.0:
            errors.append("resistance.activation_energy_J_per_mol: required (> 0) when the "
                          "tables have no temperature_C columns")
            ea = 0.0
        temp = np.array([float(t_ref)]) if _is_number(t_ref) else np.array([25.0])
    else:
        _check_increasing(temp, "resistance.temperature_C", errors)
        ea = 0.0
    shape = (soc.size, temp.size)
    r0 = _matrix(sec, "resistance.r0_ohm", "r0_ohm", shape, errors, one_d_ok=True)
    r1 = _matrix(sec, "resistance.r1_ohm", "r1_ohm", shape, errors, one_d_ok=True)
    if ("tau1_s" in sec) == ("c1_F" in sec):
        errors.append("resistance: give exactly one of tau1_s and c1_F")
        tau = np.ones(shape)
    elif "tau1_s" in sec:
        tau = _matrix(sec, "resistance.tau1_s", "tau1_s", shape, errors, one_d_ok=True)
    else:
        tau = r1 * _matrix(sec, "resistance.c1_F", "c1_F", shape, errors, one_d_ok=True)
    return dict(res_soc=soc, res_temperature_C=temp, r0_ohm=r0, r1_ohm=r1, tau1_s=tau,
                activation_energy_J_per_mol=float(ea))


# ---------------------------------------------------------------------------------------------
# columnar arrays on the common grids


def arrhenius_factor(activation_energy_J_per_mol, temperature_C, reference_C=25.0):
    """exp(Ea/R (1/T - 1/T_ref)): the resistance multiplier at ``temperature_C``."""
    t = np.asarray(temperature_C, dtype=np.float64) + ZERO_C_K
    t_ref = reference_C + ZERO_C_K
    return np.exp(activation_energy_J_per_mol / GAS_CONSTANT_J_PER_MOLK * (1.0 / t - 1.0 / t_ref))


def _grid_table(soc: np.ndarray, temp: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Bilinear resampling of a (soc x temperature) table onto the grids, clamped at edges."""
    by_soc = np.stack([np.interp(SOC_GRID, soc, table[:, j]) for j in range(temp.size)], axis=1)
    if temp.size == 1:
        return np.repeat(by_soc, TEMP_GRID_C.size, axis=1)
    return np.stack([np.interp(TEMP_GRID_C, temp, row) for row in by_soc], axis=0)


def _resampled(cell: Cell) -> dict[str, np.ndarray]:
    ocv = np.interp(SOC_GRID, cell.ocv_soc, cell.ocv_V)
    docv = np.interp(SOC_GRID, cell.ocv_soc, cell.docv_dT_V_per_K)
    tables = {}
    for key in ("r0_ohm", "r1_ohm", "tau1_s"):
        tables[key] = _grid_table(cell.res_soc, cell.res_temperature_C, getattr(cell, key))
    if cell.activation_energy_J_per_mol > 0.0:
        # C1 is taken as temperature-independent, so tau1 = R1*C1 scales like R1
        f = arrhenius_factor(cell.activation_energy_J_per_mol, TEMP_GRID_C,
                             float(cell.res_temperature_C[0]))
        for key in tables:
            tables[key] = tables[key] * f[None, :]
    charge = _grid_table(cell.charge_soc, cell.charge_temperature_C, cell.charge_c_rate_max)
    return {"ocv_V": ocv, "docv_dT_V_per_K": docv, "charge_c_rate_max": charge, **tables}


def cell_arrays(cells: Sequence[Cell], index: np.ndarray | None = None) -> CellArrays:
    """Columnar arrays for ``cells[index]`` (default: each cell once), on the common grids.

    Each distinct cell is resampled once; rows are then gathered by ``index``.
    """
    if not cells:
        raise ValueError("cell_arrays: needs at least one cell")
    idx = np.arange(len(cells)) if index is None else np.asarray(index, dtype=np.intp)
    per_cell = [_resampled(c) for c in cells]
    cols: dict[str, np.ndarray] = {}
    for key in per_cell[0]:
        cols[key] = np.ascontiguousarray(np.stack([p[key] for p in per_cell])[idx])
    for key in (*SCALARS, "volume_L", "surface_area_m2", "energy_Wh"):
        cols[key] = np.array([getattr(c, key) for c in cells], dtype=np.float64)[idx]
    for key in ("chemistry", "format", "name"):
        cols[key] = np.array([getattr(c, key) for c in cells], dtype=str)[idx]
    cols["construction"] = {k: np.array([c.construction.get(k, np.nan) for c in cells])[idx]
                            for k in CONSTRUCTION_KEYS if any(k in c.construction for c in cells)}
    tables = np.empty(len(cells), dtype=object)
    tables[:] = [c.electrochemical for c in cells]
    cols["electrochemical"] = tables[idx]
    return CellArrays(**cols)
