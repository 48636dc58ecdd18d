"""The procedure registry: each procedure gives the results it declares, runs after what it
needs, and runs once per study (no procedure runs another)."""

from fnmatch import fnmatch
from pathlib import Path

import pytest

from packstudy import chain, metrics, procedures
from packstudy.spec import parse_study
from packstudy.study import compute

CYCLE = Path(__file__).resolve().parents[1] / "src" / "packstudy" / "data" / "cycles"


def test_a_procedure_runs_after_what_it_needs_and_the_rest_keep_registry_order():
    assert chain.order(["fast_charge"]) == ["wltp", "fast_charge"]
    assert chain.order(["life", "epa"]) == ["epa", "wltp", "life"]
    assert chain.order(["cold", "wltp", "acceleration"]) == ["wltp", "acceleration", "cold"]
    everything = list(chain.PROCEDURES)
    for name, proc in chain.PROCEDURES.items():
        done = chain.order([name])
        assert done[-1] == name and set(proc.needs) <= set(done[:-1])
        done = chain.order(everything)
        assert all(done.index(b) < done.index(name) for b in (*proc.needs, *proc.uses))


def test_a_procedure_table_asks_for_it():
    study = parse_study({"study": {"procedures": ["epa"], "track": {"laps": 2}},
                         "vehicle": {"preset": "polestar-3-long-range-dual-motor"},
                         "candidate": [{"name": "as built", "as_built": True}]})
    assert chain.asked(study) == ["epa", "track"]


@pytest.fixture(scope="module")
def every_procedure():
    """A study asking for every registered procedure, with a custom cycle, a preconditioned
    cold run and life; each procedure's output names recorded by wrapping its run function."""
    study = parse_study({
        "study": {"procedures": ["wltp", "epa", "acceleration", "fast_charge", "cold",
                                 "launch_repeat", "track", "life"],
                  "cycles": {"urban": str(CYCLE / "udds.csv")},
                  "cold": {"preconditioned": True}, "track": {"laps": 2},
                  "launch_repeat": {"runs": 3}},
        "vehicle": {"preset": "polestar-3-long-range-dual-motor"},
        "candidate": [{"name": "as built", "as_built": True}]})
    outputs, calls = {}, {}
    originals = dict(chain.PROCEDURES)
    for name, proc in originals.items():
        def recorded(run, proc=proc):
            out = proc.run(run)
            outputs[proc.name] = set(out)
            calls[proc.name] = calls.get(proc.name, 0) + 1
            return out
        chain.PROCEDURES[name] = chain.Procedure(proc.name, recorded, proc.results, proc.needs,
                                                 proc.asked_by)
    wltp_calls = []  # the powertrains WLTP ran on
    wltp = procedures.wltp
    procedures.wltp = lambda pt, curves=None: wltp_calls.append(id(pt)) or wltp(pt, curves)
    try:
        result = compute(study, Path("."))
    finally:
        chain.PROCEDURES.update(originals)
        procedures.wltp = wltp
    return outputs, calls, wltp_calls, result[0]


def test_every_procedure_gives_only_the_results_it_declares(every_procedure):
    outputs, calls, _, _ = every_procedure
    assert set(outputs) == set(chain.PROCEDURES)
    for name, names in outputs.items():
        assert names, name
        patterns = chain.PROCEDURES[name].results
        undeclared = [n for n in names if not any(fnmatch(n, p) for p in patterns)]
        assert not undeclared, (name, undeclared)


def test_every_result_has_a_metric_record(every_procedure):
    _, _, _, results = every_procedure
    assert not [n for n in results if metrics.label(n) == n and not metrics.get(n)]


def test_no_procedure_runs_another(every_procedure):
    _, calls, wltp_calls, _ = every_procedure
    assert set(calls.values()) == {1}
    # fast charge and life read WLTP's results; life runs WLTP again only on the aged pack
    assert len(wltp_calls) == 2 and len(set(wltp_calls)) == 2
