"""NREL BLAST-Lite (``pip install blast-lite``, Apache-2.0) as the reference for packstudy.aging.

Used by test_aging_blastlite.py and benchmarks/bench_life.py; never by the package.
BLAST-Lite 1.1 calls ``numpy.trapz``, removed in NumPy 2.4: it is pointed at ``numpy.trapezoid``.
"""

from pathlib import Path

import numpy as np

PROFILES = Path(__file__).resolve().parents[2] / "examples" / "aging"
# cell preset -> BLAST-Lite class of the same fitted model (packstudy/data/factors/aging.toml)
BLAST_CLASS = {"lg-m50": "Nmc811_GrSi_LGM50_5Ah_Battery", "lfp-prismatic": "Lfp_Gr_250AhPrismatic",
               "nmc811-pouch": "Nmc811_GrSi_LGM50_5Ah_Battery",
               "nmc622-prismatic": "Nmc622_Gr_DENSO50Ah_Battery"}


def blast_models():
    """The ``blast.models`` module (ImportError when blast-lite is not installed)."""
    if not hasattr(np, "trapz"):
        np.trapz = np.trapezoid
    import blast.models

    return blast.models


def load_profile(name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """time_s, soc, temperature_C of examples/aging/NAME.csv."""
    data = np.genfromtxt(PROFILES / f"{name}.csv", delimiter=",", names=True)
    return data["time_s"], data["soc"], data["temperature_C"]


def blast_retention(cell: str, time_s, soc, temperature_C, years: float) -> float:
    """BLAST-Lite's capacity retention after ``years`` of the repeated period."""
    period = time_s[-1] - time_s[0]
    n = int(np.ceil(years * 365 * 86400 / period)) + 1
    t = np.concatenate([time_s[:-1] + k * period for k in range(n)] + [[n * period]])
    tile = [np.concatenate([x[:-1]] * n + [[x[-1]]]) for x in (soc, temperature_C)]
    model = getattr(blast_models(), BLAST_CLASS[cell])()
    model.simulate_battery_life({"Time_s": t, "SOC": tile[0], "Temperature_C": tile[1]},
                                threshold_time=years)
    return float(np.interp(years * 365, model.stressors["t_days"], model.outputs["q"]))
