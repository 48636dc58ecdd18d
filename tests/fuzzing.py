"""A fuzzer of study files: hypothesis strategies that mutate the shipped example, a TOML
writer for what they make, and the check every outcome must pass (see tests/test_fuzz.py).

Mutations: delete a key; replace a value with a wrong type, a boolean, NaN or an infinity, a
negative, zero, tiny or huge number, a weird string or an unknown preset; scale a number by
powers of ten; add an unknown key, an optional key (road load, motors, custom or cold cycles,
chargers, sweeps, prices, ranking, uncertainty) or a bad drive-cycle file.
"""

from __future__ import annotations

import copy
import csv
import json
import math
import tomllib
from pathlib import Path

from hypothesis import strategies as st

from packstudy.validity import SILENT

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "performance-suv-battery-options.toml"


def base_study() -> dict:
    """The shipped example with two candidates (runs in about 0.1 s once compiled)."""
    with open(EXAMPLE, "rb") as f:
        study = tomllib.load(f)
    study["candidate"] = study["candidate"][:2]
    return study


# --- TOML writing (enough for what the mutations make) --------------------------------------


def _value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v)  # a TOML basic string (\\uXXXX escapes are TOML too)
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))} = {_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(type(v))


def to_toml(study: dict) -> str:
    """TOML text of a study dict: top-level tables, arrays of tables, inline tables below."""
    lines = []
    for key, value in study.items():
        if not isinstance(value, dict | list) or (isinstance(value, list) and not all(
                isinstance(x, dict) for x in value)) or value == []:
            lines.append(f"{json.dumps(key)} = {_value(value)}")
    for key, value in study.items():
        if isinstance(value, dict):
            lines.append(f"[{json.dumps(key)}]")
            lines += [f"{json.dumps(str(k))} = {_value(v)}" for k, v in value.items()]
        elif isinstance(value, list) and value and all(isinstance(x, dict) for x in value):
            for entry in value:
                lines.append(f"[[{json.dumps(key)}]]")
                lines += [f"{json.dumps(str(k))} = {_value(v)}" for k, v in entry.items()]
    return "\n".join(lines) + "\n"


# --- what the mutations put in -------------------------------------------------------------

WEIRD_STRINGS = ["", " ", "nan", "inf", "-1", "true", "ünïcødé ☃", "../../../etc/passwd", "a" * 300,
                 "\u0000", "no-such-preset", "NMC811-POUCH", "sic ", "cell_to_pack\n", "wltp"]
NUMBERS = [0, -1, 1, -0.0, 0.0, 1e-300, 5e-324, 1e300, 1.7976931348623157e308, -1e308, 10**18,
           -(10**18), 2**63, 2**70, 0.5, 1e6, 1e9, 1000, 12]
SPECIAL = [math.nan, math.inf, -math.inf, True, False]

junk = st.one_of(
    st.sampled_from(SPECIAL + NUMBERS + WEIRD_STRINGS),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.text(max_size=12),
    st.lists(st.sampled_from(SPECIAL + NUMBERS[:6] + WEIRD_STRINGS[:4]), max_size=3),
    st.dictionaries(st.sampled_from(["x", "min", "max", "value", "series"]),
                    st.sampled_from(SPECIAL + NUMBERS[:6]), max_size=2),
)

# keys a study may add (path, a sensible value, itself mutated later)
PLAIN_VEHICLE = {"name": "plain", "glider_mass_kg": 1700.0, "motor_peak_kW": 150.0,
                 "road_load": {"f0_N": 130.0, "f1_N_per_mps": 1.0, "f2_N_per_mps2": 0.4}}
OPTIONAL = [
    (("vehicle",), PLAIN_VEHICLE),  # no preset, no calibration: weak vehicles still run
    (("vehicle",), {**PLAIN_VEHICLE, "motor_peak_kW": 1.0}),
    (("vehicle",), {**PLAIN_VEHICLE, "motor_peak_kW": 2.0, "aux_W": 5000.0}),
    (("vehicle", "road_load"), {"f0_N": 180.0, "f1_N_per_mps": 2.0, "f2_N_per_mps2": 0.45}),
    (("vehicle", "motor_peak_kW"), 1.0),
    (("vehicle", "motor_peak_kW"), 3.0),
    (("vehicle", "motor_peak_kW"), 30.0),
    (("vehicle", "motor_peak_torque_Nm"), 20.0),
    (("vehicle", "test_mass_kg"), 2700.0),
    (("vehicle", "aux_W"), 30000.0),
    (("vehicle", "top_speed_kmh"), 20.0),
    (("vehicle", "gear_ratio"), 1.0),
    (("vehicle", "wheel_radius_m"), 0.9),
    (("vehicle", "max_dc_charge_kW"), 1.0),
    (("vehicle", "tyre_friction_coefficient"), 0.05),
    (("vehicle", "front_axle_load_fraction"), 0.99),
    (("vehicle", "rotating_inertia_fraction"), 0.49),
    (("vehicle", "drag_coefficient"), 1.4),
    (("vehicle", "calibration"), {}),
    (("vehicle", "calibration", "epa_city_unadjusted_kWh_per_100km"), 5.0),
    (("vehicle", "heating"), "resistive"),
    (("study", "cold"), {"ambient_C": -40.0, "cycle": "us06"}),
    (("study", "cold", "cycle"), "udds"),
    (("study", "fast_charge"), {"soc_start": 0.0, "soc_end": 1.0}),
    (("study", "fast_charge"), {"soc_start": 0.7, "soc_end": 0.72, "temperature_C": -40.0}),
    (("study", "procedures"), ["wltp", "wltp"]),
    (("study", "procedures"), []),
    (("study", "cycles"), {"commute": "cycle.csv"}),
    (("study", "cycles"), {"wltp": "cycle.csv"}),
    (("study", "baseline"), "no such candidate"),
    (("candidate", 0, "charger"), {"power_kW": 1.0, "current_A": 1.0}),
    (("candidate", 0, "charger"), {"power_kW": 350.0, "current_A": 500.0, "max_voltage_V": 300.0}),
    (("candidate", 0, "charger"), "ccs-50kw-500v"),
    (("candidate", 0, "pack"), {"series": 1, "parallel": 1}),
    (("candidate", 0, "pack"), {"series": 400, "parallel": 40}),
    (("candidate", 0, "pack"), {"usable_energy_kWh": 1.0}),
    (("candidate", 0, "pack"), {"usable_energy_kWh": 5000.0, "nominal_voltage_V": 48}),
    (("candidate", 0, "pack", "soc_min"), 0.99),
    (("candidate", 0, "pack", "max_mass_kg"), 1.0),
    (("candidate", 0, "cell"), {"bpx": "no-such-file.json"}),
    (("candidate", 0, "cell"), "cell.toml"),
    (("candidate", 0, "cell"), {"bpx": 5}),
    (("candidate", 0, "cell"), {"bpx": "study.toml"}),
    (("candidate", 0, "cell"), {"name": "x", "capacity_Ah": 5.0}),
    (("candidate", 0, "cell"), "a" * 300 + ".toml"),
    (("vehicle", "preset"), "a" * 300),
    (("vehicle", "front_motor_peak_kW"), 3000.0),
    (("vehicle", "battery"), {"usable_energy_kWh": 1.0}),
    (("candidate", 0, "charger", "x"), 1),
    (("candidate", 1, "name"), "NMC811 pouch, modules, Si"),
    (("ranking",), {"weights": {"wltp_range_km": 1.0, "pack_cost_usd": -1.0}}),
    (("ranking", "weights"), {"accel_0_100_s": 1.0}),
    (("requirements", "accel_0_100_s"), {"min": 1e300}),
    (("requirements", "fast_charge_10_80_min"), {"max": 1.0}),
    (("requirements", "no_such_metric"), {"min": 1.0}),
    (("cost", "prices"), {"cam_nmc811": 1e5}),
    (("cost", "prices"), {"no_such_material": 1.0}),
    (("cost", "year"), 1900),
    (("cost", "region"), "atlantis"),
    (("footprint", "grid_kgCO2e_per_kWh"), 2.0),
    (("footprint", "recycled_content"), {"nickel": 1.5}),
    (("uncertainty",), {"samples": 10, "seed": 1}),
    (("sweep",), {"pack.parallel": [1, 2], "batch_size": 1}),
    (("sweep",), {"cell": ["nmc811-pouch", "lfp-prismatic"], "objectives": ["min:pack_cost_usd",
                                                                            "max:wltp_range_km"]}),
    (("sweep",), {"pack.usable_energy_kWh": [60, 1e9]}),
    (("sweep",), {"inverter": []}),
    (("sweep",), {"pack.series": [True]}),
    (("unknown_top_key",), 1),
    (("vehicle", "unknown_key"), 1),
    (("schema_version",), 2),
]

# drive-cycle files (header and rows) for the custom and cold cycles
CYCLES = {
    "zero": "time_s,speed_mps\n" + "".join(f"{t},0\n" for t in range(100)),
    "downhill": "time_s,speed_mps,grade\n" + "".join(f"{t},15,-0.1\n" for t in range(300)),
    "steep_up": "time_s,speed_mps,grade\n" + "".join(f"{t},30,0.3\n" for t in range(300)),
    "fast": "time_s,speed_mps\n" + "".join(f"{t},{min(t, 120)}\n" for t in range(300)),
    "long": "time_s,speed_mps\n" + "".join(f"{t},20\n" for t in range(0, 86_400, 4)),
    "too_long": "time_s,speed_mps\n0,10\n1000000,10\n",
    "gap": "time_s,speed_mps\n0,10\n0.5,10\n3600,10\n",
    "backwards": "time_s,speed_mps\n0,1\n2,1\n1,1\n",
    "nan": "time_s,speed_mps\n0,1\n1,nan\n2,1\n",
    "negative": "time_s,speed_mps\n0,1\n1,-1\n",
    "one_row": "time_s,speed_mps\n0,1\n",
    "empty": "",
    "header": "t,v\n0,1\n1,2\n",
    "text": "time_s,speed_mps\n0,fast\n",
    "ok": "time_s,speed_mps\n" + "".join(f"{t},{10 + 5 * math.sin(t / 10)}\n" for t in range(600)),
}
BINARY = bytes(range(256)) * 4


@st.composite
def mutated_studies(draw):
    """(study dict, cycle file content or None): 1-3 mutations of the two-candidate example."""
    study = base_study()
    cycle = None
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["delete", "replace", "scale", "optional", "cycle"]))
        if kind == "optional":
            path, value = draw(st.sampled_from(OPTIONAL))
            _set(study, path, copy.deepcopy(value))
            continue
        if kind == "cycle":
            cycle = draw(st.sampled_from([*CYCLES.values(), BINARY]))
            where = draw(st.sampled_from([("study", "cycles", "route"), ("study", "cold", "cycle")]))
            _set(study, where, "cycle.csv")
            continue
        paths = list(_paths(study))
        if not paths:
            continue
        path = draw(st.sampled_from(paths))
        if kind == "delete":
            _delete(study, path)
        elif kind == "replace":
            _set(study, path, draw(junk))
        else:
            old = _get(study, path)
            if isinstance(old, int | float) and not isinstance(old, bool):
                factor = draw(st.sampled_from([-1, 0, 1e-9, 1e-3, 1e3, 1e9, 1e300]))
                _set(study, path, old * factor)
    return study, cycle


def _paths(obj, prefix=()):
    """Every key path in a study (dict keys and list indices), parents before children."""
    items = obj.items() if isinstance(obj, dict) else enumerate(obj) if isinstance(obj, list) else ()
    for key, value in items:
        yield (*prefix, key)
        yield from _paths(value, (*prefix, key))


def _get(obj, path):
    for key in path:
        obj = obj[key]
    return obj


def _set(obj, path, value):
    for key in path[:-1]:
        if isinstance(obj, list):
            if not isinstance(key, int) or key >= len(obj):
                return
            obj = obj[key]
        elif isinstance(obj, dict):
            if not isinstance(obj.get(key), dict | list):
                obj[key] = {}
            obj = obj[key]
        else:
            return
    if isinstance(obj, dict):
        obj[path[-1]] = value
    elif isinstance(obj, list) and isinstance(path[-1], int) and path[-1] < len(obj):
        obj[path[-1]] = value


def _delete(obj, path):
    parent = _get(obj, path[:-1])
    if isinstance(parent, dict):
        parent.pop(path[-1], None)
    elif isinstance(parent, list) and len(parent) > 1:
        parent.pop(path[-1])


# --- the check ------------------------------------------------------------------------------


def check_outcome(code: int, output: str, out_dir: Path) -> None:
    """Exit 2 with a clear message, or exit 0 with strict JSON, every number finite or null
    (null metrics named in the candidate's notes), no negative range, no non-positive
    consumption. Raises AssertionError naming what is wrong."""
    assert "Traceback" not in output and "internal error" not in output, output[-2000:]
    assert code in (0, 2), f"exit {code}: {output[-2000:]}"
    if code == 2:
        assert output.lstrip().startswith("error:") and ":" in output, output[-2000:]
        assert len(output) < 20_000, "error message too long"
        return
    text = (out_dir / "results.json").read_text()

    def strict(token):
        raise AssertionError(f"results.json holds the non-JSON token {token}")

    doc = json.loads(text, parse_constant=strict)
    _finite_or_null(doc, "results.json")
    for cand in doc["candidates"]:
        notes = " ".join(cand.get("notes", []))
        for key, value in cand["metrics"].items():
            if value is None:  # inputs echoed for the limit checks: null where not given
                assert key in notes or key.startswith(SILENT), f"{cand['name']}: {key} null, no note"
                continue
            if key.endswith("_range_km") or key.startswith("range_at_"):
                assert value > 0, f"{cand['name']}: {key} = {value}"
            if key.endswith("kWh_per_100km"):
                assert value > 0, f"{cand['name']}: {key} = {value}"
    with open(out_dir / "results.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    for row in rows[1:]:  # every cell but the candidate's name: a number or empty (null)
        for cell in row[1:]:
            assert cell == "" or math.isfinite(float(cell)), f"results.csv holds {cell!r}"
    assert "nan (" not in output and "-nan" not in output


def _finite_or_null(obj, where):
    if isinstance(obj, dict):
        for k, v in obj.items():
            _finite_or_null(v, f"{where}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            _finite_or_null(v, f"{where}[{i}]")
    elif isinstance(obj, float):
        assert math.isfinite(obj), f"{where} = {obj}"
