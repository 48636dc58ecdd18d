"""The pseudo-2D electrochemical cell model (packstudy.electrochem): conservation, rest and
load behaviour, the cell file's [electrochemical] table, the cellsim and CLI switch."""

import tomllib

import numpy as np
import pytest

from packstudy import catalog
from packstudy import electrochem as ec
from packstudy.cell import CellError, cell_arrays, cell_from_dict, load_cell
from packstudy.cellsim import simulate
from packstudy.ecm_fit import dump_toml


@pytest.fixture(scope="module")
def lg():
    return load_cell("lg-m50")


@pytest.fixture(scope="module")
def packed(lg):
    return ec.pack([lg.electrochemical])


def _state(packed, soc):
    par = packed[0]
    ce, cs = ec.initial_state(par, np.array([soc]))
    return par[0], ce[0], cs[0]


def _salt_mol_per_m2(p, ce):
    dx, eps = ec._geometry(p)
    return float(np.sum(eps * dx * ce))


def _lithium_mol(p, cs, pos):
    radius = p[ec.RP if pos else ec.RN]
    r = np.linspace(0.0, radius, ec.N_SHELLS + 1)
    shell = (r[1:] ** 3 - r[:-1] ** 3) / radius**3  # share of a particle's volume
    share = p[ec.ESP if pos else ec.ESN] * p[ec.LP if pos else ec.LN] * p[ec.AREA] / ec.N_ZONES
    zones = cs[ec.N_ZONES:] if pos else cs[:ec.N_ZONES]
    return float(np.sum(zones @ shell) * share)


def test_3c_discharge_conserves_salt_and_lithium(packed):
    """Through the electrolyte depletion of a 3C discharge the salt stays (to 1 ppm) and
    each electrode's lithium changes by exactly the charge passed."""
    p, ce, cs = _state(packed, 1.0)
    _, ocp_n, ocp_p, diff, kappa = (x[0] for x in packed)
    salt0 = _salt_mol_per_m2(p, ce)
    li0 = [_lithium_mol(p, cs, pos) for pos in (0, 1)]
    zone_i, theta = np.zeros(2 * ec.N_ZONES), np.array([0.1, 4.0])
    cur, dt, steps = 15.0, 0.2, 2000  # 400 s at 3C: the positive electrolyte runs dry
    for _ in range(steps):
        ec._voltage(cur, 298.15, p, ocp_n, ocp_p, kappa, ce, cs, zone_i, theta)
        ec._advance(p, diff, ce, cs, zone_i, dt)
    assert ce[-ec.N_ZONES // 4:].max() < 1.0  # depleted at the positive collector
    assert _salt_mol_per_m2(p, ce) == pytest.approx(salt0, rel=1e-6)
    moved = cur * dt * steps / ec.FARADAY_C_PER_MOL
    assert li0[0] - _lithium_mol(p, cs, 0) == pytest.approx(moved, rel=1e-9)
    assert _lithium_mol(p, cs, 1) - li0[1] == pytest.approx(moved, rel=1e-9)


def test_rest_voltage_is_the_electrode_ocv_and_load_lowers_it(lg, packed):
    """At rest the voltage is U_p(y) - U_n(x) at the SOC, the cell's OCV curve to 2 mV (it was
    made from the same OCPs); a discharge current lowers it, a charge current raises it."""
    for soc in (0.2, 0.5, 0.9):
        p, ce, cs = _state(packed, soc)
        args = (p, packed[1][0], packed[2][0], packed[4][0], ce, cs,
                np.zeros(2 * ec.N_ZONES), np.array([0.1, 4.0]))
        rest = ec._voltage(0.0, 298.15, *args)
        assert rest == pytest.approx(np.interp(soc, lg.ocv_soc, lg.ocv_V), abs=2e-3)
        assert ec._voltage(5.0, 298.15, *args) < rest < ec._voltage(-5.0, 298.15, *args)


def test_simulate_energy_balance_and_model_switch(lg):
    """Chemical = terminal + losses (J), isothermal; a cell without the table or an unknown
    model is refused with the cell's name."""
    cells = cell_arrays([lg])
    t = np.arange(0.0, 601.0)
    run = simulate(cells, t, np.full(600, 10.0), isothermal=True, model="electrochemical")
    assert run.chemical_J[0] == pytest.approx(run.terminal_J[0] + run.ohmic_loss_J[0], rel=1e-9)
    assert run.ohmic_loss_J[0] > 0.0 and run.rc_loss_J[0] == 0.0
    assert run.discharge_capacity_Ah[0] == pytest.approx(10.0 * 600 / 3600)
    with pytest.raises(ValueError, match="nmc811-pouch has no \\[electrochemical\\]"):
        simulate(cell_arrays([load_cell("nmc811-pouch")]), t, np.ones(600),
                 model="electrochemical")
    with pytest.raises(ValueError, match="model: must be one of"):
        simulate(cells, t, np.ones(600), model="dfn")


def test_electrochemical_table_errors_name_the_field():
    data = tomllib.loads(dump_toml(_lg_table()))
    data["electrochemical"]["negative"]["porosity"] = 1.5
    del data["electrochemical"]["separator"]
    data["electrochemical"]["positive"]["ocp_V"] = [3.0]
    with pytest.raises(CellError) as exc:
        cell_from_dict(data, where="my-cell.toml")
    text = str(exc.value)
    for field in ("electrochemical.negative.porosity: must lie between 0 and 1",
                  "electrochemical.separator: missing table",
                  "electrochemical.positive.ocp_V: must be a list"):
        assert field in text


def test_dump_toml_round_trips_the_sub_tables():
    table = _lg_table()
    back = tomllib.loads(dump_toml(table))["electrochemical"]
    assert back["negative"]["ocp_V"] == table["electrochemical"]["negative"]["ocp_V"]
    assert back["separator"] == table["electrochemical"]["separator"]


def _lg_table():
    return tomllib.loads(catalog.preset_path("cells", "lg-m50").read_text())


def test_rest_after_a_discharge_relaxes_towards_the_ocv(lg):
    """After 10 min at 2C the voltage jumps up when the current stops, then rises steadily
    towards the OCV at the new SOC without passing it (salt and particle gradients relax)."""
    t = np.arange(0.0, 1801.0)
    cur = np.where(t[:-1] < 600.0, 10.0, 0.0)
    run = simulate(cell_arrays([lg]), t, cur, keep_trace=True, isothermal=True,
                   model="electrochemical")
    v = run.trace_voltage_V[0]
    rest = v[601:]
    ocv = np.interp(run.soc[0], lg.ocv_soc, lg.ocv_V)
    assert rest[0] - v[599] > 0.1  # the ohmic and kinetic drop vanishes at once
    assert np.all(np.diff(rest) > -1e-6) and rest[-1] < ocv + 1e-3
    assert ocv - rest[-1] < 0.25 * (ocv - rest[0])  # mostly relaxed after 20 min
