"""The SiC break-even table of the report: for each SiC candidate shown, the usable pack energy
its lower WLTP consumption saves against a Si reference candidate, that energy's value at its
pack price, and the SiC inverter premium (``power_electronics.sic_break_even``)."""

from __future__ import annotations

import numpy as np

from ..power_electronics import sic_break_even
from .labels import number

NEEDED = ("wltp_dc_kWh_per_100km", "pack_usable_energy_kWh", "pack_cost_usd",
          "inverter_sic_premium_usd")


def _reference(data, i: int, si_rows: list[int]) -> int:
    """The Si row to compare SiC row ``i`` with: one with the same cell and integration, else
    the baseline when it is Si, else the first Si row."""
    cand = data.study.candidate[i]

    def same_design(j):
        other = data.study.candidate[j]
        return (repr(other.cell) == repr(cand.cell)
                and getattr(other.pack, "integration", None) == getattr(cand.pack, "integration", None))

    for j in si_rows:
        if same_design(j):
            return j
    baseline = data.study.study.baseline
    return next((j for j in si_rows if data.names[j] == baseline), si_rows[0])


def break_even_rows(data) -> list[dict]:
    """One row per SiC candidate shown (empty without WLTP, without Si or SiC rows)."""
    if any(k not in data.metrics for k in NEEDED):
        return []
    kinds = {int(i): data.study.candidate[int(i)].inverter for i in data.rows}
    si_rows = [i for i, k in kinds.items() if k == "si"]
    sic_rows = [i for i, k in kinds.items() if k == "sic"]
    if not si_rows or not sic_rows:
        return []
    refs = [_reference(data, i, si_rows) for i in sic_rows]
    m = {k: np.asarray(data.metrics[k], float) for k in NEEDED}
    dc = m["wltp_dc_kWh_per_100km"]
    out = sic_break_even(m["pack_usable_energy_kWh"][sic_rows], dc[sic_rows], dc[refs],
                         m["pack_cost_usd"][sic_rows], m["inverter_sic_premium_usd"][sic_rows])
    rows = []
    for k, (i, j) in enumerate(zip(sic_rows, refs, strict=True)):
        usable = m["pack_usable_energy_kWh"][i]
        rows.append({
            "candidate": data.display(i), "reference": data.display(j),
            "dc_si": number(dc[j]), "dc_sic": number(dc[i]),
            "saved_kWh": number(out["saved_kWh"][k]),
            "pack_usd_per_kWh": number(m["pack_cost_usd"][i] / usable),
            "saved_usd": number(out["saved_usd"][k]),
            "premium_usd": number(m["inverter_sic_premium_usd"][i]),
            "net_usd": number(out["net_usd"][k]), "pays": bool(out["net_usd"][k] >= 0),
            "break_even": number(out["break_even_usd_per_kWh"][k]),
        })
    return rows
