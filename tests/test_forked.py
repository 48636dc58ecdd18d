"""forked.start: a task in a forked child gives its value or raises what it raised."""

import os
from pathlib import Path

import pytest

from packstudy import forked


def _pid_and_sum(a, b):
    return os.getpid(), a + b


def _fail(path):
    raise FileNotFoundError(2, "No such file or directory", path)


def _die():
    os._exit(3)


def test_value_comes_back_from_another_process():
    pid, total = forked.start(_pid_and_sum, 2, 3)()
    assert total == 5
    assert pid != os.getpid()


def test_the_childs_exception_is_raised_here():
    with pytest.raises(FileNotFoundError, match="missing.json"):
        forked.start(_fail, "missing.json")()


def test_a_child_that_dies_is_an_error_not_a_hang():
    with pytest.raises(RuntimeError, match="exit code 3"):
        forked.start(_die)()


def _slow_write(path):
    import time

    time.sleep(0.5)
    Path(path).write_text("done")
    return path


def test_wait_all_waits_for_every_child_before_raising_the_first_error(tmp_path):
    slow = tmp_path / "slow.txt"
    waits = [forked.start(_fail, "missing.json"), forked.start(_slow_write, slow)]
    with pytest.raises(FileNotFoundError, match="missing.json"):
        forked.wait_all(waits)
    assert slow.read_text() == "done"  # the second child had finished
    assert forked.wait_all([forked.start(_pid_and_sum, 1, 2)])[0][1] == 3


def test_a_failed_report_still_waits_for_the_results_files(tmp_path, monkeypatch):
    """The CLI writes results.* in a forked child beside the report: when the report fails, the
    command exits 2 only once the child has finished (its files in place, the output folder's
    lock still held), not while the child still writes after the lock is released."""
    import time

    from typer.testing import CliRunner

    from packstudy import report, results
    from packstudy.cli import app
    from packstudy.store import OutputError

    written = tmp_path / "o" / "results.json"

    def slow_results(result, out):
        time.sleep(1.0)
        written.write_text("{}")
        return [written]

    def failed_report(result, path):
        raise OutputError(f"{path}: disk full")

    monkeypatch.setattr(results, "write_json", slow_results)
    monkeypatch.setattr(report, "write_report", failed_report)
    study = tmp_path / "s.toml"
    study.write_text('[study]\nprocedures = ["wltp"]\n[vehicle]\npreset = "vw-id4-pro"\n'
                     '[[candidate]]\nname = "a"\npack = { usable_energy_kWh = 70.0 }\n')
    out = CliRunner().invoke(app, ["run", str(study), "--out", str(tmp_path / "o")])
    assert out.exit_code == 2 and "disk full" in out.output, out.output
    assert written.is_file()
