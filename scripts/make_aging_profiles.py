"""Write the example aging profiles in examples/aging/ (one period each, for `packstudy cell age`).

- storage-hot-high-soc.csv: a parked cell at 95 % SOC for one day at 35 +- 5 degC.
- daily-full-cycle.csv: 1C discharge 100 -> 0 %, 3 h rest, C/2 charge back to 100 %, 25 degC.
- ev-week.csv: five commuting days (two 10 % trips, overnight charge to 90 %) and a weekend
  with a 70 % trip each day, 20 +- 8 degC daily swing, 10-minute samples.

These are the validation profiles of tests/validation/test_aging_blastlite.py and
benchmarks/bench_life.py. Run: python scripts/make_aging_profiles.py
"""

from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "examples" / "aging"


def profiles() -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    day = 86400.0
    t = np.arange(0.0, day + 1.0, 3600.0)
    out = {"storage-hot-high-soc": (t, np.full(t.size, 0.95),
                                    35.0 + 5.0 * np.sin(2 * np.pi * (t / 3600.0 - 9.0) / 24.0))}
    t = np.arange(0.0, day + 1.0, 300.0)
    out["daily-full-cycle"] = (t, np.interp(t / 3600.0, [0, 1, 4, 6, 24], [1, 0, 0, 1, 1]),
                               np.full(t.size, 25.0))
    hours, socs = [0.0], [0.9]
    for d in range(7):
        b = 24.0 * d
        if d < 5:
            pts = [(8, 0.9), (8.5, 0.8), (17, 0.8), (17.5, 0.7), (22, 0.7), (24, 0.9)]
        else:
            pts = [(10, 0.9), (13, 0.2), (20, 0.2), (23.5, 0.9), (24, 0.9)]
        for h, s in pts:
            hours.append(b + h)
            socs.append(s)
    t = np.arange(0.0, 7 * day + 1.0, 600.0)
    out["ev-week"] = (t, np.interp(t / 3600.0, hours, socs),
                      20.0 + 8.0 * np.sin(2 * np.pi * (t / 3600.0 - 9.0) / 24.0))
    return out


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, (t, soc, temp) in profiles().items():
        rows = ["time_s,soc,temperature_C"] + [f"{a:.0f},{b:.6f},{c:.3f}"
                                               for a, b, c in zip(t, soc, temp, strict=True)]
        (OUT / f"{name}.csv").write_text("\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
