"""Recycled content against the EU Battery Regulation's 2031 and 2036 minimums."""

import pytest

from packstudy.runner import run_study


def _checks(recycled):
    result = run_study({"study": {"procedures": ["wltp"]},
                        "vehicle": {"preset": "polestar-3-long-range-dual-motor"},
                        "candidate": [{"name": "as built"}],
                        "footprint": {"recycled_content": recycled}})
    return {c["metric"]: c for c in result.checks.row(0)}, result.verdicts["as built"]


def test_binding_material_below_the_2031_minimum_fails_sustainability():
    checks, verdict = _checks({"nickel": 0.10, "cobalt": 0.20, "lithium": 0.05})
    c31 = checks["limit:recycled_content_2031"]
    assert (c31["limit"], c31["value"]) == (pytest.approx(6.0), pytest.approx(5.0))  # lithium
    assert not c31["passed"] and c31["area"] == "sustainability"
    assert not checks["limit:recycled_content_2036"]["passed"]
    assert verdict["sustainability"] == "fail"
    assert verdict["failed"] == ["limit:recycled_content_2031 min", "limit:recycled_content_2036 min"]


def test_shares_above_both_minimums_pass():
    checks, verdict = _checks({"nickel": 0.20, "cobalt": 0.30, "lithium": 0.15})
    assert checks["limit:recycled_content_2031"]["passed"]
    assert checks["limit:recycled_content_2036"]["passed"]
    assert verdict["sustainability"] == "pass"


def test_no_recycled_content_no_checks():
    result = run_study({"study": {"procedures": ["wltp"]},
                        "vehicle": {"preset": "polestar-3-long-range-dual-motor"},
                        "candidate": [{"name": "as built"}]})
    assert not any(c["metric"].startswith("limit:recycled_content") for c in result.checks.row(0))
