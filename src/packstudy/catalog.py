"""Shipped presets and sourced factor tables under ``packstudy/data``.

Layout (one TOML file per record, cycles as CSV):

- ``data/vehicles/NAME.toml``, ``data/cells/NAME.toml``: presets, looked up by file stem.
- ``data/cycles/NAME.csv``: drive cycles (``time_s,speed_mps[,grade]``).
- ``data/factors/NAME.toml``: model defaults. Each entry is a table
  ``{ value = ..., unit = "...", source = "...", low = ..., high = ... }``
  (``low``/``high`` where the value is uncertain).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType

from .lookup import NAME_MAX, check, unknown

PRESET_KINDS = ("vehicles", "cells", "chargers", "cycles")


class UnknownPresetError(LookupError):
    """A preset name that is not shipped; the message lists close matches."""


@cache
def data_dir() -> Path:
    """The package's data folder (looked up once per process)."""
    return Path(str(resources.files("packstudy") / "data"))


def _suffix(kind: str) -> str:
    return ".csv" if kind == "cycles" else ".toml"


def list_presets(kind: str) -> list[str]:
    """Names of the shipped presets of one kind (``PRESET_KINDS``)."""
    check("preset kind", kind, PRESET_KINDS)
    folder = data_dir() / kind
    return sorted(p.stem for p in folder.glob("*" + _suffix(kind)))


def preset_path(kind: str, name: str) -> Path:
    """Path of a shipped preset; raises UnknownPresetError naming close matches."""
    path = data_dir() / kind / (name + _suffix(kind))
    if len(name) <= NAME_MAX and "/" not in name and "\\" not in name and path.is_file():
        return path
    raise UnknownPresetError(unknown(f"{kind[:-1]} preset", name, list_presets(kind), "shipped"))


@cache
def _load_toml(path: Path) -> dict:
    """A shipped file, parsed once per process (shared: callers get copies or read-only views)."""
    with open(path, "rb") as f:
        return tomllib.load(f)


def load_preset(kind: str, name: str) -> dict:
    """The parsed TOML of a shipped vehicle, cell or charger preset (a fresh copy)."""
    return _deep_copy(_load_toml(preset_path(kind, name)))


@cache
def _factor_file(table: str) -> dict:
    return _load_toml(data_dir() / "factors" / f"{table}.toml")


def factors(table: str) -> dict[str, dict]:
    """All entries of ``data/factors/TABLE.toml`` (each with value, unit, source, ...), a fresh
    copy; :func:`factor_table` is the cheaper read-only view."""
    return _deep_copy(_factor_file(table))


@cache
def factor_table(table: str) -> Mapping[str, Mapping]:
    """All entries of ``data/factors/TABLE.toml`` as a read-only view shared by every caller
    (mappings cannot be changed, lists are tuples); copy an entry (``{**entry}``) to change it."""
    return _frozen(_factor_file(table))


def factor(table: str, key: str) -> float:
    """The ``value`` of one sourced factor, e.g. ``factor("drivetrain", "gearbox_efficiency")``."""
    return _deep_copy(_factor_file(table)[key]["value"])


def _deep_copy(obj):
    if isinstance(obj, dict):
        return {k: _deep_copy(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_deep_copy(v) for v in obj]
    return obj


def _frozen(obj):
    if isinstance(obj, dict):
        return MappingProxyType({k: _frozen(v) for k, v in obj.items()})
    if isinstance(obj, list):
        return tuple(_frozen(v) for v in obj)
    return obj


def input_range(key: str, *, open_low: bool = False) -> dict:
    """pydantic Field bounds of a study input from ``data/factors/input_bounds.toml`` (sane
    ranges, conventions each with its reason): ``{"ge" or "gt": low, "le": high}``."""
    low, high = _factor_file("input_bounds")[key]["value"]
    return {"gt" if open_low else "ge": low, "le": high}
