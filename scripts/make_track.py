"""Build a user track CSV (``distance_m,curvature_1_per_m``, for ``track = { file = ... }``)
from a closed race line of your own given as ``x_m,y_m`` points in metres (e.g. a GPS log
of a lap projected to a local plane), one point a line.

Usage: python scripts/make_track.py RACELINE.csv OUT.csv [--step-m 5] [--smooth-m 25]

The line is resampled at ``step_m`` along its length; the curvature is the rate of change of
the heading with distance, smoothed over ``smooth_m`` (a centred moving average, periodic:
the lap closes) to remove the digitisation noise of the points.
"""

from __future__ import annotations

import argparse

import numpy as np


def curvature_profile(x, y, step_m=5.0, smooth_m=25.0):
    """(distance_m, curvature_1_per_m) of the closed line through (x, y), resampled."""
    x = np.append(x, x[0])
    y = np.append(y, y[0])
    s = np.concatenate([[0.0], np.cumsum(np.hypot(np.diff(x), np.diff(y)))])
    length = s[-1]
    grid = np.arange(0.0, length, length / round(length / step_m))
    xs, ys = np.interp(grid, s, x), np.interp(grid, s, y)
    dx = np.roll(xs, -1) - np.roll(xs, 1)
    dy = np.roll(ys, -1) - np.roll(ys, 1)
    heading = np.arctan2(dy, dx)
    step = grid[1] - grid[0]
    turn = np.angle(np.exp(1j * np.diff(heading, append=heading[0])))  # per step, periodic
    width = max(int(round(smooth_m / step)) | 1, 1)
    kernel = np.ones(width) / width
    padded = np.concatenate([turn[-width:], turn, turn[:width]])
    smooth = np.convolve(padded, kernel, mode="same")[width:-width]
    return grid, smooth / step


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("raceline")
    ap.add_argument("out")
    ap.add_argument("--step-m", type=float, default=5.0)
    ap.add_argument("--smooth-m", type=float, default=25.0)
    args = ap.parse_args()
    pts = np.loadtxt(args.raceline, delimiter=",", comments="#")
    dist, curv = curvature_profile(pts[:, 0], pts[:, 1], args.step_m, args.smooth_m)
    with open(args.out, "w") as f:
        f.write("distance_m,curvature_1_per_m\n")
        for d, k in zip(dist, curv, strict=True):
            f.write(f"{d:.2f},{k:.6f}\n")
    print(f"{args.out}: {dist[-1] + dist[1]:.1f} m, {dist.size} points, "
          f"total turning {np.sum(curv) * (dist[1] - dist[0]) / (2 * np.pi):.3f} turns, "
          f"tightest radius {1 / np.max(np.abs(curv)):.1f} m")


if __name__ == "__main__":
    main()
