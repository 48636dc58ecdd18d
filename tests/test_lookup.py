"""The one look-up helper: "unknown X 'name'; did you mean ...? valid: ..."."""

import numpy as np
import pytest

from packstudy import lookup
from packstudy.catalog import UnknownPresetError, preset_path

CHARGERS = ["ccs-150kw-500v", "ccs-350kw-920v", "tesla-v3-250kw"]


def test_unknown_names_the_close_matches_then_the_valid_names():
    assert lookup.unknown("charger preset", "ccs-350kw-92v", CHARGERS, "shipped") == (
        "unknown charger preset 'ccs-350kw-92v'; did you mean 'ccs-350kw-920v', 'ccs-150kw-500v'? "
        "shipped: ccs-150kw-500v, ccs-350kw-920v, tesla-v3-250kw")
    # nothing close: no hint; no list when the caller lists the names once for all problems
    assert lookup.unknown("inverter", "gan", ["si", "sic"]) == "unknown inverter 'gan'; valid: si, sic"
    assert lookup.unknown("result", "wltp_range", ["wltp_range_km", "epa_range_km"], None) == (
        "unknown result 'wltp_range'; did you mean 'wltp_range_km', 'epa_range_km'?")
    assert lookup.unknown("region", "mars", [], "allowed", more=", or a grid intensity") == (
        "unknown region 'mars'; allowed: none, or a grid intensity")


def test_close_matches_are_best_first_and_at_most_three():
    names = [f"nmc811-pouch-{i}" for i in range(10)] + ["lfp-prismatic"]
    close = lookup.close_matches("nmc811-pouch-3", names)
    assert close[0] == "nmc811-pouch-3" and len(close) == lookup.MATCHES
    assert lookup.close_matches("zzzz", names) == []


def test_an_over_long_name_is_cut_short_with_its_length():
    text = lookup.unknown("vehicle preset", "x" * 5000, ["tesla-model-3-rwd"], "shipped")
    assert "(5000 characters)" in text and len(text) < 200


def test_check_returns_a_known_name_and_raises_the_given_error_otherwise():
    assert lookup.check("inverter kind", "sic", ("si", "sic")) == "sic"
    with pytest.raises(LookupError, match="^--executor: unknown executor 'ray'; valid: local, dask$"):
        lookup.check("executor", "ray", ("local", "dask"), LookupError, prefix="--executor: ")


def test_check_all_names_the_first_unknown_of_an_array_of_any_shape():
    lookup.check_all("integration", np.array([["module"], ["cell_to_pack"]]), ("module", "cell_to_pack"))
    with pytest.raises(ValueError, match="unknown integration 'cell_to_chassis'; did you mean "
                                         "'cell_to_pack'"):
        lookup.check_all("integration", ["module", "cell_to_chassis", "zz"], ("module", "cell_to_pack"))



def test_per_value_maps_every_entry_and_looks_up_each_distinct_value_once():
    asked = []

    def get(name):
        asked.append(name)
        return {"FWD": 0, "RWD": 1, "AWD": 2}[name]

    names = np.broadcast_to(np.array(["AWD", "RWD", "AWD"]), (2, 3))
    out = lookup.per_value(names, get, np.int64)
    assert out.dtype == np.int64 and out.tolist() == [[2, 1, 2], [2, 1, 2]]
    assert sorted(asked) == ["AWD", "RWD"]

def test_presets_use_it():
    with pytest.raises(UnknownPresetError, match="^unknown cell preset 'nmc811-pouh'; did you mean "
                                                 "'nmc811-pouch'.*shipped: "):
        preset_path("cells", "nmc811-pouh")
