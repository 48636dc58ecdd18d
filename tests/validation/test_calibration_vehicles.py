"""Calibration on the public vehicles: city + highway reproduced, one predicts the other.

Every usable row of ../shared/validation/vehicles-public.csv (road-load coefficients and
unadjusted EPA results) becomes a study as in test_epa_vehicles.py; all vehicles are
calibrated together (one batched kernel call per iteration). Prints the table.
"""

import time
from pathlib import Path

import numpy as np
import pytest
from test_epa_vehicles import _rows, _study

from packstudy import calibration
from packstudy.spec import parse_study
from packstudy.study import prepare

CITY = "epa_city_unadjusted_kWh_per_100km"
HWY = "epa_highway_unadjusted_kWh_per_100km"
PREDICT_MAPE_GOAL = 4.0  # %, issue 7


def _powertrain(row):
    return prepare(parse_study(_study(row)), Path(".")).powertrain


def test_calibration_on_public_vehicles(shared_validation):
    rows = _rows(shared_validation)
    assert len(rows) >= 30
    pt = calibration.stack([_powertrain(r) for r in rows])
    ref = np.array([[float(r["fe_udds_unadj_kWh_per_100km"]),
                     float(r["fe_hwfet_unadj_kWh_per_100km"])] for r in rows])
    calibration.calibrate_many(calibration.take(pt, [0]), [{CITY: ref[0, 0]}])  # warm the JIT
    start = time.perf_counter()
    both = calibration.calibrate_many(pt, [{CITY: c, HWY: h} for c, h in ref])
    seconds = time.perf_counter() - start
    from_city = calibration.calibrate_many(pt, [{CITY: c} for c, _ in ref])
    from_hwy = calibration.calibrate_many(pt, [{HWY: h} for _, h in ref])

    res = np.array([[b.residual_pct[CITY], b.residual_pct[HWY]] for b in both])
    pred_hwy = np.array([100 * (r.predicted[HWY] / h - 1) for r, (_, h) in zip(from_city, ref, strict=True)])
    pred_city = np.array([100 * (r.predicted[CITY] / c - 1) for r, (c, _) in zip(from_hwy, ref, strict=True)])
    print(f"\n{'vehicle':38} {'city+hwy fit: loss  regen':>25} {'res city':>8} {'res hwy':>7}"
          f"  {'city->hwy':>9} {'hwy->city':>9}")
    for i, (row, b) in enumerate(zip(rows, both, strict=True)):
        label = f"{row['make']} {row['model']} {row['model_year']} {row['drive']}"[:38]
        flag = "" if b.met else "  NOT MET, at bound: " + ", ".join(b.at_bound)
        print(f"{label:38} {b.parameters['loss_level']:+17.2f} {b.parameters['regen_fraction']:6.3f} "
              f"{res[i, 0]:+7.2f}% {res[i, 1]:+6.2f}%  {pred_hwy[i]:+8.1f}% {pred_city[i]:+8.1f}%"
              f"{flag}")
    within = np.all(np.abs(res) <= 1.0, axis=1)
    print(f"city+hwy: {within.sum()}/{len(rows)} within 1 % ({seconds:.2f} s for all); "
          f"city -> highway MAPE {np.abs(pred_hwy).mean():.2f} %; "
          f"highway -> city MAPE {np.abs(pred_city).mean():.2f} %")

    # every vehicle is either reproduced within 1 % or reported as not met, with the
    # parameters that sit on a sourced bound (never silently clipped)
    for b, ok in zip(both, within, strict=True):
        assert ok or (not b.met and b.at_bound and "not met" in b.summary().lower())
        assert b.well_determined
    # the issue asks for every vehicle; within the sourced bounds the model reaches 28 of
    # 34 with the cars' motors and inverters (24 without; the others need a city/highway split
    # beyond regen_fraction 0.8..1.0 and aux_W 200..500 W together): keep it there
    assert within.sum() >= 28
    assert np.abs(pred_hwy).mean() <= PREDICT_MAPE_GOAL
    # highway -> city stays above the 4 % goal: the uncalibrated model's city-minus-highway
    # error has a spread (4.3 % mean absolute for any one lever) no single parameter removes
    assert np.abs(pred_city).mean() <= 5.0
    assert seconds < 5.0


@pytest.mark.xfail(strict=True, reason=(
    "issue 15: calibrated on the highway alone, city MAPE 4.26 % with the cars' motors and "
    "inverters (4.74 % before the E-GMP cars' rear SiC inverter, 4.71 % without either): the "
    "remaining error is the city/highway ratio of a few cars (E-GMP RWD +6..+10 %, EQS "
    "-10/-14 %, ID.4 MY2021 +7.5 %, i4 M50 -7 %, Model 3 AWD -7 %) that the highway alone cannot "
    "tell: loss_level scales city and highway alike, and fitted on both, regen_fraction, aux_W or "
    "loss_level reach their sourced bounds for the E-GMP RWD, EQS and ID.4 MY2021 cars"))
def test_highway_calibration_predicts_city_within_4_percent(shared_validation):
    rows = _rows(shared_validation)
    pt = calibration.stack([_powertrain(r) for r in rows])
    ref = [(float(r["fe_udds_unadj_kWh_per_100km"]), float(r["fe_hwfet_unadj_kWh_per_100km"]))
           for r in rows]
    fits = calibration.calibrate_many(pt, [{HWY: h} for _, h in ref])
    errors = [abs(100 * (f.predicted[CITY] / c - 1)) for f, (c, _) in zip(fits, ref, strict=True)]
    assert np.mean(errors) <= PREDICT_MAPE_GOAL


def test_target_beyond_the_bounds_is_reported_with_the_closest_fit(shared_validation):
    row = _rows(shared_validation)[0]
    pt = _powertrain(row)
    city = float(row["fe_udds_unadj_kWh_per_100km"])
    result = calibration.calibrate(pt, {CITY: 1.5 * city})
    assert not result.met and result.at_bound == ["loss_level"] and result.not_fitted == []
    assert result.parameters["loss_level"] == 1.0
    assert -40.0 < result.residual_pct[CITY] < -10.0
