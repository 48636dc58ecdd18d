"""What the report shows beyond the result columns, gathered by the chain (``study.keep_for_report``)
so that the report only draws: the sourced factor tables and preset sources the study read,
and the SiC break-even table of the rows the report shows.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

import numpy as np

from . import catalog, chemistry
from .cell import cell_file
from .charging import default as charging_default
from .power_electronics import sic_break_even
from .results import shown_rows

# Factor tables read by the chain: always, and per procedure when the study runs it.
ALWAYS_TABLES = ("drivetrain", "inverter", "power_electronics", "pack_design", "procedures")
PROCEDURE_TABLES = {"acceleration": ("performance",), "fast_charge": ("charging",),
                    "cold": ("climate",), "launch_repeat": ("performance", "thermal", "endurance"),
                    "track": ("performance", "thermal", "endurance")}
PROCEDURE_CYCLES = {"wltp": ("wltc_class3b",), "epa": ("udds", "hwfet")}
BREAK_EVEN_NEEDS = ("wltp_dc_kWh_per_100km", "pack_usable_energy_kWh", "pack_cost_usd",
                    "inverter_sic_premium_usd")


def assumptions(study, base_dir: Path) -> dict[str, list[dict]]:
    """``factor_tables``: each sourced factor table the chain read, as ``{"name", "table"}``
    (the catalog's entries); ``presets``: the sources of the vehicle, cells, chemistries,
    chargers and drive cycles, as groups ``{"title", "notes", "entries": [{"key", "source"}]}``."""
    return {"factor_tables": factor_tables(study), "presets": preset_sources(study, base_dir)}


def _distinct_candidates(study) -> list:
    """The study's candidates; for a sweep's variants, those that hold every swept value (in
    the order the values first appear)."""
    candidates = study.candidate
    representatives = getattr(candidates, "representatives", None)
    return representatives() if representatives is not None else candidates


def factor_tables(study) -> list[dict]:
    """The sourced factor tables the study's chain read, each with all its entries."""
    names = list(ALWAYS_TABLES)
    for procedure in study.study.procedures:
        names += PROCEDURE_TABLES.get(procedure, ())
    if any(not isinstance(c.cell, str) for c in _distinct_candidates(study)):
        names.append("cell_defaults")
    for name in chemistry.FACTOR_TABLES:
        names.append(f"{chemistry.PRICE_SET_PREFIX}{chemistry.price_set_year(study.cost.year)}"
                     if name == "materials" else name)
    return [{"name": n, "table": catalog.factors(n)} for n in dict.fromkeys(names)]


def _sources_in(obj, prefix: str = "") -> list[dict]:
    """Every ``source``/``*_source`` string in a nested preset table, with its path."""
    out = []
    for key, value in obj.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            out += _sources_in(value, path + ".")
        elif isinstance(value, str) and (key == "source" or key.endswith("_source")):
            out.append({"key": prefix.rstrip(".") or key, "source": value})
    return out


def preset_sources(study, base_dir: Path) -> list[dict]:
    """Sources of the vehicle, the cell presets and cell files (relative to ``base_dir``) and
    their chemistries, chargers and cycles."""
    groups = []
    v = study.vehicle
    vehicle = [{"key": k, "source": s} for k, s in v.sources.items()]
    vehicle += [{"key": f"published {k}", "source": f"{p.get('value')}: {p.get('source', '')}"}
                for k, p in v.published.items()]
    groups.append({"title": f"Vehicle: {v.name}" + (f" (preset {v.preset})" if v.preset else ""),
                   "notes": [], "entries": vehicle})
    candidates = _distinct_candidates(study)
    cells = dict.fromkeys(c.cell for c in candidates if isinstance(c.cell, str))
    chemistries = {}
    for name in cells:
        path = cell_file(name, base_dir)
        if path is not None:  # a cell file of the user's
            preset, title = tomllib.loads(path.read_text(encoding="utf-8")), f"Cell file: {name}"
        else:
            preset, title = catalog.load_preset("cells", name), f"Cell preset: {name}"
        groups.append({"title": title, "notes": [preset.get("description", "")]
                       + list(preset.get("assumptions", [])),
                       "entries": [{"key": k, "source": s}
                                   for k, s in preset.get("sources", {}).items()]})
        if preset.get("chemistry"):
            chemistries[preset["chemistry"]] = None
    for name in chemistries:
        groups.append({"title": f"Cell chemistry: {name}", "notes": [],
                       "entries": _sources_in(chemistry.load_chemistry(name))})
    if "fast_charge" in study.study.procedures:
        chargers = dict.fromkeys(c.charger if isinstance(c.charger, str) or c.charger is None
                                 else "given in the study" for c in candidates)
        for name in chargers:
            name = name or charging_default("default_charger")
            path = catalog.data_dir() / "chargers" / f"{name}.toml"
            if path.is_file():
                raw = tomllib.loads(path.read_text())
                groups.append({"title": f"Charger preset: {name}",
                               "notes": [raw.get("description", "")],
                               "entries": [{"key": k, "source": s}
                                           for k, s in raw.get("sources", {}).items()]})
    provenance = _cycle_provenance()
    cycles = [c for p in study.study.procedures for c in PROCEDURE_CYCLES.get(p, ())]
    groups.append({"title": "Drive cycles", "notes": [], "entries": [
        {"key": c, "source": f"{provenance[c]['regulation']}; {provenance[c].get('license', '')}"}
        for c in cycles if c in provenance]})
    return groups


@cache
def _cycle_provenance() -> dict:
    with open(catalog.data_dir() / "cycles" / "provenance.toml", "rb") as f:
        return tomllib.load(f)


def _reference(study, names: list[str], i: int, si_rows: list[int]) -> int:
    """The Si row to compare SiC row ``i`` with: one with the same cell and integration, else
    the baseline when it is Si, else the first Si row."""
    cand = study.candidate[i]

    def same_design(j):
        other = study.candidate[j]
        return (repr(other.cell) == repr(cand.cell)
                and getattr(other.pack, "integration", None) == getattr(cand.pack, "integration", None))

    for j in si_rows:
        if same_design(j):
            return j
    baseline = study.study.baseline
    return next((j for j in si_rows if names[j] == baseline), si_rows[0])


def _one_kind(inverter) -> str | None:
    """"si" or "sic" where every axle's inverter is of that technology (``inverter = "sic"`` or
    ``{ front = "sic", rear = "sic" }``), None where the axles differ."""
    if isinstance(inverter, str):
        return inverter
    given = inverter if isinstance(inverter, dict) else inverter.model_dump()
    kinds = {kind for kind in given.values() if kind is not None}
    return kinds.pop() if len(kinds) == 1 else None


def break_even(result) -> dict[str, np.ndarray]:
    """The SiC break-even of each SiC row the report shows (``results.shown_rows``) against a
    Si row shown (``power_electronics.sic_break_even``): ``rows``, ``reference`` (row indices)
    and the function's columns. Empty without WLTP or without Si and SiC rows among those shown."""
    m = result.metrics
    if any(k not in m for k in BREAK_EVEN_NEEDS):
        return {}
    study = result.study
    kinds = {int(i): _one_kind(study.candidate[int(i)].inverter) for i in shown_rows(result)[0]}
    si_rows = [i for i, k in kinds.items() if k == "si"]
    sic_rows = [i for i, k in kinds.items() if k == "sic"]
    if not si_rows or not sic_rows:
        return {}
    refs = [_reference(study, result.names, i, si_rows) for i in sic_rows]
    dc = np.asarray(m["wltp_dc_kWh_per_100km"], float)
    out = sic_break_even(np.asarray(m["pack_usable_energy_kWh"], float)[sic_rows], dc[sic_rows],
                         dc[refs], np.asarray(m["pack_cost_usd"], float)[sic_rows],
                         np.asarray(m["inverter_sic_premium_usd"], float)[sic_rows])
    return {"rows": np.array(sic_rows), "reference": np.array(refs), **out}
