import numpy as np
import pytest

from packstudy.cost import pack_cost
from packstudy.footprint import pack_footprint
from packstudy.spec import UncertaintySettings
from packstudy.uncertainty import cost_footprint_percentiles, pert

DESIGN = (np.array(["nmc811-graphite", "lfp-graphite"]), np.array([250.0, 644.0]),
          np.array([0.744, 3.68]), np.array(["pouch", "prismatic"]), np.array([400, 156]),
          np.array([100.0, 100.5]), np.array(["module", "cell_to_pack"]))


def test_pert_bounds_and_mean():
    x = pert(np.random.default_rng(0), 1.0, 2.0, 5.0, 200_000)
    assert x.min() >= 1.0 and x.max() <= 5.0
    assert x.mean() == pytest.approx((1 + 4 * 2 + 5) / 6, rel=0.01)


def test_percentiles_ordered_near_deterministic_and_seeded():
    s = UncertaintySettings(samples=400, seed=1)
    r = cost_footprint_percentiles(*DESIGN, n_parallel=np.array([2, 1]), settings=s)
    cost = pack_cost(*DESIGN, n_parallel=np.array([2, 1])).pack_cost_usd_per_kWh
    fp = pack_footprint(*DESIGN).footprint_kgCO2e_per_kWh
    for m, det in (("pack_cost_usd_per_kWh", cost), ("footprint_kgCO2e_per_kWh", fp)):
        assert np.all(r[f"{m}_p10"] < r[f"{m}_p50"]) and np.all(r[f"{m}_p50"] < r[f"{m}_p90"])
        np.testing.assert_allclose(r[f"{m}_p50"], det, rtol=0.12)
    again = cost_footprint_percentiles(*DESIGN, n_parallel=np.array([2, 1]), settings=s)
    for k in r:
        np.testing.assert_array_equal(r[k], again[k])
    other = cost_footprint_percentiles(*DESIGN, n_parallel=np.array([2, 1]),
                                       settings=UncertaintySettings(samples=400, seed=2))
    assert not np.array_equal(other["pack_cost_usd_per_kWh_p50"], r["pack_cost_usd_per_kWh_p50"])
