"""Design sweeps: expansion, Pareto front, executors giving identical numbers, and a sweep
killed by a real signal that resumes to the same results."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from conftest import lowest_priority

from packstudy.spec import StudyError, parse_study
from packstudy.study import compute, pack_request, pack_requests, prepare
from packstudy.sweep import pareto_front, run_sweep, variants
from packstudy.variants import KEYS, CandidateTable, SweepTable, value_of

STUDY = {
    "study": {"name": "sweep test", "procedures": ["wltp"]},
    "vehicle": {"preset": "tesla-model-3-rwd"},
    "candidate": [{"name": "base", "cell": "nmc811-pouch",
                   "pack": {"usable_energy_kWh": 60.0, "nominal_voltage_V": 400.0}}],
    "sweep": {"cell": ["nmc811-pouch", "lfp-prismatic"], "pack.usable_energy_kWh": [50.0, 60.0, 70.0],
              "inverter": ["si", "sic"], "objectives": ["min:pack_cost_usd", "max:wltp_range_km"],
              "batch_size": 5},
    "requirements": {"wltp_range_km": {"min": 400.0}},
}


def test_variants_are_the_cartesian_product_of_the_base():
    study = parse_study(STUDY)
    cands = variants(study)
    assert len(cands) == 2 * 3 * 2
    assert cands[0].name == "base | cell=nmc811-pouch, pack.usable_energy_kWh=50.0, inverter=si"
    assert {c.cell for c in cands} == {"nmc811-pouch", "lfp-prismatic"}
    assert all(c.pack.nominal_voltage_V == 400.0 for c in cands)
    series = parse_study({**STUDY, "sweep": {"pack.series": [100, 110]}})
    assert [c.pack.series for c in variants(series)] == [100, 110]
    assert all(c.pack.nominal_voltage_V is None for c in variants(series))


def test_variant_names_and_swept_values_without_building_every_candidate():
    study = parse_study(STUDY)
    lazy, built = SweepTable(study), variants(study)
    assert lazy.names() == [c.name for c in built]
    assert lazy.displays()[7] == "lfp-prismatic, 50, sic"  # (1, 0, 1): the last key fastest
    assert [c.name for c in lazy[5:9]] == [c.name for c in built[5:9]] and lazy[-1] == built[-1]
    few = lazy.representatives()  # every swept value once, in the order they first appear
    assert len(few) == 1 + 1 + 2 + 1
    assert [c.cell for c in few if c.pack.usable_energy_kWh == 50.0 and c.inverter == "si"] == [
        "nmc811-pouch", "lfp-prismatic"]
    assert {c.pack.usable_energy_kWh for c in few} == {50.0, 60.0, 70.0}


def _column(table, key):
    f = table.factors[key]
    return [f.values[c] for c in f.codes]


def test_table_columns_are_the_values_of_the_variants_built_one_by_one():
    """Rows 1 to 9 of a sweep as columns hold what each variant's validated candidate holds,
    for every key the chain reads; a pack's series and nominal voltage replace each other
    (the key swept later wins), as when a candidate is built."""
    for sweep in (STUDY["sweep"], {"pack.series": [100, 110], "charger": ["ccs-350kw-920v", {
            "power_kW": 150.0, "current_A": 375.0}], "cooling.chiller_kW": [5, 8]},
                  {"pack.series": [100, 110], "pack.nominal_voltage_V": [350.0, 700.0]}):
        study = parse_study({**STUDY, "sweep": sweep})
        rows = SweepTable(study, 1, 10)
        built = variants(study)[1:10]
        assert len(rows) == len(built)
        for key in KEYS:
            assert _column(rows, key) == [value_of(c, key) for c in built], key
        assert rows[-1] == built[-1]
        assert rows.candidate_index.tolist() == [0] * len(rows)  # the base candidate's
    assert _column(rows, "pack.series") == [None] * len(rows)  # nominal_voltage_V came later


def test_pack_request_columns_are_each_candidates_request():
    """A pack table, the vehicle's as-built pack (no pack, no other cell) and targets from the
    vehicle's own battery (another cell) in one study: the columns hold each row's request."""
    study = parse_study({
        "study": {"name": "requests", "procedures": ["wltp"]},
        "vehicle": {"preset": "polestar-3-long-range-dual-motor"},
        "candidate": [{"name": "pack", "cell": "lfp-prismatic",
                       "pack": {"series": 150, "parallel": 2, "integration": "cell_to_pack"}},
                      {"name": "as built", "as_built": True},
                      {"name": "cell only", "cell": "nmc811-pouch"}]})
    columns = pack_requests(study)
    for i in range(3):
        asked = pack_request(study, i)
        for key, values in columns.items():
            want = asked.get(key)
            if key == "integration":
                assert values[i] == want, (i, key)
            else:
                assert np.isnan(values[i]) if want is None else values[i] == want, (i, key)
    table = CandidateTable(study.candidate)
    assert table.candidate_index.tolist() == [0, 1, 2]
    assert table.labels("inverter").tolist() == [c.inverter for c in study.candidate]
    assert table.flags("has_pack").tolist() == [True, True, False]


def test_pareto_front_marks_exactly_the_non_dominated_rows():
    metrics = {"cost": np.array([1.0, 2.0, 2.0, 3.0, 1.0]), "range": np.array([5.0, 6.0, 4.0, 6.0, 5.0])}
    front = pareto_front(metrics, ["min:cost", "max:range"])
    # row 2 is dominated by 0 and 1; row 3 by 1; rows 0 and 4 tie and both stay
    assert front.tolist() == [True, True, False, False, True]


def test_misspelt_result_names_are_refused_before_any_batch_runs(tmp_path):
    """A requirement, ranking weight or objective that names no result of the study's
    procedures is a clear error (with the close matches) before the sweep starts: nothing is
    computed in vain, and no results store is left that the corrected study could not resume."""
    bad = {**STUDY, "requirements": {"wltp_range": {"min": 400.0}},
           "ranking": {"weights": {"pack_cost_usd": 1.0, "accel_0_100_s": 1.0}},
           "sweep": {**STUDY["sweep"], "objectives": ["min:pack_cost", "max:wltp_range_km"]}}
    with pytest.raises(StudyError) as err:
        run_sweep(parse_study(bad), Path("."), tmp_path / "out", workers=1)
    text = str(err.value)
    assert "requirements.wltp_range: unknown result 'wltp_range'; did you mean 'wltp_range_km'" in text
    assert "ranking.weights.accel_0_100_s: unknown result 'accel_0_100_s'" in text  # wltp only
    assert "sweep.objectives[0]: unknown result 'pack_cost'; did you mean 'pack_cost_usd'" in text
    assert "results of its procedures: " in text
    assert "pack_cost_usd:" not in text and "wltp_range_km:" not in text  # the valid ones pass
    assert not (tmp_path / "out").exists()


def test_local_pool_gives_the_same_numbers_as_one_batch(tmp_path):
    study = parse_study(STUDY)
    pooled = run_sweep(study, Path("."), tmp_path / "a", workers=2)
    fit = prepare(study, Path(".")).calibration  # the preset's calibration, on the base
    assert fit is not None and pooled.calibration.parameters == fit.parameters
    direct, *_ = compute(study.model_copy(update={"candidate": variants(study)}), Path("."),
                         fit.parameters)
    for key, values in direct.items():
        np.testing.assert_array_equal(pooled.metrics[key], values)
    assert pooled.metrics["pareto"].sum() >= 1
    assert len(list((tmp_path / "a" / "sweep").glob("batch-*.parquet"))) == 3


@pytest.mark.parametrize("collecting", [True, False])
def test_the_pool_freezes_the_heap_only_where_the_collector_runs(tmp_path, monkeypatch, collecting):
    """Forked workers skip an inherited frozen heap in their collections: frozen while the
    pool runs where the collector is on (an API call), and thawed after; with the collector
    off (the CLI), the workers never collect, and nothing is frozen."""
    import gc

    import packstudy.sweep as sweep_module

    seen = []

    class Pool(sweep_module.ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):
            seen.append(gc.get_freeze_count())
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(sweep_module, "ProcessPoolExecutor", Pool)
    gc.unfreeze()  # what the CLI froze when tests ran it in this process
    if not collecting:
        gc.disable()
    try:
        run_sweep(parse_study(STUDY), Path("."), tmp_path / "a", workers=2)
    finally:
        gc.enable()
    assert (seen[0] > 0) == collecting
    assert gc.get_freeze_count() == 0


def test_dask_cluster_gives_the_same_numbers(tmp_path):
    distributed = pytest.importorskip("dask.distributed", reason="dask[distributed] not installed")
    study = parse_study(STUDY)
    local = run_sweep(study, Path("."), tmp_path / "local", workers=1)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        remote = run_sweep(study, Path("."), tmp_path / "dask", executor="dask",
                           address=cluster.scheduler_address)
    assert remote.names == local.names
    for key, values in local.metrics.items():
        np.testing.assert_array_equal(remote.metrics[key], values)


def _write_study(path: Path, batch_size: int) -> Path:
    text = f"""
[study]
name = "resume test"
procedures = ["wltp", "epa"]
[vehicle]
preset = "tesla-model-3-rwd"
[[candidate]]
name = "base"
pack = {{ usable_energy_kWh = 60, nominal_voltage_V = 400 }}
[sweep]
cell = ["nmc811-pouch", "nmc9-pouch", "lfp-prismatic", "nca-21700"]
"pack.usable_energy_kWh" = [50, 55, 60, 65, 70, 75, 80, 85]
inverter = ["si", "sic"]
batch_size = {batch_size}
"""
    path.write_text(text)
    return path


def _run(study, out, *extra):
    return [sys.executable, "-m", "packstudy.cli", "run", str(study), "--out", str(out),
            "--workers", "1", *extra]


def test_killed_sweep_resumes_to_identical_results(tmp_path):
    study = _write_study(tmp_path / "s.toml", batch_size=1)  # 64 batches
    reference = tmp_path / "reference"
    subprocess.run(_run(study, reference), check=True, capture_output=True, timeout=600)

    out = tmp_path / "interrupted"
    proc = subprocess.Popen(_run(study, out), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True, preexec_fn=lowest_priority)
    store = out / "sweep"
    deadline = time.time() + 300
    while len(list(store.glob("batch-*.parquet"))) < 4 and time.time() < deadline:
        time.sleep(0.005)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = {p.name: p.stat().st_mtime_ns for p in store.glob("batch-*.parquet")}
    assert 4 <= len(done_before) < 64, "the kill did not land midway"
    assert not (out / "results.parquet").exists()

    subprocess.run(_run(study, out, "--resume"), check=True, capture_output=True, timeout=600)
    after = {p.name: p.stat().st_mtime_ns for p in store.glob("batch-*.parquet")}
    assert len(after) == 64
    recomputed = [name for name, mtime in done_before.items() if after[name] != mtime]
    assert not recomputed, "finished batches were recomputed"
    got = pq.read_table(out / "results.parquet")
    want = pq.read_table(reference / "results.parquet")
    assert got.column("candidate").to_pylist() == want.column("candidate").to_pylist()
    assert len(set(got.column("candidate").to_pylist())) == 64
    assert got.schema.equals(want.schema)
    assert got.to_pandas().equals(want.to_pandas())  # NaN (no value) equal to NaN


def test_resume_refuses_a_store_of_another_study(tmp_path):
    out = tmp_path / "o"
    subprocess.run(_run(_write_study(tmp_path / "a.toml", 2), out), check=True, capture_output=True,
                   timeout=600)
    run = subprocess.run(_run(_write_study(tmp_path / "b.toml", 4), out, "--resume"),
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 2
    assert "another study" in run.stderr
