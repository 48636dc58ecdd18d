"""``packstudy cell``: constant-current discharge, current profiles and ECM fitting of one cell.

Bad input prints one clear message naming the file and field and exits with code 2.
Output files are written atomically (temp file + rename).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from . import catalog

# cell (and with it numba), cellsim and ecm_fit are imported inside the commands that use them:
# the other CLI commands start without them.

app = typer.Typer(rich_markup_mode=None, help="Cell-level simulation and equivalent-circuit fitting.",
                  no_args_is_help=True)


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=2)


def _cell(spec: str):
    """The cell and its arrays (one row); a bad cell exits with the message."""
    from .cell import CellError, cell_arrays, load_cell

    try:
        c = load_cell(spec)
    except CellError as exc:
        _fail(str(exc))
    return c, cell_arrays([c])


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _csv(columns: dict[str, np.ndarray], fmt: dict[str, str]) -> str:
    names = list(columns)
    rows = [",".join(names)]
    for k in range(len(columns[names[0]])):
        rows.append(",".join(format(float(columns[c][k]), fmt[c]) for c in names))
    return "\n".join(rows) + "\n"


def _check_model(model: str, c) -> None:
    """Exit 2 unless ``model`` is known and the cell has what it needs."""
    if model not in ("ecm", "electrochemical"):
        _fail(f"--model: must be ecm or electrochemical; got {model!r}")
    if model == "electrochemical" and c.electrochemical is None:
        _fail(f"--model electrochemical: cell {c.name} has no [electrochemical] table "
              "(electrode design, transport, kinetics, electrode OCPs; see docs/cells.md)")


@app.command()
def discharge(
    cell: Annotated[str, typer.Argument(help="Cell preset name or a cell TOML file.")],
    c_rate: Annotated[float, typer.Option("--c-rate", help="Discharge rate, 1/h (1 = 1C).")],
    out: Annotated[Path, typer.Option("--out", help="Output CSV.")],
    temperature_C: Annotated[float, typer.Option("--temperature-C",
                                                 help="Start and ambient, degC.")] = 25.0,
    dt_s: Annotated[float, typer.Option("--dt-s", help="Time step, s.")] = 1.0,
    isothermal: Annotated[bool, typer.Option("--isothermal",
                                             help="Hold the cell at --temperature-C.")] = False,
    model: Annotated[str, typer.Option("--model", help="ecm (equivalent circuit) or "
                                       "electrochemical (pseudo-2D; cells whose file has an "
                                       "electrochemical table).")] = "ecm",
) -> None:
    """Constant-current discharge from 100 % SOC to the lower voltage limit."""
    from .cellsim import constant_current

    if not c_rate > 0.0:
        _fail(f"--c-rate: must be a positive number; got {c_rate}")
    if not dt_s > 0.0:
        _fail(f"--dt-s: must be positive; got {dt_s}")
    c, cells = _cell(cell)
    _check_model(model, c)
    run = constant_current(cells, c_rate, dt_s=dt_s, temperature_C=temperature_C,
                           keep_trace=True, isothermal=isothermal, model=model)
    ok = ~np.isnan(run.trace_voltage_V[0])
    write_atomic(out, _csv({"time_s": run.time_s[ok],
                            "discharge_capacity_Ah": run.trace_discharge_capacity_Ah[0][ok],
                            "voltage_V": run.trace_voltage_V[0][ok]},
                           {"time_s": "g", "discharge_capacity_Ah": ".6f", "voltage_V": ".5f"}))
    note = " (current clipped at the 10 s peak limit)" if run.current_limited[0] else ""
    typer.echo(f"{c.name}: {run.discharge_capacity_Ah[0]:.4f} Ah, "
               f"{run.terminal_J[0] / 3600:.3f} Wh in {run.end_time_s[0]:.0f} s at "
               f"{c_rate:g}C{note}; end temperature {run.temperature_C[0]:.1f} degC -> {out}")


@app.command()
def profile(
    cell: Annotated[str, typer.Argument(help="Cell preset name or a cell TOML file.")],
    current: Annotated[Path, typer.Option("--current",
                                          help="CSV time_s,current_A (+ = discharge).")],
    out: Annotated[Path, typer.Option("--out", help="Output CSV.")],
    soc_start: Annotated[float, typer.Option("--soc-start", help="Initial SOC, 0..1.")] = 1.0,
    temperature_C: Annotated[float, typer.Option("--temperature-C",
                                                 help="Start and ambient, degC.")] = 25.0,
    isothermal: Annotated[bool, typer.Option("--isothermal",
                                             help="Hold the cell at --temperature-C.")] = False,
    model: Annotated[str, typer.Option("--model", help="ecm (equivalent circuit) or "
                                       "electrochemical (pseudo-2D; cells whose file has an "
                                       "electrochemical table).")] = "ecm",
) -> None:
    """Run a current profile; stops at a voltage limit."""
    from .cellsim import STOP_REASONS, simulate
    from .ecm_fit import FitDataError, read_csv_columns

    if not 0.0 <= soc_start <= 1.0:
        _fail(f"--soc-start: must lie in 0..1; got {soc_start}")
    try:
        cols = read_csv_columns(current, ("time_s", "current_A"))
    except FitDataError as exc:
        _fail(str(exc))
    t, i = cols["time_s"], cols["current_A"]
    if np.any(np.diff(t) <= 0.0):
        _fail(f"{current}: column time_s: must increase strictly")
    c, cells = _cell(cell)
    _check_model(model, c)
    run = simulate(cells, t, i[:-1], soc_start=soc_start, temperature_C=temperature_C,
                   keep_trace=True, isothermal=isothermal, model=model)
    ok = ~np.isnan(run.trace_voltage_V[0])
    write_atomic(out, _csv({"time_s": t[ok], "current_A": run.trace_current_A[0][ok],
                            "voltage_V": run.trace_voltage_V[0][ok],
                            "soc": run.trace_soc[0][ok],
                            "temperature_C": run.trace_temperature_C[0][ok]},
                           {"time_s": "g", "current_A": ".6g", "voltage_V": ".5f", "soc": ".6f",
                            "temperature_C": ".3f"}))
    typer.echo(f"{c.name}: stopped at {run.end_time_s[0]:g} s ({STOP_REASONS[run.stop_reason[0]]})"
               f"; SOC {run.soc[0]:.4f}, {run.temperature_C[0]:.1f} degC -> {out}")


@app.command()
def age(
    cell: Annotated[str, typer.Argument(help="Cell preset name or a cell TOML file.")],
    profile: Annotated[Path, typer.Option("--profile", help="CSV of one period: time_s,soc,"
                                          "temperature_C[,current_A] (+ = discharge).")],
    years: Annotated[float, typer.Option("--years", help="Years to repeat the period for.")],
    out: Annotated[Path, typer.Option("--out", help="Output CSV time_days,capacity_retention,"
                                      "resistance_growth.")],
) -> None:
    """Calendar and cycle aging of one cell over a repeated profile (packstudy.aging)."""
    from . import aging
    from .ecm_fit import FitDataError, read_csv_columns

    if not years > 0.0 or not np.isfinite(years):
        _fail(f"--years: must be a positive number of years; got {years}")
    try:
        cols = read_csv_columns(profile, ("time_s", "soc", "temperature_C"))
        current = _optional_column(profile, "current_A")
    except FitDataError as exc:
        _fail(str(exc))
    t, soc, temp = cols["time_s"], cols["soc"], cols["temperature_C"]
    if np.any(np.diff(t) <= 0.0):
        _fail(f"{profile}: column time_s: must increase strictly")
    if np.any((soc < 0.0) | (soc > 1.0)):
        _fail(f"{profile}: column soc: state of charge must lie in 0..1; got {soc.min():g}.."
              f"{soc.max():g} (a percentage? divide by 100)")
    if np.any((temp < -60.0) | (temp > 100.0)):
        _fail(f"{profile}: column temperature_C: must lie in -60..100 degC")
    c, _ = _cell(cell)
    try:
        model = aging.cell_aging(c.name, chemistry=c.chemistry)
    except aging.AgingError as exc:
        _fail(str(exc))
    days = np.arange(0.0, 365.0 * years, 1.0)
    days = np.append(days, 365.0 * years)
    run = aging.age_profile(model, t, soc, temp, years, days)
    q = run.capacity_retention[0]
    ok = np.isfinite(q)
    write_atomic(out, _csv({"time_days": days[ok], "capacity_retention": q[ok],
                            "resistance_growth": aging.resistance_growth(q[ok])},
                           {"time_days": "g", "capacity_retention": ".6f",
                            "resistance_growth": ".6f"}))
    rate = (current / c.capacity_Ah if current is not None
            else -np.diff(soc) / np.diff(t / 3600.0))
    for note in aging.validity_notes(model, temp, float(max(-rate.min(), 0.0)),
                                     float(max(rate.max(), 0.0))):
        typer.echo(f"note: {note}", err=True)
    typer.echo(f"{c.name} ({model.model.name}): capacity retention {100 * q[ok][-1]:.2f} % after "
               f"{years:g} years -> {out}")


def _optional_column(path: Path, name: str) -> np.ndarray | None:
    """A numeric column if the CSV header names it, else None."""
    from .ecm_fit import read_csv_columns

    with open(path) as f:
        header = [h.strip() for h in f.readline().split(",")]
    return read_csv_columns(path, (name,))[name] if name in header else None


@app.command()
def fit(
    data: Annotated[Path, typer.Argument(help="CSV time_s,current_A,voltage_V (+ = discharge).")],
    name: Annotated[str, typer.Option("--name", help="Name of the fitted cell.")],
    out: Annotated[Path | None, typer.Option("--out", help="Preset TOML to write "
                                             "(default NAME.toml).")] = None,
    template: Annotated[str | None, typer.Option(
        "--template", help="Preset name or TOML whose ratings (mass, size, limits, charge map, "
        "sources) the fitted cell keeps.")] = None,
    capacity_Ah: Annotated[float | None, typer.Option("--capacity-Ah",
                                                      help="Capacity, Ah.")] = None,
    v_min_V: Annotated[float | None, typer.Option("--v-min-V", help="Lower limit, V.")] = None,
    v_max_V: Annotated[float | None, typer.Option("--v-max-V", help="Upper limit, V.")] = None,
    ocv: Annotated[Path | None, typer.Option("--ocv", help="Measured OCV curve, CSV soc,ocv_V.")]
    = None,
    also: Annotated[list[Path] | None, typer.Option(
        "--also", help="A further record for the resistance fit, CSV time_s,current_A,voltage_V "
        "starting from full charge (e.g. a constant-current discharge); repeatable.")] = None,
) -> None:
    """Fit OCV, R0, R1 and tau1 per 5 % SOC band and write a cell preset."""
    from .cell import CellError
    from .ecm_fit import (
        FitDataError,
        dump_toml,
        fit_ecm,
        fitted_preset,
        read_csv_columns,
        read_test_csv,
        score_fit,
    )

    base: dict = {}
    if template:
        try:
            path = (Path(template) if template.endswith(".toml")
                    else catalog.preset_path("cells", template))
            import tomllib

            base = tomllib.loads(path.read_text())
        except (catalog.UnknownPresetError, OSError, ValueError) as exc:
            _fail(f"--template: {exc}")
    v_min = v_min_V if v_min_V is not None else base.get("v_min_V")
    v_max = v_max_V if v_max_V is not None else base.get("v_max_V")
    if v_min is None or v_max is None:
        _fail("--v-min-V and --v-max-V: required (or a --template that has them)")
    try:
        test = read_test_csv(data)
        curve = read_csv_columns(ocv, ("soc", "ocv_V")) if ocv else None
        extra = tuple(read_test_csv(p) for p in also or ())
        result = fit_ecm(test, float(v_min), float(v_max), capacity_Ah=capacity_Ah,
                         ocv_soc=curve["soc"] if curve else None,
                         ocv_V=curve["ocv_V"] if curve else None, extra=extra)
    except FitDataError as exc:
        _fail(str(exc))
    if not base:
        base = _bare_template(test, result.capacity_Ah)
    preset = fitted_preset(result, name, base, str(data))
    try:
        rmse, _ = score_fit(preset, test)
    except CellError as exc:
        _fail(f"the fitted cell is not valid (use --template for its ratings): {exc}")
    preset["fit"]["rmse_V"] = round(rmse, 5)
    target = out or Path(f"{name}.toml")
    write_atomic(target, dump_toml(preset))
    typer.echo(f"{name}: capacity {result.capacity_Ah:.4f} Ah ({result.capacity_method}); "
               f"voltage RMSE {1e3 * rmse:.2f} mV -> {target}")


def _bare_template(test, capacity_Ah: float) -> dict:
    """Ratings for a fit without template: limits from the data, stated as assumptions."""
    i_dis = float(max(test.current_A.max(), capacity_Ah))
    i_chg = float(max(-test.current_A.min(), 0.5 * capacity_Ah))
    cp = catalog.factors("cell_defaults")["specific_heat_J_per_kgK"]
    mid = float(np.median(test.voltage_V))
    return {
        "chemistry": "nmc811-graphite", "format": "pouch", "nominal_voltage_V": round(mid, 3),
        "mass_kg": 1.0, "volume_L": 1.0, "i_max_discharge_A": i_dis, "i_max_charge_A": i_chg,
        "i_peak_discharge_A": i_dis, "i_peak_charge_A": i_chg,
        "specific_heat_J_per_kgK": cp["value"],
        "charge_map": {"soc": [0.0, 1.0], "temperature_C": [0.0, 45.0],
                       "c_rate_max": [[i_chg / capacity_Ah] * 2] * 2},
        "assumptions": [
            "no --template: chemistry, format, mass (1 kg) and volume (1 L) are placeholders "
            "to be replaced by the cell's datasheet values",
            "current limits and charge map: the largest currents in the fitted data",
            "nominal voltage: the median voltage of the data",
        ],
        "sources": {"specific_heat_J_per_kgK": cp["source"]},
    }
