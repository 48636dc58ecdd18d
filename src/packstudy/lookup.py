"""Look-up of a name among the allowed ones, and the one message for a name that is not there.

Every "unknown X" in packstudy (presets, keys, chemistries, regions, procedures, result names,
...) reads ``unknown KIND 'name'; did you mean 'close'? valid: a, b, c``: the close matches by
``difflib`` (similarity ratio of at least ``CUTOFF``), then what is allowed.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

import numpy as np

NAME_MAX = 100  # characters: longer is no preset name (and no file name on most file systems)
CUTOFF = 0.6  # difflib similarity ratio (0..1) from which a name is offered as a close match
MATCHES = 3  # close matches offered at most


def shown(name: str) -> str:
    """A name as quoted in a message, an over-long one cut short with its length."""
    if len(name) <= NAME_MAX:
        return repr(name)
    return f"{name[:40]!r}... ({len(name)} characters)"


def close_matches(name: str, allowed: Iterable[str]) -> list[str]:
    """The allowed names most like ``name``, best first (at most ``MATCHES``)."""
    return difflib.get_close_matches(str(name)[:NAME_MAX], list(allowed), n=MATCHES, cutoff=CUTOFF)


def unknown(kind: str, name, allowed: Iterable[str], listed: str | None = "valid",
            more: str = "") -> str:
    """``unknown KIND 'name'; did you mean 'x'? LISTED: a, b, c[MORE]`` for a name that is not
    among ``allowed`` (``listed``: what the list is, e.g. "shipped", None for no list, where
    the caller lists the names once for several problems; ``more``: an alternative appended
    to the list, e.g. ", or a CSV file")."""
    allowed = list(allowed)
    close = close_matches(str(name), allowed)
    text = f"unknown {kind} {shown(str(name))}"
    text += f"; did you mean {', '.join(map(repr, close))}?" if close else ""
    if listed is not None:
        text += f"{' ' if close else '; '}{listed}: {', '.join(allowed) or 'none'}{more}"
    return text


def check(kind: str, name, allowed: Iterable[str], error: type[Exception] = ValueError,
          prefix: str = "", **kw) -> str:
    """``name`` when it is among ``allowed``; else raises ``error`` with the :func:`unknown`
    message (after ``prefix``, e.g. ``"cost.region: "``)."""
    allowed = list(allowed)
    if name in allowed:
        return name
    raise error(prefix + unknown(kind, name, allowed, **kw))


def check_all(kind: str, values, allowed: Iterable[str], error: type[Exception] = ValueError,
              prefix: str = "", **kw) -> None:
    """Raise as :func:`check` for the first (sorted) of ``values`` (a string array of any
    shape, e.g. one entry per variant) that is not among ``allowed``."""
    allowed = list(allowed)
    bad = sorted(set(np.unique(np.asarray(values, dtype=str)).tolist()) - set(allowed))
    if bad:
        check(kind, bad[0], allowed, error, prefix, **kw)


def per_value(values, get, dtype=float) -> np.ndarray:
    """``get(v)`` for every entry ``v`` of the string array ``values`` (e.g. one per variant),
    called once per distinct value: no Python loop over the variants."""
    names = np.asarray(values, dtype=str)
    distinct, index = np.unique(names, return_inverse=True)
    return np.array([get(v) for v in distinct.tolist()], dtype=dtype)[index].reshape(names.shape)
