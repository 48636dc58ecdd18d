"""Rows with identical simulation inputs, simulated once.

Packs are designed in whole cells, so a fine sweep of usable energy gives many variants the
same pack, and keys that do not reach a simulation (the charger, for a drive cycle) repeat the
same powertrain again. A kernel runs on one row of each set of rows whose inputs are the same
bit for bit, and its results are copied to the others: the same numbers, computed once.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numba import njit

# odd 64-bit multipliers, one per column, for the row fingerprints (fixed: runs repeat exactly)
_KEYS = np.random.default_rng(20261203).integers(1, 2**63, 8192, dtype=np.uint64) | np.uint64(1)


def rows(*columns) -> tuple[np.ndarray, np.ndarray] | None:
    """``(first, inverse)`` for arrays with one row per variant (axis 0): one row of each set
    of rows equal bit for bit in every column, and each row's set, so ``x[first][inverse]``
    is ``x``; None when every row differs (then nothing is gained).

    Rows are grouped by a hash of their bits (the sum of each 64-bit word times its column's
    odd multiplier, modulo 2**64), then checked bit for bit against their group's first row (a
    row that differs stays a set of its own). Integers, not a weighted sum of the float values:
    one large value (a 1e30 "no limit") would round every other column out of a float sum.
    """
    n = np.shape(columns[0])[0]
    if n < 2:
        return None
    # writable C arrays whatever the columns are (read-only views too): one compiled signature
    parts = [np.require(c, np.float64, "CW").reshape(n, -1).view(np.uint64) for c in columns]
    widths = np.cumsum([0] + [part.shape[1] for part in parts])
    keys = _KEYS if widths[-1] <= _KEYS.size else np.resize(_KEYS, widths[-1])
    fingerprint = np.zeros(n, np.uint64)
    for part, lo, hi in zip(parts, widths[:-1], widths[1:], strict=True):
        _fingerprint(part, keys[lo:hi], fingerprint)
    _, start, group = np.unique(fingerprint, return_index=True, return_inverse=True)
    rep = start[group]
    same = np.ones(n, np.bool_)
    for part in parts:
        _same_bits(part, rep, same)
    rep = np.where(same, rep, np.arange(n))
    first, inverse = np.unique(rep, return_inverse=True)
    return None if first.size == n else (first, inverse)


@njit(cache=True)
def _fingerprint(bits, keys, out):
    """Add each row's sum of ``bits[i, j] * keys[j]`` (uint64, wrapping) to ``out[i]``."""
    for i in range(bits.shape[0]):
        s = out[i]
        for j in range(bits.shape[1]):
            s += bits[i, j] * keys[j]
        out[i] = s


@njit(cache=True)
def _same_bits(a, rep, same):
    """Clear ``same[i]`` where row i of ``a`` differs from row ``rep[i]``."""
    for i in range(a.shape[0]):
        r = rep[i]
        if same[i] and r != i:
            for j in range(a.shape[1]):
                if a[i, j] != a[r, j]:
                    same[i] = False
                    break


def powertrain_rows(pt, *columns) -> tuple[np.ndarray, np.ndarray] | None:
    """``rows`` of every array of a ``Powertrain`` (a dataclass of per-row arrays) and ``columns``."""
    arrays = [v for v in (getattr(pt, f.name) for f in dataclasses.fields(pt)) if v is not None]
    return rows(*arrays, *columns)


def take(pt, index):
    """The dataclass of per-row arrays ``pt`` (a ``Powertrain``) for rows ``index``."""
    return dataclasses.replace(pt, **{
        f.name: None if getattr(pt, f.name) is None else np.ascontiguousarray(getattr(pt, f.name)[index])
        for f in dataclasses.fields(pt)})
