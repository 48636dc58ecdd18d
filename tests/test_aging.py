"""Semi-empirical aging: the state equation, the stresses and the repeated-profile loop."""

from dataclasses import replace

import numpy as np
import pytest

from packstudy import aging, catalog


def _storage(soc, temp_C, hours=24):
    t = np.arange(0.0, hours * 3600.0 + 1.0, 3600.0)
    return t, np.full(t.size, soc), np.full(t.size, temp_C)


def test_power_state_equation_reproduces_the_power_law_at_constant_stress():
    # y = k x^p: stepping the state equation must follow the closed form.
    k, p, dx = 0.02, 0.5, 1.0
    y = 0.0
    for _ in range(400):
        y += aging._power_step(y, dx, k, p)
    assert y == pytest.approx(k * 400 ** p, rel=0.02)


def test_storage_fade_matches_the_closed_form_calendar_law():
    a = aging.cell_aging("lfp-prismatic")
    t, soc, temp = _storage(0.5, 25.0)
    run = aging.age_profile(a, t, soc, temp, 2.0, np.array([730.0]))
    par = a.model.params
    ua = aging._anode_potential_V(0.5, aging.settings())
    k = abs(par[0]) * np.exp(par[1] / 298.15) * np.exp(par[2] * ua / 298.15)
    assert 1 - run.capacity_retention[0, 0] == pytest.approx(k * 730.0 ** par[aging._P_CAL], rel=0.01)


@pytest.mark.parametrize("cell", aging.mapped_cells())
def test_heat_and_high_soc_age_every_mapped_cell_faster(cell):
    a = aging.cell_aging(cell)
    q = {}
    for soc, temp in ((0.5, 25.0), (0.1, 25.0), (0.95, 25.0), (0.5, 40.0)):
        t, s, tc = _storage(soc, temp)
        q[soc, temp] = aging.age_profile(a, t, s, tc, 8.0, np.array([2920.0])).capacity_retention[0, 0]
    assert q[0.5, 40.0] < q[0.5, 25.0]
    assert q[0.95, 25.0] < q[0.1, 25.0]  # not always above mid SOC (the NMC622 fit peaks there)
    assert 0.3 < min(q.values()) and max(q.values()) < 1.0


def test_cycling_adds_to_calendar_fade_and_throughput_is_counted():
    a = aging.cell_aging("nmc811-pouch")
    t = np.arange(0.0, 86400.0 + 1.0, 600.0)
    cyc = np.interp(t / 3600.0, [0, 2, 6, 24], [0.9, 0.3, 0.9, 0.9])
    rest = np.full(t.size, 0.9)
    days = np.array([365.0, 730.0])
    ra = aging.age_profile(a, t, cyc, np.full(t.size, 25.0), 2.0, days)
    rb = aging.age_profile(a, t, rest, np.full(t.size, 25.0), 2.0, days)
    assert np.all(ra.capacity_retention < rb.capacity_retention)
    # the same charge is drawn every day as capacity fades: 0.6 nominal cycles a day
    assert ra.efc[0, 0] == pytest.approx(0.6 * 365, rel=1e-9)
    assert rb.efc[0, 1] == 0.0


def test_segments_close_daily_and_after_a_full_cycle():
    t = np.arange(0.0, 3 * 86400.0 + 1.0, 3600.0)
    starts, counts = aging.segment_profile(t, np.full(t.size, 0.5))
    assert list(starts) == [0, 24, 48] and list(counts) == [25, 25, 25]
    t = np.arange(0.0, 8 * 3600.0 + 1.0, 600.0)
    soc = np.interp(t / 3600.0, [0, 1, 2, 3, 4, 5, 6, 7, 8], [1, 0, 1, 0, 1, 0, 1, 0, 1])
    starts, _ = aging.segment_profile(t, soc)
    assert len(starts) >= 3  # four full cycles in 8 h: a segment per cycle or two


def test_every_cell_preset_names_a_model_and_why():
    for cell in catalog.list_presets("cells"):
        a = aging.cell_aging(cell)
        assert len(a.why) > 40 and a.scale_low <= a.scale <= a.scale_high
        assert {"calendar_temperature_C", "charge_c_rate_max", "soc"} <= set(a.model.validity)


def test_unknown_cell_names_close_matches():
    with pytest.raises(aging.AgingError, match="lg-m50"):
        aging.cell_aging("lg-m5")


def test_resistance_grows_with_capacity_loss():
    g = aging.resistance_growth(np.array([1.0, 0.9, 0.8]))
    assert g[0] == 0.0 and 0.0 < g[1] < g[2]


def test_capacity_grid_step_of_the_stress_rates_is_converged(monkeypatch):
    t = np.arange(0.0, 86400.0 + 1.0, 600.0)
    soc = np.interp(t / 3600.0, [0, 1, 4, 6, 24], [1, 0, 0, 1, 1])
    temp = np.full(t.size, 25.0)
    q = {}
    base = aging.settings()
    for step in (0.001, base[3]):
        monkeypatch.setattr(aging, "settings",
                            lambda s=step: np.array([*base[:3], s, *base[4:]]))
        q[step] = aging.age_profile(aging.cell_aging("lg-m50"), t, soc, temp, 8.0,
                                    np.array([2920.0])).capacity_retention[0, 0]
    assert q[0.001] < 0.7  # a deep fade, where the SOC swing stretches most
    assert abs(q[0.001] - q[base[3]]) < 0.0005


def test_charge_rate_factor_borrowed_above_the_fitted_rate_only():
    par = aging.cell_aging("lg-m50").model.params
    c_ref = par[aging._C_REF]
    assert c_ref == aging.load_model("nmc811-grsi-lgm50").validity["charge_c_rate_max"]
    f = [aging.charge_rate_factor(par, 298.15, 0.5, 0.7, c) for c in (0.1, c_ref, 0.5, 1.0, 2.0)]
    assert f[0] == f[1] == 1.0
    assert 1.0 < f[2] < f[3] < f[4]
    # the donor's inverse Arrhenius term (Ea -58 kJ/mol): fast charging hurts more when cold
    assert aging.charge_rate_factor(par, 278.15, 0.5, 0.7, 1.0) > f[3]
    # fits with their own rate term borrow nothing
    for cell in ("lfp-prismatic", "nmc622-prismatic"):
        p = aging.cell_aging(cell).model.params
        assert aging.charge_rate_factor(p, 298.15, 0.5, 0.7, 2.0) == 1.0


def test_charge_rate_stress_changes_nothing_within_the_fitted_rate():
    t = np.arange(0.0, 86400.0 + 1.0, 600.0)
    h = t / 3600.0
    a = aging.cell_aging("lg-m50")
    no_stress = a.model.params.copy()
    no_stress[aging._C_REF] = np.nan
    bare = replace(a, model=replace(a.model, params=no_stress))
    for charge_h in (4.0, 1.0):  # 0.2C (fitted) and 0.8C (above C/3)
        soc = np.interp(h, [0, 2, 8, 8 + charge_h, 24], [1.0, 0.2, 0.2, 1.0, 1.0])
        q = [aging.age_profile(m, t, soc, np.full(t.size, 25.0), 4.0, np.array([1460.0]))
             .capacity_retention[0, 0] for m in (a, bare)]
        if charge_h == 4.0:
            assert q[0] == pytest.approx(q[1], abs=1e-12)
        else:
            assert q[0] < q[1] - 0.002
