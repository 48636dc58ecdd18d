"""Cost + footprint + minerals for 100,000 variants; prints wall time (goal < 1 s)."""

import time

import numpy as np

from packstudy.cost import pack_cost
from packstudy.footprint import pack_footprint, pack_minerals

N = 100_000


def main() -> None:
    rng = np.random.default_rng(0)
    chem = rng.choice(["nmc811-graphite", "nmc9-graphite-si", "nmc622-graphite",
                       "nca-graphite-si", "lfp-graphite", "lmfp-graphite", "nfpp-hard-carbon",
                       "nmc811-lithium-metal"], N)
    energy_Wh = rng.uniform(150.0, 700.0, N)
    mass_kg = energy_Wh / rng.uniform(160.0, 300.0, N)
    fmt = rng.choice(["pouch", "prismatic", "cylindrical"], N)
    n_cells = rng.integers(96, 600, N).astype(float)
    pack_kWh = n_cells * energy_Wh / 1e3
    integ = rng.choice(["module", "cell_to_pack", "cell_to_body"], N)
    args = (chem, energy_Wh, mass_kg, fmt, n_cells, pack_kWh, integ)
    pack_cost(*args[:1], *[a[:1] for a in args[1:]])  # warm the table caches
    t0 = time.perf_counter()
    cost = pack_cost(*args, n_parallel=2)
    fp = pack_footprint(*args)
    minerals = pack_minerals(*args)
    dt = time.perf_counter() - t0
    print(f"{N} variants: cost + footprint + minerals in {dt:.3f} s (goal < 1 s)")
    print(f"median pack cost {np.median(cost.pack_cost_usd_per_kWh):.1f} $/kWh, "
          f"footprint {np.median(fp.footprint_kgCO2e_per_kWh):.1f} kgCO2e/kWh, "
          f"lithium {np.median(minerals['lithium_kg']):.1f} kg")


if __name__ == "__main__":
    main()
