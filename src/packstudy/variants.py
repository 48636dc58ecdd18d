"""The variants table: one row per candidate or sweep variant, one typed column per candidate
key the chain reads (``cell``, ``inverter``, ``charger``, ``pack.*``, ``cooling.*``, ...).

A column is a factor: its distinct values, as a validated candidate holds them (None where
the key is not given), and one integer code per row. A sweep's table is the cartesian product
of its lists (in file order, the last key varying fastest) built with ``np.unravel_index``:
the swept keys' codes are the product's indices, every other key is the base candidate's
value, and each swept value is validated once, as the candidate that takes it (with the other
keys at their first value) — a candidate has no checks across its fields, and its pack's
checks see the same fields on every row. No candidate object is built per variant; indexing
the table (``table[i]``) builds row ``i``'s candidate, for the few rows a report shows.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .spec import Candidate, Study, with_swept_values

PACK_KEYS = ("series", "parallel", "usable_energy_kWh", "nominal_voltage_V", "integration",
             "soc_min", "soc_max", "max_mass_kg", "max_volume_L")
COOLING_KEYS = ("chiller_kW", "heater_kW")
# every column of a table: candidate keys, and two flags a candidate's own keys imply
# (``has_pack``: it gives a pack table; ``cell_given``: it names its cell)
KEYS = ("cell", "inverter", "charger", "dc_limits", "as_built", "has_pack", "cell_given",
        *(f"pack.{k}" for k in PACK_KEYS), *(f"cooling.{k}" for k in COOLING_KEYS))


@dataclass(frozen=True)
class Factor:
    """A column: distinct ``values`` and each row's ``codes`` (index into ``values``)."""

    values: list
    codes: np.ndarray


def value_of(candidate: Candidate, key: str):
    """The value of column ``key`` in ``candidate`` (None when not given)."""
    if key == "has_pack":
        return candidate.pack is not None
    if key == "cell_given":
        return "cell" in candidate.model_fields_set
    table, _, field = key.rpartition(".")
    return getattr(getattr(candidate, table), field, None) if table else getattr(candidate, key)


class VariantTable(Sequence):
    """Rows of candidates or variants as columns (``factors``: key -> Factor; ``candidate``:
    each row's index in the study's ``[[candidate]]`` list, the base of a sweep's variants)."""

    def __init__(self, factors: dict[str, Factor], candidate: np.ndarray):
        self.factors = factors
        self.candidate_index = candidate
        self.n = candidate.size

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        i = int(i) + (len(self) if i < 0 else 0)
        if not 0 <= i < len(self):
            raise IndexError("variant index out of range")
        return self.candidate(i)

    def candidate(self, i: int) -> Candidate:
        raise NotImplementedError

    def floats(self, key: str) -> np.ndarray:
        """A numeric column as floats (NaN where not given)."""
        f = self.factors[key]
        return np.array([np.nan if v is None else float(v) for v in f.values], float)[f.codes]

    def labels(self, key: str) -> np.ndarray:
        """A text column (``inverter``, ``pack.integration``) as an array of str or None."""
        f = self.factors[key]
        return np.array(f.values, dtype=object)[f.codes]

    def flags(self, key: str) -> np.ndarray:
        """A yes/no column (``as_built``, ``has_pack``, ``cell_given``) as bools."""
        f = self.factors[key]
        return np.array([bool(v) for v in f.values], bool)[f.codes]


class CandidateTable(VariantTable):
    """The table of a list of candidates (a study's ``[[candidate]]`` tables)."""

    def __init__(self, candidates):
        self.candidates = list(candidates)
        factors = {}
        for key in KEYS:
            values, codes = {}, []
            for cand in self.candidates:
                value = value_of(cand, key)
                codes.append(values.setdefault(repr(value), (len(values), value))[0])
            factors[key] = Factor([v for _, v in values.values()], np.asarray(codes, np.intp))
        super().__init__(factors, np.arange(len(self.candidates)))

    def candidate(self, i: int) -> Candidate:
        return self.candidates[i]


class SweepTable(VariantTable):
    """Variants ``start`` to ``stop`` of a study's sweep: the base candidate with every
    combination of the swept values. ``values`` (``axis_values()`` of a table of the same
    sweep, whose values were validated there) saves validating them again."""

    def __init__(self, study: Study, start: int = 0, stop: int | None = None,
                 values: list[list] | None = None):
        sweep = study.sweep
        names = [c.name for c in study.candidate]
        base = names.index(sweep.base) if sweep.base else 0
        self.base = study.candidate[base]
        self.parameters = sweep.parameters
        self.keys = list(self.parameters)
        self.shape = tuple(len(v) for v in self.parameters.values())
        total = math.prod(self.shape)
        stop = total if stop is None else min(stop, total)
        self.start = start
        self._base_data = self.base.model_dump(exclude_none=True)
        self._built: dict[int, Candidate] = {}  # absolute variant index -> validated candidate
        picks = np.unravel_index(np.arange(start, stop), self.shape)
        self.codes = dict(zip(self.keys, picks, strict=True))
        first = self._validated(self._only(0, 0))
        n = stop - start
        factors = {key: Factor([value_of(first, key)], np.zeros(n, np.intp)) for key in KEYS}
        for axis, key in enumerate(self.keys):
            if value_of(first, key) is None:  # a pack's series and nominal voltage replace
                continue  # each other: the key swept later wins on every row
            if values is not None:
                factors[key] = Factor(values[axis], picks[axis])
                continue
            used = np.unique(picks[axis])  # validated once per distinct value in these rows
            axis_values = [None] * self.shape[axis]
            for pick in used.tolist():
                axis_values[pick] = self.value(key, pick)
            factors[key] = Factor(axis_values, picks[axis])
        super().__init__(factors, np.full(n, base))

    def candidate(self, i: int) -> Candidate:
        return self._validated(self.start + i)

    def _validated(self, index: int) -> Candidate:
        """Variant ``index`` (of the whole sweep) validated whole, kept once built."""
        if index not in self._built:
            picks = np.unravel_index(index, self.shape)
            data = with_swept_values(self._base_data, {
                key: self.parameters[key][pick] for key, pick in zip(self.keys, picks, strict=True)})
            data["name"] = self._name(picks)
            self._built[index] = Candidate.model_validate(data)
        return self._built[index]

    def _only(self, axis: int, pick: int) -> int:
        """The index of the variant with value ``pick`` of key ``axis`` and the first of the others."""
        picks = [0] * len(self.shape)
        picks[axis] = pick
        return int(np.ravel_multi_index(picks, self.shape))

    def _name(self, picks) -> str:
        return self.base.name + " | " + ", ".join(
            f"{key}={_label(self.parameters[key][pick])}" for key, pick in zip(self.keys, picks, strict=True))

    def representatives(self) -> list[Candidate]:
        """Variants that together hold every swept value, each value of each key with the first
        of the others (so building them validates every value), in index order."""
        rows = {self._only(axis, pick) for axis, size in enumerate(self.shape) for pick in range(size)}
        return [self._validated(i) for i in sorted(rows)]

    def names(self) -> list[str]:
        """Every row's name (as its candidate's ``name``): the base's, then ``key=value``."""
        labels = [[f"{key}={_label(v)}" for v in values] for key, values in self.parameters.items()]
        return self._joined(labels, self.base.name + " | ")

    def displays(self) -> list[str]:
        """Every row's swept values as its candidate holds them (validated), comma separated."""
        return self._joined([[_text(self.value(key, pick)) for pick in range(self.shape[axis])]
                             for axis, key in enumerate(self.keys)], "")

    def _joined(self, labels: list[list[str]], prefix: str) -> list[str]:
        """``prefix`` + each row's labels joined by ", ", one per distinct combination of the
        leading keys and then repeated (names need one string each; the codes are arrays)."""
        out = np.array([prefix], dtype=object)
        for axis, axis_labels in enumerate(labels):
            sep = ", " if axis else ""
            out = np.add.outer(out, np.array([sep + s for s in axis_labels], dtype=object)).ravel()
        return out[self.start:self.start + self.n].tolist()

    def value(self, key: str, pick: int):
        """Value ``pick`` of swept key ``key`` as the candidate that takes it holds it."""
        return value_of(self._validated(self._only(self.keys.index(key), pick)), key)

    def axis_values(self) -> list[list]:
        """Every value of every swept key as the candidates hold them (each validated once)."""
        return [[self.value(key, pick) for pick in range(size)]
                for key, size in zip(self.keys, self.shape, strict=True)]

    def swept_columns(self) -> dict[str, np.ndarray]:
        """Every swept key as a results column ``sweep.KEY``: the value each row asked for, as
        its candidate holds it: floats for numbers, else str as written (a table as JSON)."""
        out = {}
        for key, values in zip(self.keys, self.axis_values(), strict=True):
            if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
                column = np.array(values, float)
            else:
                column = np.array([_label(v) for v in self.parameters[key]], dtype=str)
            out[f"sweep.{key}"] = column[self.codes[key]]
        return out


def table(study: Study) -> VariantTable:
    """The study's rows as a table: its sweep batch's, or one per ``[[candidate]]``."""
    rows = study.candidate
    return rows if isinstance(rows, VariantTable) else CandidateTable(rows)


def _label(value) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def swept_text(candidate: Candidate, key: str) -> str:
    """The value of swept key ``key`` ("cell", "pack.series", ...) as ``candidate`` holds it,
    as shown in the report (numbers in %g)."""
    return _text(value_of(candidate, key))


def _text(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
