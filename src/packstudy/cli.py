"""The ``packstudy`` command: run studies, list and show presets, cell tools."""

from __future__ import annotations

import os

# One BLAS thread per process, set before numpy loads its BLAS: a sweep runs on one worker
# process per core, and packstudy's linear algebra (the calibration's small solves) gains
# nothing from BLAS threads, which would compete with the workers for the cores and spin
# after each call. A user's own OPENBLAS_NUM_THREADS is kept.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import contextlib
import gc
import shutil
import sys
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from . import catalog, metrics
from .cli_cell import app as cell_app
from .lookup import unknown

app = typer.Typer(rich_markup_mode=None, no_args_is_help=True, add_completion=False,
                  help="EV battery-system feasibility studies: technical, cost and footprint.")
presets_app = typer.Typer(no_args_is_help=True, help="List and show shipped presets.", rich_markup_mode=None)
app.add_typer(presets_app, name="presets")
vehicle_app = typer.Typer(no_args_is_help=True, help="Vehicle tools: calibrate.", rich_markup_mode=None)
app.add_typer(vehicle_app, name="vehicle")
app.add_typer(cell_app, name="cell", help="Cell tools: discharge, profile, fit, age.")

def _print_version(value: bool) -> None:
    if value:
        from .version import __version__

        typer.echo(f"packstudy {__version__}")
        raise typer.Exit()


@app.callback()
def _options(version: Annotated[bool, typer.Option("--version", callback=_print_version, is_eager=True,
                                                    help="Print the version and exit.")] = False):
    pass


# wide enough for the summary table when the output is not a terminal (files, CI logs)
console = Console(width=max(shutil.get_terminal_size((160, 40)).columns, 120))
errors = Console(stderr=True)

# (name, label with unit, format) per row, from the metric registry
SUMMARY_METRICS = metrics.summary_rows()


@app.command()
def run(
    study: Annotated[Path, typer.Argument(help="Study file (TOML).")],
    out: Annotated[Path | None, typer.Option(help="Output folder (default: STUDY-results).")] = None,
    executor: Annotated[str, typer.Option(help="Sweep executor: local | dask.")] = "local",
    address: Annotated[str | None, typer.Option(help="Dask scheduler address (dask executor).")] = None,
    workers: Annotated[int | None, typer.Option(help="Local worker processes (default: cores).")] = None,
    resume: Annotated[bool, typer.Option(help="Sweep: reuse finished batches in OUT.")] = False,
):
    """Run a study: design packs, simulate the procedures, write results and a summary."""
    with _cyclic_gc_off():
        _run(study, out, executor, address, workers, resume)


@contextlib.contextmanager
def _cyclic_gc_off():
    """The cyclic garbage collector off for a one-shot command, and on again after it (the
    command may run inside another program, a test). What a run builds (modules, numba's
    registries, the study, the batches' arrays) holds almost no reference cycles and lives to
    the end, yet each collection walks it again: on, it took about a tenth of a 10,000-variant
    run (imports 0.55 -> 0.47 s, numba's set-up 0.41 -> 0.29 s; 50 batches 2.6 -> 2.2 s, with
    no growth of memory). The forked workers and writers inherit the setting."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _numba_without_blas_probe() -> None:
    """Answer numba's BLAS probe with "none" in this process. numba looks for a BLAS when it
    first loads a kernel, by importing scipy.linalg wherever scipy is installed (0.17 s of a
    1.5 s run); no packstudy kernel calls BLAS (numba then computes its own inner products in
    loops). scipy itself imports as usual afterwards."""
    if "scipy.linalg.cython_blas" in sys.modules:  # already imported: the probe is free
        return
    sys.modules["scipy.linalg.cython_blas"] = None  # an import of it fails at once
    try:
        import numba.np.arraymath  # noqa: F401 - the module that probes, once, on import
    finally:
        del sys.modules["scipy.linalg.cython_blas"]


def _run(study: Path, out: Path | None, executor: str, address: str | None,
         workers: int | None, resume: bool) -> None:
    _numba_without_blas_probe()
    from . import forked
    from .report import write_report
    from .results import write_json, write_tables
    from .runner import run_study
    from .spec import StudyError
    from .store import OutputError, OutputLock
    from .sweep import ExecutorError

    out = out or Path(f"{study.stem}-results")
    # what exists now (modules, then the loaded kernels and the results) lives to the end: frozen,
    # the final collection at exit skips it
    gc.freeze()
    try:
        # first the output folder: one we can write to, and ours alone for the whole run
        with OutputLock(out, log=_say):
            _say_if_compiling()
            with _sweep_progress() as progress:
                result = run_study(study, out_dir=out, executor=executor, address=address,
                                   workers=workers, resume=resume, progress=progress, log=_say)
            gc.freeze()
            result.verdicts  # noqa: B018 - computed once, before the writers read it
            # results.json (the longest to write) in a child; here, beside it, the report, the
            # summary and the tables: two processes for the two cores (a third, the tables in
            # a child of their own, made the JSON share a core and finish later)
            writers = [forked.start(write_json, result, out)]
            try:
                report = write_report(result, out / "report.html")
                _print_study(result)
                tables = write_tables(result, out)
            finally:  # the child's file in place (or an error) while the folder is ours
                written = [path for paths in forked.wait_all(writers) for path in paths]
            paths = [*written, *tables, report]
    except (StudyError, ExecutorError, OutputError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        kept = len([*out.glob("sweep/batch-*.parquet"), *out.glob("vehicle-*/sweep/batch-*.parquet")])
        how = (f"{kept} finished batches are kept in {out / 'sweep'}; continue with: packstudy run "
               f"{study} --out {out} --resume" if kept else "no results were written")
        typer.echo(f"interrupted: {how}", err=True)
        raise typer.Exit(130) from None
    except Exception as exc:  # an internal error: short message, traceback on request
        if os.environ.get("PACKSTUDY_DEBUG"):
            raise
        typer.echo(f"internal error: {type(exc).__name__}: {exc} "
                   "(set PACKSTUDY_DEBUG=1 for the traceback)", err=True)
        raise typer.Exit(1) from None
    console.print(f"Results written: {', '.join(str(p) for p in paths)}")


def _print_study(result) -> None:
    """The terminal summary of a study: each vehicle's, then the platform's."""
    from .platforms import PlatformResult

    if isinstance(result, PlatformResult):
        for vehicle, part in zip(result.vehicles, result.parts, strict=True):
            console.rule(f"[bold]{vehicle}[/]")
            _print_result(part, title=f"{part.study.study.name}: {vehicle}")
        console.rule("[bold]Platform[/]")
        console.print(platform_table(result))
        for note in result.notes:
            console.print(f"[yellow]note:[/yellow] {note}", highlight=False)
    else:
        _print_result(result)


def _print_result(result, title: str | None = None) -> None:
    """One vehicle's results: its calibration, "does the model reproduce the car?", the summary
    (or a sweep's front), the requirements missed, the limits crossed and the notes."""
    if result.calibration is not None:
        _print_calibration(result.calibration)
    if result.reproduction:
        console.print(reproduction_table(result))
    if len(result.names) <= SUMMARY_MAX_COLUMNS:
        console.print(summary_table(result, title))
        failed = failed_requirements(result)
        if failed:
            console.print("Requirements not met:\n" + "\n".join(f"  {line}" for line in failed),
                          highlight=False, markup=False, soft_wrap=True)
    else:
        console.print(sweep_summary(result))
    crossed = limits_table(result)
    if crossed is not None:
        console.print(crossed)
    for note in result.notes:
        console.print(f"[yellow]note:[/yellow] {note}", highlight=False)


PLATFORM_MAX_ROWS = 25  # candidates (or variants) listed in the platform table


def platform_table(result) -> Table:
    """Per candidate: its verdict on each vehicle and on the platform (pass on every vehicle)."""
    verdicts = result.verdicts
    passing = sum(v["overall"] == "pass" for v in verdicts.values())
    table = Table(title=f"{result.study.study.name}: platform of {len(result.vehicles)} vehicles",
                  caption=f"{passing:,} of {len(verdicts):,} pass on every vehicle")
    table.add_column("candidate")
    for vehicle in result.vehicles:
        table.add_column(vehicle, justify="right")
    table.add_column("platform", justify="right")
    for name, verdict in list(verdicts.items())[:PLATFORM_MAX_ROWS]:
        table.add_row(name, *(_verdict_word(verdict["vehicles"][v]) for v in result.vehicles),
                      _verdict_word(verdict["overall"]))
    return table


def _verdict_word(value: str) -> str:
    return {"pass": "[green]pass[/]", "fail": "[red]fail[/]"}.get(value, "[dim]-[/]")


def _say(message: str) -> None:
    errors.print(message, highlight=False, markup=False, soft_wrap=True)


def _say_if_compiling() -> None:
    """One line before the first run after an install, while numba compiles the kernels into
    its cache (10-30 s of silence otherwise); later runs load them from the cache."""
    from . import kernel

    try:
        index = Path(kernel.drive_cycle._cache._cache_file._index_path)
    except AttributeError:  # another numba: say nothing rather than guess
        return
    if not index.is_file():
        _say("compiling the simulation kernels (first run after an install only; 10-30 s)...")


class _sweep_progress:
    """A rich progress bar (variants done, variants per second, time left) for sweeps."""

    def __enter__(self):
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        self._bar = Progress(TextColumn("sweep"), BarColumn(),
                             TextColumn("{task.completed:,.0f}/{task.total:,.0f} variants"),
                             TextColumn("{task.fields[rate]}"), TimeRemainingColumn(),
                             console=errors, transient=True)
        self._task = None
        return self.update

    def update(self, done: int, total: int, elapsed_s: float) -> None:
        if self._task is None:
            self._bar.start()
            self._task = self._bar.add_task("sweep", total=total, rate="", start_done=done)
            self._start_done = done
        rate = (done - self._start_done) / elapsed_s if elapsed_s > 0 else 0.0
        self._bar.update(self._task, completed=done, rate=f"{rate:,.0f} variants/s")

    def __exit__(self, *exc):
        if self._task is not None:
            self._bar.stop()
        return False


SUMMARY_MAX_COLUMNS = 8


def sweep_summary(result) -> Table:
    """A sweep: the Pareto-front variants (swept values and objectives) and how many pass."""
    sweep = result.study.sweep
    keys = list(sweep.parameters) if sweep else []
    objectives = [o.partition(":")[2] for o in sweep.objectives] if sweep else []
    shown = list(dict.fromkeys(objectives + ["wltp_range_km", "pack_cost_usd", "pack_mass_kg"]))
    shown = [k for k in shown if k in result.metrics]
    front = "pareto" in result.metrics
    table = Table(title=f"{result.study.study.name}: {len(result.names):,} variants"
                  + (", Pareto front" if front else ""))
    for key in keys + shown:
        table.add_column(key, justify="left" if key in keys else "right")
    rows = (np.flatnonzero(result.metrics["pareto"] > 0) if front
            else np.arange(min(len(result.names), 10)))
    if shown:
        rows = rows[np.argsort(result.metrics[shown[0]][rows], kind="stable")]
    for i in rows[:25]:
        cand = result.study.candidate[i]
        values = [str(cand.cell if key == "cell" else getattr(cand, key, None)
                      if not key.startswith("pack.") else getattr(cand.pack, key[5:]))
                  for key in keys]
        table.add_row(*values, *(_number(result.metrics[k][i]) for k in shown))
    if result.checks:
        passing = sum(v["overall"] == "pass" for v in result.verdicts.values())
        table.caption = (f"{len(rows)} on the front (first 25 shown); {passing:,} of "
                         f"{len(result.names):,} variants meet every requirement")
    return table


def reproduction_table(result) -> Table:
    """"Does the model reproduce the car?": the vehicle's published figures beside the model
    of its as-built car (a candidate, or computed apart), with the error and the tolerance."""
    table = Table(title=f"Does the model reproduce the car? ({result.reproduction[0]['candidate']})")
    for column in ("published figure", "published", "model", "error", "tolerance"):
        table.add_column(column, justify="left" if column == "published figure" else "right")
    for r in result.reproduction:
        error = f"{r['error_pct']:+.1f} %" if np.isfinite(r["error_pct"]) else "-"
        colour = {True: "green", False: "red"}.get(r["within"])
        tolerance = (f"{r['tolerance_pct']:g} %" if r["tolerance_pct"] else
                     "fitted to it" if r["calibrated"] else "")
        table.add_row(r["metric"], f"{r['published']:g}", f"{r['model']:.4g}",
                      f"[{colour}]{error}[/]" if colour else error, tolerance)
    return table


LIMITS_MAX_ROWS = 20  # crossed limit checks listed in the terminal (all are in results.json)


def limits_table(result) -> Table | None:
    """The ``limit:`` checks that fail, with value, limit and margin (None when none fails)."""
    c = result.checks
    limit = np.array([m.startswith("limit:") for m in c.metric], bool).reshape(-1, 1)
    rows, cols = np.nonzero((c.failed & limit).T)  # candidate by candidate, bounds in order
    if not rows.size:
        return None
    table = Table(title=f"Design limits crossed ({rows.size:,})")
    for column in ("candidate", "check", "value", "limit", "margin"):
        table.add_column(column, justify="left" if column in ("candidate", "check") else "right")
    for i, j in zip(rows[:LIMITS_MAX_ROWS].tolist(), cols[:LIMITS_MAX_ROWS].tolist(), strict=True):
        pct = f" ({c.margin_pct[j, i]:+.1f} %)" if np.isfinite(c.margin_pct[j, i]) else ""
        table.add_row(c.names[i], f"{c.metric[j]} {c.bound[j]}", _number(c.value[j, i]),
                      _number(c.limit[j, i]), f"[red]{_number(c.margin[j, i])}{pct}[/]")
    return table


def summary_table(result, title: str | None = None) -> Table:
    """Key metrics per candidate (with the delta to the baseline when there is one), then the
    verdict per area when there are requirements."""
    from .report.labels import needs_baseline_mark

    baseline = result.study.study.baseline
    table = Table(title=title or result.study.study.name, show_lines=False)
    table.add_column("metric", no_wrap=True)
    for name in result.names:
        table.add_column(name + (" (baseline)" if needs_baseline_mark(name, baseline) else ""),
                         justify="right")
    for key, label, fmt in SUMMARY_METRICS:
        if key not in result.metrics:
            continue
        cells = []
        for i, value in enumerate(result.metrics[key]):
            text = fmt.format(value) if np.isfinite(value) else "n/a"
            delta = result.deltas.get(f"delta_{key}")
            if delta is not None and result.names[i] != baseline and np.isfinite(delta[i]):
                text += f" ({'+' if delta[i] >= 0 else '-'}{fmt.format(abs(delta[i]))})"
            cells.append(text)
        table.add_row(label, *cells)
    if result.checks:
        verdict = result.verdicts
        for area in ("technical", "cost", "sustainability", "overall"):
            table.add_row(f"Verdict: {area}", *(_verdict_text(verdict[n], area) for n in result.names))
    return table


def failed_requirements(result) -> list[str]:
    """One line per candidate that misses a requirement: each missed one with the value
    and the limit ("wltp_range_km 532 (min 560)")."""
    lines = []
    for i, name in enumerate(result.names):
        missed = [f"{c['metric']} {_number(c['value'])} ({c['bound']} {_number(c['limit'])})"
                  for c in result.checks.row(i) if not c["passed"]]
        if missed:
            lines.append(f"{name}: {'; '.join(missed)}")
    return lines


def _number(x: float) -> str:
    if not np.isfinite(x):
        return "n/a"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def _verdict_text(verdict: dict, area: str) -> str:
    value = verdict[area]
    if value == "pass":
        return "[green]pass[/]"
    if value == "fail":
        failed = len(verdict["failed"]) if area == "overall" else None
        return f"[red]fail{f' ({failed})' if failed else ''}[/]"
    return "[dim]-[/]"


@vehicle_app.command("calibrate")
def vehicle_calibrate(study: Annotated[Path, typer.Argument(help="Study file (TOML).")]):
    """Fit the vehicle's drivetrain to its known results ([vehicle.calibration]) and report
    the fitted values, residuals and whether the fit is well determined (each vehicle's, for a
    platform study)."""
    from .platforms import is_platform, parse_platform
    from .spec import StudyError, parse_study, read_study_file
    from .study import has_calibration_targets, prepare

    try:
        raw = read_study_file(study)
        specs = (parse_platform(raw, source=str(study), base_dir=study.parent) if is_platform(raw)
                 else [parse_study(raw, source=str(study), base_dir=study.parent)])
        missing = [f"vehicle{f'[{i}]' if len(specs) > 1 else ''}.calibration: no known results to "
                   "fit (give e.g. epa_city_unadjusted_kWh_per_100km and "
                   "epa_highway_unadjusted_kWh_per_100km)"
                   for i, spec in enumerate(specs) if not has_calibration_targets(spec)]
        if missing:
            raise StudyError(str(study), missing)
        fits = [(spec.vehicle.name, prepare(spec, study.parent).calibration) for spec in specs]
    except StudyError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    for name, fit in fits:
        if len(fits) > 1:
            console.rule(f"[bold]{name}[/]")
        _print_fit(fit)


def _print_fit(fit) -> None:
    """A calibration's fitted parameters (with defaults and bounds) and known results."""
    _print_calibration(fit)
    table = Table(title="Fitted drivetrain parameters")
    for column in ("parameter", "fitted", "default", "low", "high"):
        table.add_column(column, justify="left" if column == "parameter" else "right")
    for key, value in fit.parameters.items():
        low, high = fit.bounds[key]
        table.add_row(key, f"{value:.4g}", f"{fit.defaults[key]:.4g}", f"{low:.4g}", f"{high:.4g}")
    console.print(table)
    residuals = Table(title="Known results")
    for column in ("result", "target", "model", "residual"):
        residuals.add_column(column, justify="left" if column == "result" else "right")
    for key, target in fit.targets.items():
        residuals.add_row(key, f"{target:.4g}", f"{fit.predicted[key]:.4g}",
                          f"{fit.residual_pct[key]:+.2f} %")
    console.print(residuals)


def _print_calibration(fit) -> None:
    colour = "green" if fit.met and fit.well_determined else "red"
    console.print(f"[{colour}]Vehicle calibration:[/] {fit.summary()}", highlight=False)


@presets_app.command("list")
def presets_list(
    kind: Annotated[str | None, typer.Argument(help="vehicles | cells | chargers | cycles")] = None,
):
    """List shipped presets (all kinds, or one)."""
    kinds = [kind] if kind else list(catalog.PRESET_KINDS)
    for k in kinds:
        if k not in catalog.PRESET_KINDS:
            errors.print(f"error: {unknown('preset kind', k, catalog.PRESET_KINDS)}")
            raise typer.Exit(2)
        console.print(f"[bold]{k}[/]")
        for name in catalog.list_presets(k):
            console.print(f"  {name}")


@presets_app.command("show")
def presets_show(name: Annotated[str, typer.Argument(help="Preset name.")]):
    """Print a preset file (vehicles, cells, chargers or cycles provenance) with its sources."""
    for kind in catalog.PRESET_KINDS:
        if name in catalog.list_presets(kind):
            path = catalog.preset_path(kind, name)
            if kind == "cycles":
                path = path.with_name("provenance.toml")
            console.print(path.read_text(), markup=False, highlight=False)
            return
    names = [n for k in catalog.PRESET_KINDS for n in catalog.list_presets(k)]
    errors.print(f"error: {unknown('preset', name, names, 'shipped')}", highlight=False)
    raise typer.Exit(2)


def main() -> None:  # pragma: no cover - entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
