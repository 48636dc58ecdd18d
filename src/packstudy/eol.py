"""End of life: recycled-content shares against the EU Battery Regulation's minimums.

With ``[footprint] recycled_content = { nickel = 0.1, ... }`` every row gets the checks
``limit:recycled_content_2031`` and ``limit:recycled_content_2036``: the share of each regulated
material (cobalt, lithium, nickel; a material not given counts as 0) against its minimum
(``data/factors/battery_regulation.toml``); the check shows the binding material.
"""

from __future__ import annotations

import numpy as np

from . import catalog


def recycled_content_columns(recycled_content: dict[str, float], n: int) -> list[tuple]:
    """(name, limit (n,), value (n,)) of the two recycled-content checks."""
    table = catalog.factor_table("battery_regulation")
    columns = []
    for year in (2031, 2036):
        minimum = table[f"recycled_content_min_{year}"]["value"]
        margins = {m: recycled_content.get(m, 0.0) - low for m, low in minimum.items()}
        binding = min(margins, key=margins.get)
        columns.append((f"limit:recycled_content_{year}",
                        np.full(n, 100.0 * minimum[binding]),
                        np.full(n, 100.0 * recycled_content.get(binding, 0.0))))
    return columns
