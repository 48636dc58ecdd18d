"""Shipped drive cycles against the reference copies in ../shared/validation/cycles.

The references carry FASTSim's m/s values, converted from mph with 1 m/s = 2.2369 mph for UDDS
and HWFET; the shipped files use the exact 0.44704 m/s per mph, so speeds may differ by up to
1.6e-5 relative (about 4e-4 m/s at the top speed), and not more.
"""

from pathlib import Path

import numpy as np
import pytest

from packstudy.cycles import SHIPPED_CYCLES, load_cycle


def _repo_root() -> Path:
    here = Path(__file__).resolve()
    return next(p for p in here.parents if (p / "pyproject.toml").is_file())


REFERENCE_DIR = _repo_root().parent / "shared" / "validation" / "cycles"

pytestmark = pytest.mark.skipif(
    not REFERENCE_DIR.is_dir(),
    reason=f"reference cycles not found at {REFERENCE_DIR} (shared/validation is absent)",
)


@pytest.mark.parametrize("name", SHIPPED_CYCLES)
def test_shipped_cycle_matches_reference(name):
    reference = np.loadtxt(REFERENCE_DIR / f"{name}.csv", delimiter=",", skiprows=1, ndmin=2)
    ref_time_s, ref_speed_mps = reference[:, 0], reference[:, 1]
    ref_distance_m = np.sum(0.5 * (ref_speed_mps[1:] + ref_speed_mps[:-1]) * np.diff(ref_time_s))
    cycle = load_cycle(name)

    assert len(cycle.time_s) == len(ref_time_s)
    np.testing.assert_array_equal(cycle.time_s, ref_time_s)
    assert cycle.duration_s == ref_time_s[-1] - ref_time_s[0]
    assert cycle.distance_m == pytest.approx(ref_distance_m, rel=1e-3)
    max_diff_mps = np.abs(cycle.speed_mps - ref_speed_mps).max()
    assert max_diff_mps <= 1.7e-5 * ref_speed_mps.max(), f"max |speed difference| {max_diff_mps}"
