"""The SiC break-even table of the report: for each SiC candidate shown, the usable pack energy
its lower WLTP consumption saves against a Si reference candidate, that energy's value at its
pack price, and the SiC inverter premium, as the chain computed them
(``curves["sic_break_even"]``, ``report_inputs.break_even``)."""

from __future__ import annotations

import numpy as np

from .labels import number


def break_even_rows(data) -> list[dict]:
    """One row per SiC candidate shown (empty without WLTP, without Si or SiC rows)."""
    kept = data.extras.get("sic_break_even")
    if not kept:
        return []
    m = data.metrics
    dc = np.asarray(m["wltp_dc_kWh_per_100km"], float)
    rows = []
    for k, (i, j) in enumerate(zip(kept["rows"].tolist(), kept["reference"].tolist(), strict=True)):
        usable = m["pack_usable_energy_kWh"][i]
        rows.append({
            "candidate": data.display(i), "reference": data.display(j),
            "dc_si": number(dc[j]), "dc_sic": number(dc[i]),
            "saved_kWh": number(kept["saved_kWh"][k]),
            "pack_usd_per_kWh": number(m["pack_cost_usd"][i] / usable),
            "saved_usd": number(kept["saved_usd"][k]),
            "premium_usd": number(m["inverter_sic_premium_usd"][i]),
            "net_usd": number(kept["net_usd"][k]), "pays": bool(kept["net_usd"][k] >= 0),
            "break_even": number(kept["break_even_usd_per_kWh"][k]),
        })
    return rows
