"""The command line: the example study end to end, exit codes, clear errors, presets."""

import itertools
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "performance-suv-battery-options.toml"


def packstudy(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "packstudy.cli", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, timeout=600)


def test_example_study_runs_and_writes_results(tmp_path):
    out = tmp_path / "results"
    run = packstudy("run", EXAMPLE, "--out", out)
    assert run.returncode == 0, run.stderr
    doc = json.loads((out / "results.json").read_text())
    names = [c["name"] for c in doc["candidates"]]
    assert len(names) == 5
    table = pq.read_table(out / "results.parquet")
    assert table.column("candidate").to_pylist() == names
    assert (out / "results.csv").read_text().startswith('"candidate"')
    for cand in doc["candidates"]:
        m = cand["metrics"]
        assert 300 < m["wltp_range_km"] < 900
        assert 12 < m["wltp_kWh_per_100km"] < 35
        assert m["epa_combined_kWh_per_100km"] > m["epa_city_unadjusted_kWh_per_100km"]
    assert "WLTP range" in run.stdout
    assert not list(out.glob(".*.tmp")), "temporary files left behind"
    assert not (out / ".packstudy.lock").exists()
    umask = os.umask(0)
    os.umask(umask)
    assert {oct(p.stat().st_mode & 0o777) for p in out.iterdir()} == {oct(0o666 & ~umask)}
    # the terminal names the requirements each candidate misses
    after = run.stdout.split("Requirements not met:\n")[1].splitlines()
    block = itertools.takewhile(lambda line: line.startswith("  ") and ": " in line, after)
    missed = dict(line.strip().split(": ", 1) for line in block)
    failing = {c["name"]: c["verdict"]["failed"] for c in doc["candidates"] if c["verdict"]["failed"]}
    assert failing and set(missed) == set(failing)
    for name, failed in failing.items():
        assert failed == [" ".join(re.fullmatch(r"([\w:]+) \S+ \((min|max) \S+\)", part).groups())
                          for part in missed[name].split("; ")]


def test_bad_study_exits_2_with_every_problem_and_no_traceback(tmp_path):
    study = tmp_path / "bad.toml"
    study.write_text(
        '[vehicle]\npreset = "tesla-model-3-rwd"\ntest_mass_kg = -1\nmotor_peak_kw = 200\n'
        '[[candidate]]\nname = "x"\ncell = "nmc811-pouh"\npack = { usable_energy_kWh = 0 }\n')
    run = packstudy("run", study, "--out", tmp_path / "o")
    assert run.returncode == 2
    err = run.stderr
    assert "Traceback" not in err
    assert str(study) in err
    assert "vehicle.test_mass_kg" in err
    assert "did you mean 'motor_peak_kW'" in err
    assert "candidate[0].pack.usable_energy_kWh" in err
    assert not (tmp_path / "o").exists()


def test_problems_in_every_settings_table_are_reported_at_once(tmp_path):
    """A bad value in [cost], [footprint], [uncertainty], [vehicle.calibration], an inline
    cell and an inline charger: exit 2, one message naming the file and each problem at its
    path, before anything runs."""
    cell = (REPO / "src" / "packstudy" / "data" / "cells" / "nmc811-pouch.toml").read_text()
    cell = re.sub(r"^capacity_Ah = .*$", "capacity_Ah = -3.0", cell, flags=re.M)
    cell = re.sub(r"^\[(\w+)\]", r"[candidate.cell.\1]", cell, flags=re.M)  # its tables, inline
    study = tmp_path / "settings.toml"
    study.write_text(
        '[vehicle]\npreset = "tesla-model-3-rwd"\n'
        '[vehicle.calibration]\nwltp_rnage_km = 500.0\n'
        '[cost]\nyear = 1999\n[footprint]\nregion = "atlantis"\n[uncertainty]\nsamples = -100\n'
        '[[candidate]]\nname = "charger"\npack = { series = 96, parallel = 3 }\n'
        'charger = { power_kW = 250.0, current_A = -5.0 }\n'
        '[[candidate]]\nname = "inline cell"\npack = { series = 96, parallel = 3 }\n'
        '[candidate.cell]\n' + cell)
    run = packstudy("run", study, "--out", tmp_path / "o")
    assert run.returncode == 2, run.stderr
    err = run.stderr
    assert "Traceback" not in err and not (tmp_path / "o").exists()
    assert f"{study}: 6 problems in the study file" in err, err
    for line in ("vehicle.calibration.wltp_rnage_km: unknown key 'wltp_rnage_km'; did you mean "
                 "'wltp_range_km'",
                 "cost.year: 1999 has no price index; allowed: 2019-",
                 "footprint.region: unknown region 'atlantis'; allowed: china,",
                 "uncertainty.samples: must be greater than or equal to 10 (allowed: 10 to 100000); got -100",
                 "candidate[0].charger.current_A: must be greater than 0 (allowed: 0 to 3000); got -5.0",
                 "candidate[1].cell.capacity_Ah: must be a positive number; got -3.0"):
        assert line in err, line


def test_toml_syntax_error_exits_2(tmp_path):
    study = tmp_path / "syntax.toml"
    study.write_text("[vehicle\n")
    run = packstudy("run", study)
    assert run.returncode == 2
    assert "line 1" in run.stderr and "Traceback" not in run.stderr


def test_missing_study_file_exits_2(tmp_path):
    run = packstudy("run", tmp_path / "nope.toml")
    assert run.returncode == 2
    assert "does not exist" in run.stderr


def test_presets_list_and_show():
    listed = packstudy("presets", "list")
    assert listed.returncode == 0
    assert "polestar-3-long-range-dual-motor" in listed.stdout
    assert "wltc_class3b" in listed.stdout
    shown = packstudy("presets", "show", "vw-id4-pro")
    assert shown.returncode == 0 and "[sources]" in shown.stdout
    unknown = packstudy("presets", "show", "vw-id4-pr")
    assert unknown.returncode == 2 and "vw-id4-pro" in unknown.stderr
    charger = packstudy("presets", "show", "ccs-350kw-920v")
    assert charger.returncode == 0 and "max_voltage_V = 920.0" in charger.stdout


@pytest.mark.parametrize("kind", ["vehicles", "cells", "chargers", "cycles"])
def test_presets_list_one_kind(kind):
    run = packstudy("presets", "list", kind)
    assert run.returncode == 0 and kind in run.stdout


def test_vehicle_calibrate_reports_fit_and_residuals():
    run = packstudy("vehicle", "calibrate", EXAMPLE)
    assert run.returncode == 0, run.stderr
    assert "Vehicle calibration" in run.stdout and "regen_fraction" in run.stdout
    assert "epa_city_unadjusted_kWh_per_100km" in run.stdout


def test_calibration_recorded_in_results(tmp_path):
    out = tmp_path / "r"
    assert packstudy("run", EXAMPLE, "--out", out).returncode == 0
    fit = json.loads((out / "results.json").read_text())["vehicle_calibration"]
    assert set(fit["targets"]) == {"epa_city_unadjusted_kWh_per_100km",
                                   "epa_highway_unadjusted_kWh_per_100km"}
    assert all(abs(r) < 1.0 for r in fit["residual_pct"].values())


def test_vehicle_calibrate_without_targets_exits_2(tmp_path):
    study = tmp_path / "s.toml"
    study.write_text('[vehicle]\ntest_mass_kg = 2000\nroad_load = { f0_N = 120, f1_N_per_mps = 1.5, '
                     'f2_N_per_mps2 = 0.4 }\n[[candidate]]\nname = "a"\npack = { usable_energy_kWh = 70 }\n')
    run = packstudy("vehicle", "calibrate", study)
    assert run.returncode == 2 and "vehicle.calibration" in run.stderr


BAD_CELL = (
    '{ name = "x", chemistry = "nmc811-graphite", format = "pouch", capacity_Ah = -5, '
    'nominal_voltage_V = 3.6, v_min_V = 2.5, v_max_V = 4.2, mass_kg = 0.07, volume_L = 0.02, '
    'i_max_discharge_A = 10, i_peak_discharge_A = 20, i_max_charge_A = 5, i_peak_charge_A = 10, '
    'specific_heat_J_per_kgK = 1000, ocv = { soc = [0, 0.5, 1], ocv_V = [3.0, 3.9, 3.8] }, '
    'resistance = { soc = [0, 1], r0_ohm = [0.02, 0.02], r1_ohm = [0.01, 0.01], tau1_s = [30, 30], '
    'activation_energy_J_per_mol = 30000 }, charge_map = { soc = [0, 1], temperature_C = [0, 25], '
    'c_rate_max = [[1, 1], [0.5, 0.5]] } }')


def test_bad_cell_and_unreachable_pack_voltage_exit_2_naming_candidate_and_field(tmp_path):
    study = tmp_path / "cells.toml"
    study.write_text('[vehicle]\npreset = "tesla-model-3-rwd"\n'
                     f'[[candidate]]\nname = "bad cell"\ncell = {BAD_CELL}\n'
                     'pack = { usable_energy_kWh = 60 }\n')
    run = packstudy("run", study, "--out", tmp_path / "o")
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "candidate[0].cell" in run.stderr
    assert "capacity_Ah: must be a positive number; got -5" in run.stderr
    assert "ocv.ocv_V: must increase strictly with SOC" in run.stderr

    study.write_text('[vehicle]\npreset = "tesla-model-3-rwd"\n[[candidate]]\nname = "ok"\n'
                     'pack = { usable_energy_kWh = 60 }\n[[candidate]]\nname = "2 V"\n'
                     'pack = { usable_energy_kWh = 60, nominal_voltage_V = 2 }\n')
    run = packstudy("run", study, "--out", tmp_path / "o")
    assert run.returncode == 2
    assert "candidate[1].pack.nominal_voltage_V: too low to reach" in run.stderr


def test_study_with_a_cell_file_of_its_own_runs_and_reports_it(tmp_path):
    """``cell = "cells/mine.toml"`` (a path from the study's folder, as ``packstudy cell fit
    --out`` writes) runs end to end, run from another folder; the report lists the file's
    sources."""
    (tmp_path / "cells").mkdir()
    mine = (REPO / "src" / "packstudy" / "data" / "cells" / "nmc811-pouch.toml").read_text()
    (tmp_path / "cells" / "mine.toml").write_text(mine.replace('name = "nmc811-pouch"',
                                                               'name = "mine"'))
    study = tmp_path / "study.toml"
    study.write_text('schema_version = 1\n[study]\nprocedures = ["wltp"]\n'
                     '[vehicle]\npreset = "vw-id4-pro"\n'
                     '[[candidate]]\nname = "own cell"\ncell = "cells/mine.toml"\n'
                     'pack = { usable_energy_kWh = 77, nominal_voltage_V = 400 }\n')
    out = tmp_path / "results"
    run = packstudy("run", study, "--out", out, cwd=REPO)
    assert run.returncode == 0, run.stderr
    doc = json.loads((out / "results.json").read_text())
    assert 300 < doc["candidates"][0]["metrics"]["wltp_range_km"] < 700
    assert "Cell file: cells/mine.toml" in (out / "report.html").read_text()


def test_unusable_executor_exits_2_with_what_to_do(tmp_path):
    """An unknown executor, or a Dask address where no scheduler answers, is a usage error
    (exit 2, one line saying what to do), not an internal error."""
    sweep = REPO / "examples" / "performance-suv-sweep.toml"
    run = packstudy("run", sweep, "--out", tmp_path / "a", "--executor", "ray")
    assert run.returncode == 2 and "--executor: unknown executor 'ray'; valid: local, dask" in run.stderr
    pytest.importorskip("distributed")
    env = {**os.environ, "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "1s"}
    run = subprocess.run([sys.executable, "-m", "packstudy.cli", "run", str(sweep), "--out",
                          str(tmp_path / "b"), "--executor", "dask", "--address", "tcp://127.0.0.1:9"],
                         capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 2, run.stderr
    assert "--address tcp://127.0.0.1:9: no Dask scheduler answered" in run.stderr
    assert "Traceback" not in run.stderr


def test_help_text_keeps_its_bracketed_table_names():
    """Help text is printed as written: a TOML table name in brackets is not taken for markup
    (Rich's markup dropped "[vehicle.calibration]" from the calibrate command's help)."""
    run = packstudy("vehicle", "calibrate", "--help")
    assert run.returncode == 0, run.stderr
    assert "known results ([vehicle.calibration])" in " ".join(run.stdout.split())



@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="counts threads in /proc")
def test_the_command_runs_numpy_with_one_blas_thread_unless_the_user_sets_it():
    """The workers are the parallelism: numpy's BLAS loads without its thread pool (one
    thread in the process after the CLI's imports), and a user's own setting is kept."""
    code = ("import os, packstudy.cli; status = open('/proc/self/status').read(); "
            "print(os.environ['OPENBLAS_NUM_THREADS'], status.split('Threads:')[1].split()[0])")
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert run.stdout.split() == ["1", "1"], run.stderr
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**env, "OPENBLAS_NUM_THREADS": "2"})
    assert run.stdout.split()[0] == "2", run.stderr


def test_the_run_answers_numbas_blas_probe_without_importing_scipy(tmp_path):
    """numba's BLAS probe imports scipy.linalg where scipy is installed (0.17 s); no kernel
    calls BLAS, so a run loads its kernels without it, and scipy imports as usual after."""
    pytest.importorskip("scipy")
    study = tmp_path / "s.toml"
    study.write_text('[study]\nname = "probe"\nprocedures = ["wltp"]\n[vehicle]\n'
                     'preset = "tesla-model-3-rwd"\n[[candidate]]\nname = "a"\n'
                     'pack = { usable_energy_kWh = 60, nominal_voltage_V = 400 }\n')
    code = ("import sys\nfrom packstudy import cli\n"
            f"try:\n    cli.app(['run', {str(study)!r}, '--out', {str(tmp_path / 'o')!r}])\n"
            "except SystemExit as done:\n    assert not done.code, done.code\n"
            "print('scipy.linalg' in sys.modules)\n"
            "import scipy.linalg.cython_blas\nprint('imported')")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert run.stdout.split()[-2:] == ["False", "imported"], run.stdout + run.stderr
    assert (tmp_path / "o" / "results.json").is_file()


def test_run_turns_the_cyclic_gc_off_and_back_on(tmp_path, monkeypatch):
    """The run works with the cyclic garbage collector off (cli._cyclic_gc_off) and hands
    it back on to the program that called it, here pytest."""
    import gc

    from typer.testing import CliRunner

    from packstudy import cli, runner

    seen = []
    real = runner.run_study

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(runner, "run_study", spy)
    assert gc.isenabled()
    done = CliRunner().invoke(cli.app, ["run", str(EXAMPLE), "--out", str(tmp_path / "r")])
    assert done.exit_code == 0, done.output
    assert seen == [False]
    assert gc.isenabled()
