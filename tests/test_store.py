"""The output folder survives damage and misuse: a damaged batch is named and recomputed, a
resumed sweep refuses files changed since, one run at a time writes into a folder (a killed
run's lock is taken over), Ctrl-C says how to resume, and file problems are input errors."""

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import lowest_priority

from packstudy import catalog
from packstudy.results import atomic_write

SWEEP = """
[study]
name = "store test"
procedures = ["wltp"]
cycles = {{ commute = "commute.csv" }}
[vehicle]
preset = "tesla-model-3-rwd"
[[candidate]]
name = "base"
pack = {{ usable_energy_kWh = 60, nominal_voltage_V = 400 }}
[sweep]
cell = ["nmc811-pouch", "lfp-prismatic"]
"pack.usable_energy_kWh" = {energies}
batch_size = {batch_size}
"""


def _study(folder: Path, batch_size: int = 2, energies=(50, 60, 70)) -> Path:
    """A sweep of two cells x ``energies`` (6 variants) that reads a custom cycle file of its own."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(catalog.data_dir() / "cycles" / "udds.csv", folder / "commute.csv")
    path = folder / "study.toml"
    path.write_text(SWEEP.format(batch_size=batch_size, energies=list(energies)))
    return path


# 100 energies x 2 cells: 200 one-variant batches, about 3 s of work, so that a run the tests
# stop or kill midway cannot finish first (30 batches, 0.4 s of work, once finished while a
# busy CI machine kept the test waiting)
LONG_RUN = [50 + 0.25 * i for i in range(100)]


def _cli(*args) -> list[str]:
    return [sys.executable, "-m", "packstudy.cli", *map(str, args)]


def _run(*args, **kwargs):
    return subprocess.run(_cli(*args), capture_output=True, text=True, timeout=600, **kwargs)


def _sweep(study, out, *extra):
    return _run("run", study, "--out", out, "--workers", "1", *extra)


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    """A clean run of the sweep: (study, out)."""
    folder = tmp_path_factory.mktemp("clean")
    study = _study(folder)
    run = _sweep(study, folder / "out")
    assert run.returncode == 0, run.stderr
    return study, folder / "out"


def test_a_truncated_batch_is_named_and_recomputed_to_the_clean_results(clean, tmp_path):
    study, reference = clean
    out = tmp_path / "out"
    shutil.copytree(reference, out)
    batch = out / "sweep" / "batch-000000002.parquet"
    data = batch.read_bytes()
    batch.write_bytes(data[: len(data) // 2])  # truncated: no Parquet footer
    flipped = out / "sweep" / "batch-000000004.parquet"
    raw = bytearray(flipped.read_bytes())
    raw[len(raw) // 3] ^= 0xFF  # one byte changed: the footer still reads
    flipped.write_bytes(bytes(raw))
    unrecorded = out / "sweep" / "batch-000000000.parquet"
    unrecorded.with_name(unrecorded.name + ".sha256").unlink()  # killed between the two writes
    (out / "results.parquet").unlink()

    run = _sweep(study, out, "--resume")
    assert run.returncode == 0, run.stderr
    assert f"{batch} is damaged (its content does not match the checksum" in run.stderr
    assert f"{flipped} is damaged (its content does not match the checksum" in run.stderr
    assert f"{unrecorded} is damaged (its checksum record is missing)" in run.stderr
    assert "0 of 3 batches reused" in run.stderr
    got, want = pq.read_table(out / "results.parquet"), pq.read_table(reference / "results.parquet")
    assert got.schema.equals(want.schema)
    assert got.to_pandas().equals(want.to_pandas())  # NaN (no value) equal to NaN


def test_resume_refuses_a_cycle_file_changed_since(clean, tmp_path):
    _, reference = clean
    folder = tmp_path / "s"
    study = _study(folder)
    out = folder / "out"
    shutil.copytree(reference, out)
    cycle = folder / "commute.csv"
    cycle.write_text(cycle.read_text().replace("\n1,0\n", "\n1,0.5\n"))

    run = _sweep(study, out, "--resume")
    assert run.returncode == 2
    assert "'commute.csv'" in run.stderr and "changed since" in run.stderr
    assert "Traceback" not in run.stderr
    for batch in (reference / "sweep").glob("batch-*"):  # the store is left as it was
        assert (out / "sweep" / batch.name).read_bytes() == batch.read_bytes()


def test_resume_refuses_a_damaged_manifest(clean, tmp_path):
    study, reference = clean
    out = tmp_path / "out"
    shutil.copytree(reference, out)
    manifest = out / "sweep" / "manifest.json"
    manifest.write_text(manifest.read_text()[:40])
    run = _sweep(study, out, "--resume")
    assert run.returncode == 2
    assert "manifest cannot be read" in run.stderr and "run without --resume" in run.stderr


def test_resume_refuses_a_swept_cell_file_changed_since(tmp_path):
    study = _study(tmp_path)
    shutil.copy(catalog.data_dir() / "cells" / "lfp-prismatic.toml", tmp_path / "my-cell.toml")
    study.write_text(study.read_text().replace('"lfp-prismatic"]', '"my-cell.toml"]')
                     .replace('[50, 60, 70]', '[60]'))
    out = tmp_path / "out"
    assert _sweep(study, out).returncode == 0
    manifest = json.loads((out / "sweep" / "manifest.json").read_text())
    assert set(manifest["inputs"]["files"]) == {"commute.csv", "my-cell.toml"}
    cell = tmp_path / "my-cell.toml"
    cell.write_text(cell.read_text() + "\n# edited\n")
    run = _sweep(study, out, "--resume")
    assert run.returncode == 2
    assert "'my-cell.toml'" in run.stderr and "changed since" in run.stderr


def test_out_naming_a_file_exits_2_and_leaves_it_untouched(tmp_path):
    study = _study(tmp_path)
    target = tmp_path / "results.txt"
    target.write_text("keep me\n")
    before = target.stat()
    run = _run("run", study, "--out", target)
    assert run.returncode == 2
    assert "is a file, not a folder" in run.stderr
    assert target.read_text() == "keep me\n" and target.stat().st_mtime_ns == before.st_mtime_ns


@pytest.mark.parametrize("out", ["{file}/sub", "{long}"])
def test_out_that_cannot_be_created_exits_2_before_running(tmp_path, out):
    study = _study(tmp_path)
    (tmp_path / "file").write_text("")
    out = out.format(file=tmp_path / "file", long=tmp_path / ("d" * 300))
    start = time.perf_counter()
    run = _run("run", study, "--out", out)
    assert run.returncode == 2, run.stderr
    assert run.stderr.startswith(f"error: --out {out}")
    assert "Traceback" not in run.stderr
    assert time.perf_counter() - start < 30


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_out_in_a_read_only_folder_exits_2(tmp_path):
    study = _study(tmp_path)
    locked = tmp_path / "ro"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        run = _run("run", study, "--out", locked / "out")
    finally:
        locked.chmod(0o700)
    assert run.returncode == 2
    assert "permission denied" in run.stderr


def test_one_run_at_a_time_and_a_killed_runs_lock_is_taken_over(tmp_path):
    study = _study(tmp_path, batch_size=1, energies=LONG_RUN)
    out = tmp_path / "out"
    first = subprocess.Popen(_cli("run", study, "--out", out, "--workers", "1"),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True, preexec_fn=lowest_priority)
    lock = out / ".packstudy.lock"
    try:
        deadline = time.time() + 120
        while not lock.exists() and time.time() < deadline:
            time.sleep(0.02)
        os.killpg(first.pid, signal.SIGSTOP)  # holds the lock as long as the test needs
        holder = json.loads(lock.read_text())
        assert holder["pid"] == first.pid

        second = _sweep(study, out)
        assert second.returncode == 2
        assert f"another packstudy run is writing into this folder (pid {first.pid}" in second.stderr
        assert holder["started"] in second.stderr
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    assert lock.exists(), "the killed run's lock is left behind"

    third = _sweep(study, out)
    assert third.returncode == 0, third.stderr
    assert f"taking over the lock of a run that is gone (pid {first.pid}" in third.stderr
    assert not lock.exists()
    assert (out / "results.parquet").exists()


def test_ctrl_c_says_how_to_resume_and_the_resumed_run_what_it_reused(tmp_path):
    study = _study(tmp_path, batch_size=1, energies=LONG_RUN)
    out = tmp_path / "out"
    proc = subprocess.Popen(_cli("run", study, "--out", out, "--workers", "1"),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, preexec_fn=lowest_priority)
    deadline = time.time() + 120
    while not list((out / "sweep").glob("batch-*.parquet")) and time.time() < deadline:
        time.sleep(0.005)
    # stopped first, so that the run cannot finish its last batches before Ctrl-C lands
    os.killpg(proc.pid, signal.SIGSTOP)
    assert proc.poll() is None, "the run finished before it could be interrupted"
    os.killpg(proc.pid, signal.SIGINT)
    os.killpg(proc.pid, signal.SIGCONT)
    _, err = proc.communicate(timeout=120)
    kept = len(list((out / "sweep").glob("batch-*.parquet")))
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert f"interrupted: {kept} finished batches are kept" in err
    assert f"--out {out} --resume" in err
    assert not (out / ".packstudy.lock").exists()

    run = _sweep(study, out, "--resume")
    assert run.returncode == 0, run.stderr
    assert f"resuming: {kept} of 200 batches reused" in run.stderr


def test_result_files_follow_the_umask(tmp_path):
    old = os.umask(0o027)
    try:
        atomic_write(tmp_path / "a.txt", lambda p: p.write_text("x"))
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a.txt").stat().st_mode) == 0o640


def test_a_binary_study_and_an_over_long_preset_name_exit_2(tmp_path):
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    run = _run("run", binary, "--out", tmp_path / "o")
    assert run.returncode == 2
    assert "not UTF-8 text" in run.stderr
    assert not (tmp_path / "o").exists(), "an empty output folder is left behind"

    study = _study(tmp_path)
    study.write_text(study.read_text().replace('"tesla-model-3-rwd"', '"' + "x" * 5000 + '"'))
    run = _run("run", study, "--out", tmp_path / "o")
    assert run.returncode == 2
    assert "unknown vehicle preset" in run.stderr and "(5000 characters)" in run.stderr
    assert "x" * 100 not in run.stderr


def test_version():
    run = _run("--version")
    assert run.returncode == 0
    assert run.stdout.strip() == f"packstudy {__import__('packstudy').__version__}"


def test_a_reused_pid_is_no_holder_and_another_hosts_lock_is_left_alone(tmp_path):
    """The holder is the same process only if its start time matches (containers reuse pids);
    a lock from another host cannot be checked, so it is refused with what to do."""
    from packstudy.store import OutputError, OutputLock

    live = subprocess.Popen(["sleep", "30"])
    lock = tmp_path / ".packstudy.lock"
    said = []
    try:
        lock.write_text(json.dumps({"pid": live.pid, "host": os.uname().nodename,
                                    "started": "earlier", "process_start": "1"}))
        with OutputLock(tmp_path, log=said.append):
            assert json.loads(lock.read_text())["pid"] == os.getpid()
        assert said and "taking over" in said[0] and not lock.exists()

        lock.write_text(json.dumps({"pid": live.pid, "host": "another-host", "started": "earlier"}))
        with pytest.raises(OutputError, match="another-host.*cannot tell whether it is alive"):
            with OutputLock(tmp_path):
                pass
        assert json.loads(lock.read_text())["host"] == "another-host"
    finally:
        live.kill()
        live.wait()


def test_a_folder_refusing_the_lock_file_is_an_output_error(tmp_path, monkeypatch):
    """What a read-only folder does to a user who is not root, simulated for root: creating the
    lock file fails with EACCES; the folder this run created is removed again."""
    import errno

    from packstudy import store

    def refuse(path, *args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(store.os, "open", refuse)
    with pytest.raises(store.OutputError, match=r"cannot write into the folder \(permission denied\)"):
        with store.OutputLock(tmp_path / "new"):
            pass
    assert not (tmp_path / "new").exists()


def test_a_cold_kernel_cache_is_announced(clean, tmp_path):
    """With no compiled kernels in numba's cache the run says it compiles them first; once they
    are cached (the clean run compiled them) it says nothing."""
    study, _ = clean
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "empty-cache")}
    cold = subprocess.run(_cli("run", tmp_path / "missing.toml", "--out", tmp_path / "o"),
                          capture_output=True, text=True, timeout=600, env=env)
    assert cold.returncode == 2
    assert cold.stderr.startswith("compiling the simulation kernels (first run after an install only")
    warm = _run("run", tmp_path / "missing.toml", "--out", tmp_path / "o")
    assert warm.returncode == 2 and "compiling" not in warm.stderr


def test_a_track_file_and_a_climate_csv_are_among_the_files_a_resume_checks(tmp_path):
    """``--resume`` refuses a store whose study files changed: the user's track file and
    hourly climate CSV count like cycle and cell files (a named climate is shipped data)."""
    from packstudy.spec import parse_study
    from packstudy.store import input_files

    (tmp_path / "lap.csv").write_text("distance_m,curvature_1_per_m\n0,0\n500,0.01\n1000,0\n2000,0\n")
    (tmp_path / "year.csv").write_text("temperature_C\n" + "12.5\n" * 8760)
    raw = {"study": {"procedures": ["wltp", "track", "life"], "track": {"file": "lap.csv"},
                     "life": {"climate": "year.csv"}},
           "vehicle": {"preset": "tesla-model-3-rwd"},
           "candidate": [{"name": "base", "cell": "nmc811-pouch"}]}
    found = input_files(parse_study(raw, source="t.toml", base_dir=tmp_path), tmp_path)
    assert found == {"lap.csv": tmp_path / "lap.csv", "year.csv": tmp_path / "year.csv"}
    raw["study"]["life"]["climate"] = "hot"
    assert set(input_files(parse_study(raw, source="t.toml", base_dir=tmp_path), tmp_path)) == {"lap.csv"}
