"""`packstudy cell` commands: outputs, fit round trip, clear errors with exit code 2."""

import csv

import numpy as np
import pytest
from typer.testing import CliRunner

from packstudy import catalog
from packstudy.cli_cell import app

runner = CliRunner()


def _rows(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def test_discharge_writes_curve(tmp_path):
    out = tmp_path / "d.csv"
    res = runner.invoke(app, ["discharge", "lg-m50", "--c-rate", "1", "--out", str(out)])
    assert res.exit_code == 0, res.output
    rows = _rows(out)
    assert list(rows[0]) == ["time_s", "discharge_capacity_Ah", "voltage_V"]
    assert abs(float(rows[-1]["voltage_V"]) - 2.5) < 1e-3
    assert 4.8 < float(rows[-1]["discharge_capacity_Ah"]) < 5.2
    assert not list(tmp_path.glob(".*.tmp"))


def test_profile_adds_soc_and_temperature(tmp_path):
    cur = tmp_path / "i.csv"
    cur.write_text("time_s,current_A\n0,10\n60,10\n61,-5\n120,0\n")
    out = tmp_path / "p.csv"
    res = runner.invoke(app, ["profile", "lg-m50", "--current", str(cur), "--soc-start", "0.5",
                              "--out", str(out)])
    assert res.exit_code == 0, res.output
    rows = _rows(out)
    assert {"voltage_V", "soc", "temperature_C"} <= set(rows[0])
    soc = np.array([float(r["soc"]) for r in rows])
    assert soc[0] == 0.5 and soc[1] < 0.5  # 10 A for 60 s = 0.167 Ah out


def test_bad_inputs_exit_2_with_message(tmp_path):
    res = runner.invoke(app, ["discharge", "no-such-cell", "--c-rate", "1", "--out",
                              str(tmp_path / "x.csv")])
    assert res.exit_code == 2 and "unknown cell preset" in res.output
    bad = tmp_path / "bad.csv"
    bad.write_text("time_s,amps\n0,1\n1,1\n")
    res = runner.invoke(app, ["profile", "lg-m50", "--current", str(bad), "--out",
                              str(tmp_path / "y.csv")])
    assert res.exit_code == 2 and "bad.csv" in res.output and "current_A" in res.output
    cell = tmp_path / "c.toml"
    cell.write_text('schema_version = 1\nchemistry = "nmc811-graphite"\ncapacity_Ah = -1\n')
    res = runner.invoke(app, ["discharge", str(cell), "--c-rate", "1", "--out",
                              str(tmp_path / "z.csv")])
    assert res.exit_code == 2 and "capacity_Ah" in res.output and "c.toml" in res.output
    assert "Traceback" not in res.output


def test_fit_round_trip(tmp_path):
    # a discharge of the shipped nmc811-pouch with rests, written as test data
    from packstudy.cell import cell_arrays, load_cell
    from packstudy.cellsim import simulate

    arr = cell_arrays([load_cell("nmc811-pouch")])
    block = np.concatenate([np.full(360, 27.8), np.zeros(1200)])
    i = np.tile(block, 19)
    t = np.arange(i.size + 1.0)
    v = simulate(arr, t, i, keep_trace=True, h_W_per_m2K=1e9).trace_voltage_V[0]
    data = tmp_path / "pulse.csv"
    np.savetxt(data, np.column_stack([t, np.append(i, 0), v]), delimiter=",",
               header="time_s,current_A,voltage_V", comments="")
    out = tmp_path / "mine.toml"
    res = runner.invoke(app, ["fit", str(data), "--name", "mine", "--out", str(out),
                              "--template", "nmc811-pouch", "--capacity-Ah", "55.6"])
    assert res.exit_code == 0, res.output
    assert "RMSE" in res.output
    rmse_mV = float(res.output.split("RMSE")[1].split("mV")[0])
    assert rmse_mV < 10.0
    res = runner.invoke(app, ["discharge", str(out), "--c-rate", "0.5", "--out",
                              str(tmp_path / "d.csv")])
    assert res.exit_code == 0, res.output


def test_fit_also_takes_a_cc_record_and_names_a_bad_one(tmp_path):
    """``--also`` reads a constant-current discharge into the fit: a consistent one keeps the
    fitted cell within 10 mV of it, and a file without the needed columns exits 2 naming it
    (so the option is read, not ignored)."""
    from packstudy import ecm_fit
    from packstudy.cell import cell_arrays, load_cell
    from packstudy.cellsim import simulate

    arr = cell_arrays([load_cell("nca-21700")])
    paths = {}
    for tag, current in (("pulse", np.tile(np.concatenate([np.full(360, 2.5),
                                                            np.zeros(1200)]), 19)),
                         ("cc", np.full(3500, 5.0))):
        t = np.arange(current.size + 1.0)
        v = simulate(arr, t, current, keep_trace=True, h_W_per_m2K=1e9).trace_voltage_V[0]
        ok = ~np.isnan(v)
        paths[tag] = tmp_path / f"{tag}.csv"
        np.savetxt(paths[tag], np.column_stack([t, np.append(current, 0), v])[ok],
                   delimiter=",", header="time_s,current_A,voltage_V", comments="")
    out = tmp_path / "mine.toml"
    args = ["fit", str(paths["pulse"]), "--name", "mine", "--out", str(out), "--template",
            "nca-21700", "--capacity-Ah", "5.0"]
    res = runner.invoke(app, [*args, "--also", str(paths["cc"])])
    assert res.exit_code == 0, res.output
    import tomllib

    rmse, _ = ecm_fit.score_fit(tomllib.loads(out.read_text()),
                                ecm_fit.read_test_csv(paths["cc"]))
    assert rmse < 0.010
    bad = tmp_path / "bad.csv"
    bad.write_text("time_s,voltage_V\n0,4.0\n1,3.9\n")
    res = runner.invoke(app, [*args, "--also", str(bad)])
    assert res.exit_code == 2 and "bad.csv" in res.output and "current_A" in res.output
    assert "Traceback" not in res.output


def test_isothermal_holds_the_temperature(tmp_path):
    """--isothermal keeps the cell at --temperature-C (isothermal references); without it a
    3C discharge warms the cell, which lowers its resistance and raises the end voltage."""
    runs = {}
    for flag in ([], ["--isothermal"]):
        cur = tmp_path / "i.csv"
        cur.write_text("time_s,current_A\n0,15\n600,15\n")
        out = tmp_path / f"p{len(flag)}.csv"
        res = runner.invoke(app, ["profile", "lg-m50", "--current", str(cur), "--out", str(out),
                                  *flag])
        assert res.exit_code == 0, res.output
        runs[bool(flag)] = _rows(out)
    temp = [float(r["temperature_C"]) for r in runs[True]]
    assert max(temp) == min(temp) == 25.0
    assert float(runs[False][-1]["temperature_C"]) > 26.0
    assert float(runs[False][-1]["voltage_V"]) > float(runs[True][-1]["voltage_V"])
    out = tmp_path / "d.csv"
    res = runner.invoke(app, ["discharge", "lg-m50", "--c-rate", "3", "--isothermal",
                              "--out", str(out)])
    assert res.exit_code == 0 and "end temperature 25.0 degC" in res.output, res.output

def test_model_electrochemical(tmp_path):
    """--model electrochemical runs the pseudo-2D model of a cell with an [electrochemical]
    table (lg-m50: at 1C isothermal it delivers within 1 % of the equivalent circuit and ends at
    the cut-off); a cell without the table or an unknown model exits 2 naming it."""
    caps = {}
    for model in ("ecm", "electrochemical"):
        out = tmp_path / f"{model}.csv"
        res = runner.invoke(app, ["discharge", "lg-m50", "--c-rate", "1", "--isothermal",
                                  "--model", model, "--out", str(out)])
        assert res.exit_code == 0, res.output
        rows = _rows(out)
        caps[model] = float(rows[-1]["discharge_capacity_Ah"])
        assert 2.45 < float(rows[-1]["voltage_V"]) <= 2.5001 < float(rows[-2]["voltage_V"])
    assert caps["electrochemical"] == pytest.approx(caps["ecm"], rel=0.01)
    for args, says in ((["nmc811-pouch", "--model", "electrochemical"],
                        "nmc811-pouch has no [electrochemical] table"),
                       (["lg-m50", "--model", "dfn"], "--model: must be ecm or electrochemical")):
        res = runner.invoke(app, ["discharge", *args, "--c-rate", "1", "--out",
                                  str(tmp_path / "x.csv")])
        assert res.exit_code == 2 and says in res.output, res.output


def _age_profile(path, soc_scale=1.0, header="time_s,soc,temperature_C"):
    t = np.arange(0.0, 86400.0 + 1.0, 900.0)
    soc = np.interp(t / 3600.0, [0, 1, 4, 6, 24], [0.9, 0.3, 0.3, 0.9, 0.9]) * soc_scale
    rows = [header] + [f"{a:g},{b:g},25" for a, b in zip(t, soc, strict=True)]
    path.write_text("\n".join(rows) + "\n")
    return path


def test_age_writes_retention_and_resistance(tmp_path):
    out = tmp_path / "age.csv"
    res = runner.invoke(app, ["age", "lfp-prismatic", "--profile",
                              str(_age_profile(tmp_path / "p.csv")), "--years", "3",
                              "--out", str(out)])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(out.open()))
    assert list(rows[0]) == ["time_days", "capacity_retention", "resistance_growth"]
    q = np.array([float(r["capacity_retention"]) for r in rows])
    assert float(rows[-1]["time_days"]) == pytest.approx(3 * 365)
    assert q[0] == 1.0 and np.all(np.diff(q) <= 0.0) and 0.8 < q[-1] < 1.0


def test_age_bad_inputs_exit_2_naming_the_field(tmp_path):
    good = _age_profile(tmp_path / "p.csv")
    cases = [
        (["lg-m50", "--profile", str(good), "--years", "0"], "--years"),
        (["lg-m50", "--profile", str(_age_profile(tmp_path / "b.csv", 100.0)), "--years", "1"],
         "column soc"),
        (["lg-m50", "--profile", str(_age_profile(tmp_path / "m.csv", header="time_s,soc,T")),
          "--years", "1"], "temperature_C"),
        (["lg-m5", "--profile", str(good), "--years", "1"], "did you mean 'lg-m50'"),
    ]
    for args, field in cases:
        res = runner.invoke(app, ["age", *args, "--out", str(tmp_path / "o.csv")])
        assert res.exit_code == 2, res.output
        assert field in res.output


def test_age_takes_current_for_the_validity_notes(tmp_path):
    t = np.arange(0.0, 86400.0 + 1.0, 900.0)
    soc = np.interp(t / 3600.0, [0, 1, 4, 6, 24], [0.9, 0.3, 0.3, 0.9, 0.9])
    capacity_Ah = catalog.load_preset("cells", "lg-m50")["capacity_Ah"]
    current = -np.gradient(soc, t / 3600.0) * capacity_Ah * 5.0  # 5 x the SOC's 0.3C charge
    rows = ["time_s,soc,temperature_C,current_A"] + [
        f"{a:g},{b:g},25,{c:g}" for a, b, c in zip(t, soc, current, strict=True)]
    path = tmp_path / "p.csv"
    path.write_text("\n".join(rows) + "\n")
    res = runner.invoke(app, ["age", "lg-m50", "--profile", str(path), "--years", "1",
                              "--out", str(tmp_path / "o.csv")])
    assert res.exit_code == 0, res.output
    assert "charge rate 1.5" in res.output and "above the fitted 0.3C" in res.output
