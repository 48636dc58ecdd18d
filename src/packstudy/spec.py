"""The study file: pydantic models, TOML loading, preset resolution and error reports.

Validation happens once, here, at the boundary: every table of the study file, its settings
tables ([cost], [footprint], [uncertainty], [vehicle.calibration], inline cells and chargers)
included, is checked by the models below, and every problem is reported at once with its path
(``candidate[1].pack.series: must be an integer >= 1; got 0``); unknown keys, presets and
names get the close matches (``lookup.unknown``). Physics modules receive validated values.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    ValidationInfo,
    create_model,
    field_validator,
    model_serializer,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from . import as_built, calibration, catalog, charging, cost, footprint, life, motors, track, uncertainty
from . import cell as cellmod
from .cell import cell_file
from .cycles import CycleFileError, load_cycle
from .lookup import shown, unknown

PROCEDURE_NAMES = ("wltp", "epa", "acceleration", "fast_charge", "cold")  # the default

_range = catalog.input_range


PROBLEM_MAX_CHARS = 600  # a problem line echoing a huge value is cut here


class StudyError(ValueError):
    """Invalid study input; ``problems`` lists every problem found, each with its path."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = [p if len(p) <= PROBLEM_MAX_CHARS else p[:PROBLEM_MAX_CHARS] + "..."
                         for p in problems]
        lines = "\n".join(f"  - {p}" for p in self.problems)
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        super().__init__(f"{source}: {count} in the study file:\n{lines}")

    def __reduce__(self):  # so that an error raised in a sweep worker process reaches the CLI
        return (type(self), (self.source, self.problems))


class _Strict(BaseModel):
    # strict: a boolean is never taken as a number (nor a number as a string); no NaN or inf
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


PROBLEM = "study_problem"  # the pydantic error type of a problem found by a check of ours


def _raise_problems(found: list[tuple[tuple, str]], value) -> None:
    """Raise the problems found inside a value (each: its location below the value's own, and
    the message) as one pydantic error each, so that they join the file's other problems at
    their own paths (``candidate[2].cell.capacity_Ah: ...``)."""
    if found:
        raise ValidationError.from_exception_data("study", [
            InitErrorDetails(type=PydanticCustomError(PROBLEM, "{text}", {"text": text}),
                             loc=loc, input=value) for loc, text in found])


def _problem(text: str) -> PydanticCustomError:
    """A field's problem, reported as written (the value is in the text where it helps)."""
    return PydanticCustomError(PROBLEM, "{text}", {"text": text})


def _checked(check, *args, at: str = ""):
    """``check(*args)``; its ValueError as the problem of a field (the physics module's message,
    without its own ``at: `` prefix, which the field's path replaces)."""
    try:
        return check(*args)
    except ValueError as exc:
        raise _problem(str(exc).removeprefix(f"{at}: ")) from None


def _base_dir(info: ValidationInfo) -> Path | None:
    """The study file's folder while a study file is read (None: file references unchecked)."""
    return (info.context or {}).get("base_dir")


@cache
def _shipped(kind: str) -> tuple[str, ...]:
    return tuple(catalog.list_presets(kind))


class CostSettings(_Strict):
    """``[cost]``: the plant's production volume, the dollar year (and material price set) and
    the production region, and material price overrides (US$/kg); defaults:
    ``cost.default_settings``."""

    production_packs_per_year: float = Field(
        default_factory=lambda: cost.default_settings().production_packs_per_year,
        **_range("production_packs_per_year"))
    year: int = Field(default_factory=lambda: cost.default_settings().year)
    region: str = cost.DEFAULT_REGION
    prices: dict[str, float] = Field(default_factory=dict)  # material -> price_usd_per_kg

    @field_validator("year")
    @classmethod
    def _price_index(cls, year):
        _checked(cost.check_year, year, at="cost.year")
        return year

    @field_validator("region")
    @classmethod
    def _plant_region(cls, region):
        _checked(cost.plant_capital_factor, region, at="cost.region")
        return region

    @field_validator("prices")
    @classmethod
    def _price_overrides(cls, prices, info: ValidationInfo):
        found = []
        for name, price in prices.items():
            try:
                cost.price_overrides({name: price}, info.data.get("year"))
            except ValueError as exc:
                text = str(exc).removeprefix(f"cost.prices.{name}: ").removeprefix("cost.prices: ")
                found.append(((name,), text))
        _raise_problems(found, prices)
        return prices


class FootprintSettings(_Strict):
    """``[footprint]``: the grid of cell production (a region, or its intensity given), the
    region of cathode-material production and recycled contents (shares 0..1 of aluminium,
    copper, nickel, cobalt, lithium); defaults: ``footprint.default_settings``."""

    grid_kgCO2e_per_kWh: float | None = Field(None, **_range("grid_kgCO2e_per_kWh"))
    region: str = footprint.DEFAULT_REGION  # not needed when grid_kgCO2e_per_kWh is given
    cam_region: str = footprint.DEFAULT_REGION
    recycled_content: dict[str, float] = Field(default_factory=dict)

    @field_validator("region")
    @classmethod
    def _region(cls, region, info: ValidationInfo):
        if info.data.get("grid_kgCO2e_per_kWh") is None:
            _checked(footprint.grid_intensity, region, at="footprint.region")
        return region

    @field_validator("cam_region")
    @classmethod
    def _cam_region(cls, region):
        if region not in footprint.grid_regions():
            raise _problem(unknown("region", region, footprint.grid_regions(), "allowed"))
        return region

    @field_validator("recycled_content")
    @classmethod
    def _recycled(cls, content):
        found = [((k,), unknown("material", k, footprint.RECYCLABLE, "allowed"))
                 for k in content if k not in footprint.RECYCLABLE]
        found += [((k,), f"a share must lie within 0 to 1; got {share}")
                  for k, share in content.items() if k in footprint.RECYCLABLE and not 0 <= share <= 1]
        _raise_problems(found, content)
        return content


class UncertaintySettings(_Strict):
    """``[uncertainty]``: Monte Carlo samples and the seed of cost and footprint percentiles;
    defaults: ``uncertainty.default_settings``."""

    samples: int = Field(uncertainty.DEFAULT_SAMPLES, **_range("uncertainty_samples"))
    seed: int = Field(uncertainty.DEFAULT_SEED, ge=0)  # numpy's default_rng takes seeds >= 0


def _not_yet(value, info: ValidationInfo):
    if value is not None:
        raise _problem(f"not supported yet ({calibration.NOT_YET[info.field_name]}); calibrate "
                       f"on {', '.join(calibration.TARGET_PROCEDURE)}")
    return value


def _parameters(names):
    if names is not None and len(set(names)) != len(names):
        raise _problem(f"listed twice: {', '.join(sorted({p for p in names if names.count(p) > 1}))}")
    return names


class _CalibrationTable(_Strict):
    @property
    def targets(self) -> dict[str, float]:
        """The known results given, to fit the vehicle to."""
        return {k: getattr(self, k) for k in calibration.TARGET_PROCEDURE
                if getattr(self, k) is not None}

    @model_serializer(mode="wrap")
    def _given(self, handler):
        return {k: v for k, v in handler(self).items() if v is not None}


# ``[vehicle.calibration]``: known results (``calibration.TARGET_PROCEDURE``, each > 0), an
# optional ``parameters`` list and the record a preset keeps (``calibration.RECORD_KEYS``),
# generated from the calibration registry so that the two never disagree
VehicleCalibration = create_model(
    "VehicleCalibration", __base__=_CalibrationTable,
    __validators__={"_not_yet": field_validator(*calibration.NOT_YET)(_not_yet),
                    "_twice": field_validator("parameters")(_parameters)},
    **{k: (float | None, Field(None, gt=0)) for k in calibration.TARGET_PROCEDURE},
    **{k: (float | None, None) for k in calibration.NOT_YET},
    parameters=(list[Literal[calibration.PARAMETERS]] | None, None),
    **{k: (Any, None) for k in calibration.RECORD_KEYS})


class RoadLoad(_Strict):
    """Coast-down target coefficients: F = f0 + f1 v + f2 v^2 (N, v in m/s)."""

    f0_N: float = Field(**_range("f0_N"))
    f1_N_per_mps: float = Field(**_range("f1_N_per_mps"))
    f2_N_per_mps2: float = Field(**_range("f2_N_per_mps2", open_low=True))


class ChargerTable(_Strict):
    """A DC charger given by its limits (without ``max_voltage_V``: the CCS class's, see
    ``charger_max_voltage_V`` in data/factors/charging.toml)."""

    power_kW: float = Field(**_range(charging.CHARGER_BOUNDS["power_kW"], open_low=True))
    current_A: float = Field(**_range(charging.CHARGER_BOUNDS["current_A"], open_low=True))
    max_voltage_V: float | None = Field(
        default=None, **_range(charging.CHARGER_BOUNDS["max_voltage_V"], open_low=True))
    min_voltage_V: float | None = Field(
        default=None, **_range(charging.CHARGER_BOUNDS["min_voltage_V"], open_low=True))


class DcChargeCurve(_Strict):
    """A published DC charging curve: power at the vehicle's inlet (kW) against displayed
    SOC (0..1, ascending; held flat beyond its ends)."""

    soc: list[float] = Field(min_length=2)
    power_kW: list[float] = Field(min_length=2)

    @model_validator(mode="after")
    def _points(self):
        if len(self.soc) != len(self.power_kW):
            raise ValueError(f"soc and power_kW must have the same length; got {len(self.soc)} "
                             f"and {len(self.power_kW)}")
        if any(not 0.0 <= s <= 1.0 for s in self.soc) or any(
                b <= a for a, b in zip(self.soc, self.soc[1:], strict=False)):
            raise ValueError("soc must rise strictly within 0..1 (displayed SOC)")
        if any(not p > 0.0 for p in self.power_kW):
            raise ValueError("power_kW must be positive")
        return self


class DcLimits(_Strict):
    """A vehicle's own DC charging limits beside the charger's and the cells' (see
    ``charging.vehicle_limits``): inlet current (A), the highest voltage it asks of a charger
    (V) and its charging curve where published."""

    current_A: float | None = Field(default=None, **_range("charger_current_A", open_low=True))
    max_voltage_V: float | None = Field(default=None, **_range("charger_max_voltage_V", open_low=True))
    curve: DcChargeCurve | None = None


def _known_cell(cell, info: ValidationInfo):
    """A cell preset's name, cell file or inline table that can be used (``_cell_problems``)."""
    if cell is not None:
        _raise_problems(_cell_problems(cell, _base_dir(info)), cell)
    return cell


def _shipped_charger(charger):
    """A charger preset's name must be a shipped one (a table is checked by its model)."""
    if isinstance(charger, str) and charger not in _shipped("chargers"):
        raise _problem(unknown("charger preset", charger, _shipped("chargers"), "shipped"))
    return charger


class AxleInverters(_Strict):
    """``inverter = { front = "si", rear = "sic" }``: the device technology of each axle's
    traction inverter (a single ``inverter = "sic"`` applies to every axle)."""

    front: Literal["si", "sic"] | None = None
    rear: Literal["si", "sic"] | None = None

    @model_validator(mode="after")
    def _some_axle(self):
        if self.front is None and self.rear is None:
            raise ValueError('give the front and/or rear inverter, e.g. { front = "si", rear = "sic" }')
        return self

    def __str__(self) -> str:
        return ", ".join(f"{axle} {kind}" for axle, kind in (("front", self.front), ("rear", self.rear))
                         if kind)


def _inverter_value(value):
    """One unknown kind is one problem (not one per member of the union)."""
    if value not in ("si", "sic"):
        raise _problem(unknown("value", value, ("si", "sic"),
                               more=', or a table { front = "si", rear = "sic" }'))
    return value


# ``inverter``: one device technology for every axle, or one per axle (a table is checked as
# a table only, a text as a kind only: one problem each)
InverterSpec = Annotated[
    Annotated[Literal["si", "sic"], BeforeValidator(_inverter_value), Tag("inverter kind")]
    | Annotated[AxleInverters, Tag("inverter table")],
    Discriminator(lambda v: "inverter table" if isinstance(v, dict | AxleInverters)
                  else "inverter kind")]


class OwnBattery(_Strict):
    """The vehicle's own pack as its maker describes it (presets)."""

    usable_energy_kWh: float | None = Field(default=None, gt=0)
    gross_energy_kWh: float | None = Field(default=None, gt=0)
    nominal_voltage_V: float | None = Field(default=None, gt=0)
    chemistry: str | None = None
    cell: str | None = None
    cell_format: str | None = None
    cell_supplier: str | None = None
    series: int | None = Field(default=None, ge=1)
    parallel: int | None = Field(default=None, ge=1)
    integration: str | None = None
    pack_mass_kg: float | None = Field(default=None, gt=0)
    inverter: InverterSpec | None = None  # as built (see as_built.py)
    charger: str | ChargerTable | None = None  # the one its published fast charge was timed on
    dc_limits: DcLimits | None = None  # the vehicle's DC current, voltage and curve as built

    _known_cell = field_validator("cell")(_known_cell)  # the as-built candidates' cell
    _known_charger = field_validator("charger")(_shipped_charger)


class Motor(_Strict):
    """One traction machine of ``[vehicle] motors`` (see ``packstudy.motors``)."""

    axle: Literal["front", "rear"]
    type: Literal["pmsm", "induction", "eesm"]
    peak_kW: float = Field(gt=0)
    disconnect: bool = False


class Vehicle(_Strict):
    """The ``[vehicle]`` table (a preset's keys, overridden by the study's)."""

    preset: str | None = None
    schema_version: Literal[1] = 1
    name: str = "vehicle"
    model_year: int | None = None
    drive: Literal["FWD", "RWD", "AWD"] = "RWD"
    test_mass_kg: float | None = Field(default=None, **_range("mass_kg"))
    glider_mass_kg: float | None = Field(default=None, **_range("mass_kg"))
    curb_mass_kg: float | None = Field(default=None, **_range("mass_kg"))
    road_load: RoadLoad | None = None
    drag_coefficient: float | None = Field(default=None, gt=0, lt=1.5)
    frontal_area_m2: float | None = Field(default=None, gt=0, lt=10)
    rolling_resistance_coefficient: float | None = Field(default=None, gt=0, lt=0.05)
    motor_peak_kW: float | None = Field(default=None, **_range("motor_peak_kW"))
    motor_peak_torque_Nm: float | None = Field(default=None, **_range("motor_peak_torque_Nm"))
    front_motor_peak_kW: float | None = Field(default=None, **_range("motor_peak_kW"))
    rear_motor_peak_kW: float | None = Field(default=None, **_range("motor_peak_kW"))
    motors: list[Motor] | None = Field(default=None, min_length=1, max_length=2)
    top_speed_kmh: float | None = Field(default=None, **_range("top_speed_kmh"))
    wheel_radius_m: float | None = Field(default=None, gt=0, lt=1)
    gear_ratio: float | None = Field(default=None, **_range("gear_ratio"))
    max_dc_charge_kW: float | None = Field(default=None, **_range("max_dc_charge_kW", open_low=True))
    epa_label_adjustment: float | None = Field(default=None, ge=0.5, le=1.0)  # derived 5-cycle factor
    aux_W: float | None = Field(default=None, **_range("aux_W"))
    front_axle_load_fraction: float | None = Field(default=None, gt=0, lt=1)
    tyre_friction_coefficient: float | None = Field(default=None, gt=0, le=2)
    cg_height_to_wheelbase: float | None = Field(default=None, gt=0, le=0.5)
    heating: Literal["resistive", "heat_pump"] = "heat_pump"
    rotating_inertia_fraction: float | None = Field(default=None, ge=0, lt=0.5)
    battery: OwnBattery | None = None
    published: dict[str, dict[str, Any]] = Field(default_factory=dict)
    sources: dict[str, str] = Field(default_factory=dict)
    calibration: VehicleCalibration = Field(default_factory=VehicleCalibration)

    @model_validator(mode="after")
    def _mass_and_road_load(self):
        if self.test_mass_kg is None and self.glider_mass_kg is None:
            raise ValueError("give test_mass_kg (whole vehicle as tested) or glider_mass_kg")
        for axle in ("front_motor_peak_kW", "rear_motor_peak_kW"):
            kW = getattr(self, axle)
            if None not in (kW, self.motor_peak_kW) and kW > self.motor_peak_kW:
                raise ValueError(f"{axle} ({kW:g}) exceeds motor_peak_kW ({self.motor_peak_kW:g}), "
                                 "the vehicle's total")
        if self.road_load is None and (self.drag_coefficient is None or self.frontal_area_m2 is None):
            raise ValueError(
                "give road_load = { f0_N, f1_N_per_mps, f2_N_per_mps2 } or drag_coefficient "
                "and frontal_area_m2 (rolling_resistance_coefficient optional)")
        return self

    @model_validator(mode="after")
    def _drive_from_motors(self):
        """With ``motors``: one per axle, ``drive`` follows from their axles (a different
        ``drive`` given is an error), the per-axle peak powers from their entries and the
        system's ``motor_peak_kW``, unless given, from their sum."""
        if not self.motors:
            return self
        axles = [m.axle for m in self.motors]
        if len(set(axles)) < len(axles):
            raise ValueError(f"motors: one entry per axle (got {', '.join(axles)}); give the "
                             "axle's machines as one entry")
        drive = "AWD" if len(axles) == 2 else ("FWD" if axles == ["front"] else "RWD")
        if "drive" in self.model_fields_set and self.drive != drive:
            raise ValueError(f"drive {self.drive!r} conflicts with motors on the {' and '.join(axles)} "
                             f"axle(s), which give {drive!r}; drop drive or make it {drive!r}")
        peak = {m.axle: m.peak_kW for m in self.motors}
        for axle in ("front", "rear"):
            given = getattr(self, f"{axle}_motor_peak_kW")
            if given is not None and abs(given - peak.get(axle, 0.0)) > 0.5:
                raise ValueError(f"{axle}_motor_peak_kW = {given} conflicts with motors "
                                 f"({peak.get(axle, 0.0)} kW on the {axle} axle); give one of them")
        object.__setattr__(self, "drive", drive)
        object.__setattr__(self, "front_motor_peak_kW", peak.get("front"))
        object.__setattr__(self, "rear_motor_peak_kW", peak.get("rear"))
        if self.motor_peak_kW is None:
            object.__setattr__(self, "motor_peak_kW", sum(peak.values()))
        return self

    @property
    def front_power_share(self) -> float | None:
        """The front machine's share of the machine power (AWD acceleration): from
        ``motors`` (their own split, also where ``motor_peak_kW`` is below their sum), else
        front_motor_peak_kW / motor_peak_kW; None when unknown."""
        if self.motors:
            return (self.front_motor_peak_kW or 0.0) / sum(m.peak_kW for m in self.motors)
        if self.front_motor_peak_kW and self.motor_peak_kW:
            return self.front_motor_peak_kW / self.motor_peak_kW
        return None


class Pack(_Strict):
    """A candidate's pack: counts, or targets the designer meets."""

    series: int | None = Field(default=None, **_range("pack_series"))
    parallel: int | None = Field(default=None, **_range("pack_parallel"))
    usable_energy_kWh: float | None = Field(default=None, **_range("pack_usable_energy_kWh", open_low=True))
    nominal_voltage_V: float | None = Field(default=None, gt=0, le=1500)
    integration: Literal["module", "cell_to_pack", "cell_to_body"] = "module"
    soc_min: float | None = Field(default=None, ge=0, lt=1)
    soc_max: float | None = Field(default=None, gt=0, le=1)
    max_mass_kg: float | None = Field(default=None, gt=0)
    max_volume_L: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _enough(self):
        if self.parallel is None and self.usable_energy_kWh is None:
            raise ValueError("give parallel (with series or nominal_voltage_V) or usable_energy_kWh")
        if self.series is not None and self.nominal_voltage_V is not None:
            raise ValueError("give series or nominal_voltage_V, not both")
        if self.soc_min is not None and self.soc_max is not None and self.soc_min >= self.soc_max:
            raise ValueError("soc_min must be below soc_max")
        return self


class Cooling(_Strict):
    """A candidate's thermal system: battery chiller and heater ratings (kW of heat; None:
    the defaults of data/factors/thermal.toml)."""

    chiller_kW: float | None = Field(default=None, **_range("chiller_kW"))
    heater_kW: float | None = Field(default=None, **_range("heater_kW"))


class Candidate(_Strict):
    """One battery-system option (a ``[[candidate]]`` table)."""

    name: str
    cell: str | dict[str, Any] = "nmc811-pouch"
    pack: Pack | None = None
    inverter: InverterSpec = "si"  # every axle's, or per axle
    charger: str | ChargerTable | None = None  # a charger preset or its limits
    as_built: bool = False  # take the vehicle's as-built battery system (keys beside it override)
    dc_limits: DcLimits | None = None  # the vehicle's own DC charging limits (as built: its preset's)
    cooling: Cooling | None = None

    _known_cell = field_validator("cell")(_known_cell)
    _known_charger = field_validator("charger")(_shipped_charger)


def _cell_problems(cell, base_dir: Path | None) -> list[tuple[tuple, str]]:
    """What is wrong with a candidate's cell: an unknown preset, a cell file that is missing
    or invalid (checked while a study file is read, ``base_dir`` its folder), an inline table's
    bad fields (each at its key), a ``{ bpx = FILE }`` that cannot be read as a cell."""
    if isinstance(cell, dict) and set(cell) == {"bpx"}:
        if base_dir is None:
            return []
        try:
            cellmod.load_cell(cell, base_dir)
        except cellmod.CellError as exc:
            return [((), problem) for problem in exc.problems or [str(exc)]]
        return []
    if isinstance(cell, dict):
        try:
            cellmod.cell_from_dict(cell, where="inline cell table")
        except cellmod.CellError as exc:
            return [_at_key(problem) for problem in exc.problems]
        return []
    path = cell_file(cell, base_dir)
    if path is None:
        return [] if cell in _shipped("cells") else [((), unknown("cell preset", cell, _shipped("cells"),
                                                                  "shipped"))]
    if base_dir is None:
        return []
    try:
        found = path.is_file()
    except OSError as exc:  # e.g. a name too long for the file system
        return [((), f"cell file {shown(cell)} cannot be read ({exc.strerror}); give the path of "
                     "a cell TOML file")]
    if not found:
        return [((), f"cell file {cell!r} not found (looked for {path.absolute()}; relative paths "
                     "start at the study file's folder)")]
    try:
        cellmod.load_cell(path)
    except cellmod.CellError as exc:
        return [((), f"cell file {path}: {problem}") for problem in exc.problems or [str(exc)]]
    return []


def _at_key(problem: str) -> tuple[tuple, str]:
    """A cell check's problem (``"ocv.ocv_V: must ..."``) as (location, message)."""
    key, sep, text = problem.partition(": ")
    if sep and re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*", key):
        return tuple(key.split(".")), text
    return (), problem


class FastCharge(_Strict):
    """``[study.fast_charge]``: the SOC window and temperatures (None: sourced defaults)."""

    soc_start: float | None = Field(default=None, ge=0, lt=1)
    soc_end: float | None = Field(default=None, gt=0, le=1)
    temperature_C: float | None = Field(default=None, ge=-40, le=60)
    coolant_C: float | None = Field(default=None, ge=-40, le=60)

    @model_validator(mode="after")
    def _window(self):
        if self.soc_start is not None and self.soc_end is not None and self.soc_start >= self.soc_end:
            raise ValueError("soc_start must be below soc_end")
        return self


class Cold(_Strict):
    """``[study.cold]``: ambient temperature and cycle of the cold-weather range."""

    ambient_C: float | None = Field(default=None, ge=-40, le=10)
    cycle: str | None = None
    preconditioned: bool = False  # the cold acceleration and DC charge with a pack warmed from the grid

    @field_validator("cycle")
    @classmethod
    def _cycle_loads(cls, cycle, info: ValidationInfo):
        if cycle is not None and _base_dir(info) is not None:
            _raise_problems(_cycle_problems(cycle, _base_dir(info)), cycle)
        return cycle


def _cycle_problems(cycle: str | Path, base_dir: Path) -> list[tuple[tuple, str]]:
    """A shipped cycle's name (a string) or a cycle CSV file that cannot be used, as the
    problem of its key."""
    try:
        load_cycle(cycle, base_dir=base_dir)
    except (CycleFileError, OSError, catalog.UnknownPresetError) as exc:
        return [((), str(exc).strip('"'))]
    return []


class LaunchRepeat(_Strict):
    """``[study.launch_repeat]``: consecutive full-throttle launches (None: the defaults of
    data/factors/endurance.toml)."""

    runs: int | None = Field(default=None, ge=1, le=200)
    from_kmh: float | None = Field(default=None, ge=0, le=400)
    to_kmh: float | None = Field(default=None, gt=0, le=400)
    pause_s: float | None = Field(default=None, ge=0, le=3600)
    ambient_C: float | None = Field(default=None, ge=-40, le=50)

    @model_validator(mode="after")
    def _speeds(self):
        if self.to_kmh is not None and (self.from_kmh or 0.0) >= self.to_kmh:
            raise ValueError("from_kmh must be below to_kmh")
        return self


class TrackLaps(_Strict):
    """``[study.track]``: laps back to back on a shipped track (``name``) or a user file
    (``file``: a CSV distance_m,curvature_1_per_m[,grade] or a segment TOML, see
    ``track.segments_profile``); None: the defaults."""

    laps: int | None = Field(default=None, ge=1, le=100)
    ambient_C: float | None = Field(default=None, ge=-40, le=50)
    name: str | None = None
    file: str | None = None

    @model_validator(mode="after")
    def _one_track(self, info: ValidationInfo):
        if self.name is not None and self.file is not None:
            raise ValueError("give name (a shipped track) or file, not both")
        if _base_dir(info) is not None:
            try:
                track.load_track(self.name, self.file, _base_dir(info))
            except (track.TrackFileError, OSError) as exc:
                raise _problem(str(exc)) from None
        return self


class Life(_Strict):
    """``[study] life``: the life procedure's usage (None: sourced defaults, life.toml)."""

    years: float | None = Field(default=None, gt=0, le=30)
    km_per_year: float | None = Field(default=None, gt=0, le=200000)
    climate: str | None = None  # "temperate" | "hot" | "cold" | an hourly CSV file
    dc_fast_share: float | None = Field(default=None, ge=0, le=1)
    charge_target: float | None = Field(default=None, gt=0, le=1)
    recycling: str | None = None  # end-of-life route: pyrometallurgical | hydrometallurgical | direct

    @field_validator("climate")
    @classmethod
    def _known_climate(cls, climate, info: ValidationInfo):
        if climate is not None:
            _life_problems(lambda: life.load_climate(climate, _base_dir(info)), info, climate)
        return climate

    @model_validator(mode="after")
    def _usable(self, info: ValidationInfo):
        """The table as the life procedure takes it (the charge target above the fast-charge
        start, ...), once its fields are valid."""
        _life_problems(lambda: life.settings(self.model_dump(), None, _base_dir(info)), info, self)
        return self


def _life_problems(check, info: ValidationInfo, value) -> None:
    """Run a check of ``packstudy.life``; its LifeError as the problem of the key it names
    (a climate CSV file is read only while a study file is read)."""
    climate = value if isinstance(value, str) else value.climate
    if _base_dir(info) is None and (climate or "").endswith(".csv"):
        return
    try:
        check()
    except life.LifeError as exc:  # exc.field: "study.life.KEY"
        key = exc.field.rpartition(".")[2]
        _raise_problems([(() if isinstance(value, str) else (key,),
                          str(exc).removeprefix(f"{exc.field}: "))], value)


class Warranty(_Strict):
    """``[study] warranty``: the maker's battery warranty, checked as ``limit:warranty``."""

    years: float = Field(gt=0, le=30)
    km: float = Field(gt=0)
    min_capacity_pct: float = Field(gt=0, lt=100)


class Bound(_Strict):
    min: float | None = None
    max: float | None = None


class Ranking(_Strict):
    """Optional weighted score: metric -> weight (positive rewards larger values)."""

    weights: dict[str, float] = Field(default_factory=dict)


CYCLE_LABEL = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,39}")


class StudySection(_Strict):
    name: str = "study"
    procedures: list[Literal["wltp", "epa", "acceleration", "fast_charge", "cold",
                             "launch_repeat", "track", "life"]] = Field(
        default_factory=lambda: list(PROCEDURE_NAMES))
    fast_charge: FastCharge = Field(default_factory=FastCharge)
    cold: Cold = Field(default_factory=Cold)
    launch_repeat: LaunchRepeat | None = None
    track: TrackLaps | None = None
    life: Life | None = None  # the life procedure runs when given (or "life" in procedures)
    warranty: Warranty | None = None
    cycles: dict[str, str] = Field(default_factory=dict)  # label -> CSV path (custom cycles)
    baseline: str | None = None

    @field_validator("cycles")
    @classmethod
    def _cycles_load(cls, cycles, info: ValidationInfo):
        if _base_dir(info) is not None:
            _raise_problems([((label, *loc), text) for label, file in cycles.items()
                             for loc, text in _cycle_problems(Path(file), _base_dir(info))], cycles)
        return cycles

    @model_validator(mode="after")
    def _procedures_and_labels(self):
        problems = []
        twice = sorted({p for p in self.procedures if self.procedures.count(p) > 1})
        if twice:
            problems.append(f"procedures: {', '.join(twice)} listed more than once")
        for label in self.cycles:
            taken = label in PROCEDURE_NAMES or label.startswith(tuple(f"{p}_" for p in PROCEDURE_NAMES))
            if not CYCLE_LABEL.fullmatch(label) or taken:
                problems.append(
                    f"cycles: label {label!r} must be a letter then up to 39 letters, digits or "
                    f"underscores, not starting with a procedure's name ({', '.join(PROCEDURE_NAMES)}): "
                    "it begins the result names (LABEL_range_km)")
        if problems:
            raise ValueError("; ".join(problems))
        return self


SWEEP_KEYS = ("cell", "inverter", "charger", "pack.series", "pack.parallel", "pack.usable_energy_kWh",
              "pack.nominal_voltage_V", "pack.integration", "cooling.chiller_kW", "cooling.heater_kW")


class Sweep(BaseModel):
    """``[sweep]``: lists for candidate keys (the cartesian product is run), objectives for the
    Pareto front (``"min:pack_cost_usd"``, ``"max:wltp_range_km"``), the base candidate."""

    model_config = ConfigDict(extra="allow", frozen=True, strict=True, allow_inf_nan=False)
    base: str | None = None
    objectives: list[str] = Field(default_factory=list)
    batch_size: int = Field(default=1000, **_range("batch_size"))

    @model_validator(mode="after")
    def _lists_and_objectives(self):
        problems = []
        for key, values in (self.model_extra or {}).items():
            if key not in SWEEP_KEYS:
                problems.append(unknown("key to sweep", key, SWEEP_KEYS, "sweepable"))
            elif not isinstance(values, list) or not values:
                problems.append(f"{key!r} must be a non-empty list of values")
        for objective in self.objectives:
            sense, _, metric = objective.partition(":")
            if sense not in ("min", "max") or not metric:
                problems.append(f"objective {objective!r} must look like 'min:METRIC' or 'max:METRIC'")
        if not self.model_extra:
            problems.append("give at least one list to sweep, e.g. \"pack.parallel\" = [2, 3, 4]")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def parameters(self) -> dict[str, list]:
        """The swept keys and their values, in file order."""
        return dict(self.model_extra or {})


class Study(_Strict):
    schema_version: Literal[1] = 1
    study: StudySection = Field(default_factory=StudySection)
    vehicle: Vehicle
    candidate: list[Candidate] = Field(min_length=1)
    requirements: dict[str, Bound] = Field(default_factory=dict)
    ranking: Ranking = Field(default_factory=Ranking)
    cost: CostSettings = Field(default_factory=CostSettings)
    footprint: FootprintSettings = Field(default_factory=FootprintSettings)
    uncertainty: UncertaintySettings | None = None
    sweep: Sweep | None = None


def load_study(path: str | Path) -> tuple[Study, Path]:
    """Read, resolve presets and validate a study file; raises StudyError with all problems."""
    path = Path(path)
    return parse_study(read_study_file(path), source=str(path), base_dir=path.parent), path.parent


def read_study_file(path: Path) -> dict:
    """A study file's TOML content; raises StudyError when it cannot be read or parsed."""
    source = str(path)
    try:
        with open(path, "rb") as f:
            raw = tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        raise StudyError(source, [f"TOML syntax error: {exc}"]) from None
    except UnicodeDecodeError as exc:
        raise StudyError(source, [
            f"not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset {exc.start}): a study file "
            "is a TOML text file in UTF-8; is this a binary file, or text saved in another "
            "encoding? Save it as UTF-8"]) from None
    except FileNotFoundError:
        raise StudyError(source, ["the study file does not exist"]) from None
    except OSError as exc:
        raise StudyError(source, [f"the study file cannot be read ({exc.strerror or exc}); give "
                                  "the path of a TOML file you can read"]) from None
    return raw


def parse_study(raw: dict, *, source: str = "<study>", base_dir: Path | None = None) -> Study:
    """Validate a study given as a dict (the TOML's content); raises StudyError."""
    problems: list[str] = []
    raw = dict(raw)
    vehicle = raw.get("vehicle")
    if isinstance(vehicle, dict) and "preset" in vehicle:
        try:
            preset = catalog.load_preset("vehicles", str(vehicle["preset"]))
            raw["vehicle"] = _merge(preset, vehicle)
        except (catalog.UnknownPresetError, OSError) as exc:  # OSError: e.g. a name too long
            problems.append(f"vehicle.preset: {str(exc).strip(chr(34))}")
            raw["vehicle"] = {k: v for k, v in vehicle.items() if k != "preset"} | {"test_mass_kg": 1e3}
    context = {"base_dir": base_dir or Path(".")}
    study = None
    try:
        study = Study.model_validate(raw, context=context)
    except ValidationError as exc:
        preset_failed = bool(problems)  # the only problem found before validation
        errors = exc.errors()
        paths = [_path(err["loc"]) for err in errors]
        problems += [_describe(err) for err, path in zip(errors, paths, strict=True)
                     if not _beside_the_point(err, path, paths, preset_failed)]
        if not preset_failed:  # the checks across tables on what is valid, in the same run
            problems += [p for p in _cross_problems(raw, errors, context) if p not in problems]
    if study is not None:
        study, more = _resolved(study, context["base_dir"])
        problems += more
    if problems:
        raise StudyError(source, problems)
    return study


def _resolved(study: Study, base_dir: Path) -> tuple[Study, list[str]]:
    """The study with its as-built systems, and the problems only the whole study shows (the
    as-built system's, the references across tables)."""
    study, problems = as_built.resolve(study)
    return study, problems + _check_references(study, base_dir)


# tables the checks across tables read: with a problem in one of them they wait for the next run
CROSS_CHECKED = ("vehicle", "candidate", "sweep", "study.fast_charge", "study.baseline")


def _cross_problems(raw: dict, errors: list[dict], context: dict) -> list[str]:
    """``_resolved``'s problems while other tables have problems: found on ``raw`` without
    those tables (their defaults apply), when every table these checks read is valid."""
    where = {tuple(map(str, _file_keys(err["loc"])[:2])) for err in errors}
    if any(not key or key[0] in CROSS_CHECKED or ".".join(key).startswith(CROSS_CHECKED)
           for key in where):
        return []
    rest = {k: (dict(v) if isinstance(v, dict) else v) for k, v in raw.items()}
    for key in where:
        table = rest.get(key[0]) if key[0] == "study" and len(key) > 1 else None
        if isinstance(table, dict):
            table.pop(key[1], None)  # a [study] key: that key alone
        else:
            rest.pop(key[0], None)
    try:
        study = Study.model_validate(rest, context=context)
    except ValidationError:
        return []
    return _resolved(study, context["base_dir"])[1]


def _merge(preset: dict, override: dict) -> dict:
    """Preset keys overridden by the study's (tables merged one level deep)."""
    merged = dict(preset)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merged[key] | value
        else:
            merged[key] = value
    merged["preset"] = override["preset"]
    return merged


def _check_references(study: Study, base_dir: Path) -> list[str]:
    """What the models cannot check alone: unique names, the candidates named by other tables,
    the swept values, the SOC windows with their defaults."""
    problems = _window_problems(study)
    names = [c.name for c in study.candidate]
    if len(set(names)) != len(names):
        problems.append("candidate: names must be unique")
    named = (("sweep.base", study.sweep and study.sweep.base), ("study.baseline", study.study.baseline))
    for at, name in named:
        if name is not None and name not in names:
            problems.append(f"{at}: {unknown('candidate', name, names, 'candidates')}")
    if study.sweep is not None and (study.sweep.base is None or study.sweep.base in names):
        problems += _sweep_value_problems(study, base_dir)
    return problems + _inverter_axle_problems(study)


def _inverter_axle_problems(study: Study) -> list[str]:
    """Per-axle inverters (candidates' and swept) that do not match the vehicle's machines."""
    axles = motors.machine_axles(study.vehicle)
    given = [(f"candidate[{i}].inverter", c.inverter) for i, c in enumerate(study.candidate)]
    if study.sweep is not None:
        given += [(f'sweep."inverter"[{k}]', v)
                  for k, v in enumerate(study.sweep.parameters.get("inverter", []))]
    problems = []
    for at, value in given:
        if isinstance(value, dict):
            try:
                value = AxleInverters.model_validate(value)
            except ValidationError:
                continue  # reported as the swept value's own problem
        if not isinstance(value, str | AxleInverters):
            continue  # neither a kind nor a table: the swept value's own problem
        try:
            motors.inverter_kinds_of(value, axles)
        except ValueError as exc:
            problems.append(f"{at}: {exc}")
    return list(dict.fromkeys(problems))


def _window_problems(study: Study) -> list[str]:
    """SOC windows with their sourced defaults filled in: the start below the end."""
    problems = []
    low, high = (catalog.factor("pack_design", k) for k in ("usable_soc_min", "usable_soc_max"))
    for i, cand in enumerate(study.candidate):
        if cand.pack is not None:
            lo = low if cand.pack.soc_min is None else cand.pack.soc_min
            hi = high if cand.pack.soc_max is None else cand.pack.soc_max
            if lo >= hi:
                problems.append(f"candidate[{i}].pack: soc_min ({lo:g}) must be below soc_max "
                                f"({hi:g}; defaults {low:g} and {high:g})")
    fc = study.study.fast_charge
    start = charging.default("soc_start") if fc.soc_start is None else fc.soc_start
    end = charging.default("soc_end") if fc.soc_end is None else fc.soc_end
    if start >= end:
        problems.append(f"study.fast_charge: soc_start ({start:g}) must be below soc_end ({end:g}; "
                        f"defaults {charging.default('soc_start'):g} and {charging.default('soc_end'):g})")
    return problems


def with_swept_values(base: dict, values: dict) -> dict:
    """A candidate table (a ``model_dump``) with swept keys set (``cell``, ``pack.series``,
    ``cooling.chiller_kW``, ...); a pack's ``series`` and ``nominal_voltage_V`` replace each
    other; empty pack and cooling tables are dropped."""
    data = dict(base)
    data["pack"] = dict(data.get("pack") or {})
    data["cooling"] = dict(data.get("cooling") or {})
    for key, value in values.items():
        table, _, field = key.partition(".")
        if field and table in ("pack", "cooling"):
            data[table][field] = value
            if table == "pack" and field in ("series", "nominal_voltage_V"):
                data["pack"].pop("nominal_voltage_V" if field == "series" else "series", None)
        else:
            data[key] = value
    for table in ("pack", "cooling"):
        if not data[table]:
            data.pop(table)
    return data


def _sweep_value_problems(study: Study, base_dir: Path) -> list[str]:
    """Every swept value, checked as the candidate that takes it (the other keys at their
    first value): ``sweep."pack.series"[0]``."""
    names = [c.name for c in study.candidate]
    base = study.candidate[names.index(study.sweep.base) if study.sweep.base else 0]
    data = base.model_dump(exclude_none=True)
    first = {key: values[0] for key, values in study.sweep.parameters.items()}
    problems = []
    for key, values in study.sweep.parameters.items():
        for pick, value in enumerate(values):
            try:
                Candidate.model_validate(with_swept_values(data, {**first, key: value}),
                                         context={"base_dir": base_dir})
            except ValidationError as exc:
                for err in exc.errors():  # the value's own errors (others: at their own key)
                    where = _path(err["loc"])
                    if where == key or where.startswith(key + ".") or (
                            where == "pack" and key.startswith("pack.")):
                        text = _describe({**err, "loc": ("candidate", 0, *err["loc"])})
                        line = f'sweep."{key}"[{pick}]: {text.partition(": ")[2]}'
                        problems += [line] if line not in problems else []
    return problems


def _describe(err: dict) -> str:
    """One line for a pydantic error: path, what is allowed, what was given."""
    loc = _path(err["loc"])
    kind = err["type"]
    if kind == "extra_forbidden":
        parent, key = err["loc"][:-1], str(err["loc"][-1])
        allowed = _allowed_keys(parent)
        return f"{loc}: {unknown('key', key, allowed, 'allowed' if allowed else None)}"
    if kind == "missing":
        return f"{loc}: required"
    if kind == PROBLEM:
        return f"{loc}: {err['msg']}"
    if kind == "literal_error" and isinstance(err.get("input"), str):
        valid = re.findall(r"'((?:[^'\\]|\\.)*)'", err["ctx"]["expected"])
        return f"{loc}: {unknown('value', err['input'], valid)}"
    given = err.get("input")
    message = err["msg"].replace("Value error, ", "")
    if kind.startswith("greater_than") or kind.startswith("less_than"):
        message = "must be " + message.replace("Input should be ", "")
        allowed = _allowed_range(err["loc"])
        if allowed:
            message += f" (allowed: {allowed})"
    elif kind == "finite_number":
        message = "must be a finite number (not NaN or inf)"
    elif kind in ("float_type", "int_type") and isinstance(given, bool):
        message = f"must be a number, not true/false ({message})"
    if isinstance(given, dict | list):
        return f"{loc}: {message}"
    shown = repr(given)
    return f"{loc}: {message}; got {shown if len(shown) <= 80 else shown[:60] + '...'}"


_MODELS = {model.__name__ for model in (*_Strict.__subclasses__(), Sweep)}  # union branch tags


def _beside_the_point(err: dict, path: str, paths: list[str], preset_failed: bool) -> bool:
    """Errors that only restate another: the name branch of a "name or table" field given a
    table whose own errors (at keys below ``path``) say what is wrong, and, when the vehicle
    preset could not be loaded, the vehicle's whole-table checks (the preset fills them)."""
    if err["type"] == "string_type" and isinstance(err.get("input"), dict):
        return any(other.startswith(path + ".") for other in paths)
    return preset_failed and tuple(err["loc"]) == ("vehicle",)


def _file_keys(loc) -> list:
    """The keys of the file in a pydantic error's location (union branches and validators
    left out)."""
    return [part for part in loc if isinstance(part, int) or not (
        part in ("function-after", "str", "inverter kind", "inverter table")
        or "[" in str(part) or part in _MODELS)]


def _path(loc) -> str:
    out = ""
    for part in _file_keys(loc):
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out or "study"


def _allowed_keys(parent_loc) -> list[str]:
    """The keys allowed at a location of the study file, for "did you mean" hints."""
    model: type[BaseModel] = Study
    for part in parent_loc:
        if isinstance(part, int) or part in _MODELS:
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return []
        inner = _model_of(field.annotation)
        if inner is None:
            return []
        model = inner
    return sorted(model.model_fields)


def _allowed_range(loc) -> str:
    """'100 to 60000' for a bounded field of the study file ('' when unknown)."""
    model: type[BaseModel] | None = Study
    field = None
    for part in loc:
        if isinstance(part, int) or model is None or part in _MODELS or part in ("str", "function-after"):
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return ""
        model = _model_of(field.annotation)
    if field is None:
        return ""
    low = high = None
    for item in field.metadata:
        for name in ("ge", "gt"):
            low = getattr(item, name, None) if getattr(item, name, None) is not None else low
        for name in ("le", "lt"):
            high = getattr(item, name, None) if getattr(item, name, None) is not None else high
    return f"{low:g} to {high:g}" if low is not None and high is not None else ""


def _model_of(annotation):
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_of(arg)
        if found is not None:
            return found
    return None
