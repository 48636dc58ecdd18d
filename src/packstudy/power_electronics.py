"""Cost and cradle-to-gate footprint of the power electronics around the pack: the traction
inverter(s) and an on-board DC-DC booster where the pack's maximum voltage is above what the
candidate's DC charger delivers (an 800 V pack on a 400/500 V charger).

Per kW of rated power (``data/factors/power_electronics.toml``), a Si IGBT inverter costs
``c`` (EPA/FEV teardown costing, 2019 USD, brought to the study's dollar year with the CPI-U);
its power semiconductors are the share ``s`` of that. The semiconductor part scales with the
devices' volt-ampere rating relative to the reference inverter (650 V devices on a 360 V bus):

    per kW = c * ((1 - s) + s * k * (V_device / V_device_low) * (V_ref / V_bus))

with ``k`` = 1 for Si and the SiC/Si device price ratio for SiC; ``V_device`` is 650 V up to
``inverter.voltage_class_boundary_V`` of nominal bus and 1200 V above (the die area, hence
price, taken proportional to rated current x blocking voltage: a first-order assumption). The
footprint follows the same split with the inverter's mass per kW x kg CO2e per kg and the SiC/Si
cradle-to-gate ratio of the devices. A booster is costed as an inverter of its rating (the same
three half-bridges) carrying the charger-side current with pack-side devices.

All functions take arrays (one element per variant) and return US$ or kg CO2e per vehicle.
"""

from __future__ import annotations

import numpy as np

from packstudy import catalog
from packstudy.chemistry import load_tables, table_value
from packstudy.cost import _cpi_ratio
from packstudy.inverter import INVERTER_KINDS
from packstudy.lookup import check_all

TABLE = "power_electronics"


def tables(factors: dict | None = None) -> dict:
    """The power-electronics factor table, with ``factors`` (entry -> {value: ...}) over it (the
    Monte Carlo passes sampled values of shape (samples, 1))."""
    return {**catalog.factor_table(TABLE), **(factors or {})}


def _kinds(kind) -> np.ndarray:
    kind = np.asarray(kind, dtype=str)
    check_all("inverter kind", kind, INVERTER_KINDS)
    return kind


def device_voltage_V(bus_voltage_V, t: dict | None = None) -> np.ndarray:
    """Blocking voltage (V) of the devices on a nominal bus: the low class (650 V) up to the
    inverter's voltage-class boundary, 1200 V above."""
    t = t or tables()
    bus = np.asarray(bus_voltage_V, dtype=float)
    return np.where(bus > catalog.factor("inverter", "voltage_class_boundary_V"),
                    table_value(t, "device_voltage_high_class_V"),
                    table_value(t, "device_voltage_low_class_V"))


def _relative_per_kW(kind, device_V, current_voltage_V, device_ratio: str, t: dict):
    """Cost (or footprint) per kW relative to the reference Si inverter:
    (1 - s) + s * k * (V_device / V_low) * (V_ref / V)."""
    s = table_value(t, "semiconductor_share")
    k = np.where(_kinds(kind) == "sic", table_value(t, device_ratio), 1.0)
    volt_amp = (np.asarray(device_V, float) / table_value(t, "device_voltage_low_class_V")
                * table_value(t, "reference_bus_voltage_V") / np.asarray(current_voltage_V, float))
    return (1.0 - s) + s * k * volt_amp


def _usd_per_kW(year: int | None, t: dict):
    """The reference Si inverter's price per kW in US$ of ``year`` (the price year if None)."""
    basis = int(table_value(catalog.factor_table(TABLE), "price_year"))
    cpi = 1.0 if year is None else _cpi_ratio(load_tables(), int(year), basis)
    return table_value(t, "inverter_si_usd_per_kW") * cpi


def _check_positive(**arrays):
    for name, a in arrays.items():
        if np.any(~(np.asarray(a, float) > 0)):
            raise ValueError(f"{name} must be > 0")


def inverter_cost_usd(kind, rated_power_W, bus_voltage_V, year: int | None = None,
                      factors: dict | None = None) -> np.ndarray:
    """Price (US$ of ``year``) of the traction inverter(s) of ``rated_power_W`` in total on a
    nominal bus of ``bus_voltage_V``, for device technology ``kind`` ("si" | "sic")."""
    _check_positive(rated_power_W=rated_power_W, bus_voltage_V=bus_voltage_V)
    t = tables(factors)
    rel = _relative_per_kW(kind, device_voltage_V(bus_voltage_V, t), bus_voltage_V,
                           "sic_device_price_ratio", t)
    return _usd_per_kW(year, t) * rel * np.asarray(rated_power_W, float) / 1e3


def inverter_footprint_kgCO2e(kind, rated_power_W, bus_voltage_V,
                              factors: dict | None = None) -> np.ndarray:
    """Cradle-to-gate kg CO2e of the traction inverter(s) (arguments as ``inverter_cost_usd``)."""
    _check_positive(rated_power_W=rated_power_W, bus_voltage_V=bus_voltage_V)
    t = tables(factors)
    rel = _relative_per_kW(kind, device_voltage_V(bus_voltage_V, t), bus_voltage_V,
                           "sic_device_footprint_ratio", t)
    per_kW = table_value(t, "inverter_mass_kg_per_kW") * table_value(t, "inverter_kgCO2e_per_kg")
    return per_kW * rel * np.asarray(rated_power_W, float) / 1e3


def booster_power_W(pack_max_voltage_V, charger_power_W, charger_current_A,
                    charger_max_voltage_V) -> np.ndarray:
    """Rating (W) of the on-board DC-DC booster a pack needs on its charger: what the charger
    can deliver, min(power, current x its maximum voltage), when the pack's maximum voltage is
    above the charger's maximum voltage; 0 where the charger reaches the pack's voltage."""
    v_charger = np.asarray(charger_max_voltage_V, float)
    deliverable = np.minimum(np.asarray(charger_power_W, float),
                             np.asarray(charger_current_A, float) * v_charger)
    return np.where(np.asarray(pack_max_voltage_V, float) > v_charger, deliverable, 0.0)


def booster_cost_usd(kind, booster_W, pack_nominal_voltage_V, charger_max_voltage_V,
                     year: int | None = None, factors: dict | None = None) -> np.ndarray:
    """Price (US$ of ``year``) of a booster of ``booster_W``: an inverter of that rating with the
    pack's device class carrying the charger-side current, x booster_cost_per_inverter_cost."""
    t = tables(factors)
    rel = _relative_per_kW(kind, device_voltage_V(pack_nominal_voltage_V, t),
                           charger_max_voltage_V, "sic_device_price_ratio", t)
    return (_usd_per_kW(year, t) * rel * table_value(t, "booster_cost_per_inverter_cost")
            * np.asarray(booster_W, float) / 1e3)


def booster_footprint_kgCO2e(kind, booster_W, pack_nominal_voltage_V, charger_max_voltage_V,
                             factors: dict | None = None) -> np.ndarray:
    """Cradle-to-gate kg CO2e of the booster (arguments as ``booster_cost_usd``)."""
    t = tables(factors)
    rel = _relative_per_kW(kind, device_voltage_V(pack_nominal_voltage_V, t),
                           charger_max_voltage_V, "sic_device_footprint_ratio", t)
    per_kW = table_value(t, "inverter_mass_kg_per_kW") * table_value(t, "inverter_kgCO2e_per_kg")
    return per_kW * rel * np.asarray(booster_W, float) / 1e3


def system_metrics(kind, motor_power_W, pack_nominal_voltage_V, pack_max_voltage_V,
                   charger_power_W, charger_current_A, charger_max_voltage_V, pack_cost_usd,
                   pack_footprint_kgCO2e, year: int | None = None,
                   factors: dict | None = None, kind_2=None, share_1=1.0) -> dict[str, np.ndarray]:
    """Result columns: inverter and booster cost and footprint, the SiC premium (what SiC
    inverters cost over Si ones of the same power and bus, for every row), and the system
    totals (pack + inverter + booster).

    Two machines: the first machine's inverter is ``kind`` rated ``share_1`` of the motor
    power, the second's ``kind_2`` (None: ``kind``) rated the rest; cost and footprint are
    linear in the rating, so each axle is its share of a full-power inverter of its kind. The
    booster takes the technology of the larger machine's inverter (E-GMP boosts through its
    rear inverter)."""
    shape = np.shape(pack_cost_usd)
    kind = _kinds(np.broadcast_to(np.asarray(kind, dtype=str), shape))
    kind_2 = kind if kind_2 is None else _kinds(np.broadcast_to(np.asarray(kind_2, dtype=str), shape))
    share = np.asarray(share_1, float)

    def per_axle(fn, *args):
        return share * fn(kind, *args) + (1.0 - share) * fn(kind_2, *args)

    inv = per_axle(inverter_cost_usd, motor_power_W, pack_nominal_voltage_V, year, factors)
    premium = (inverter_cost_usd("sic", motor_power_W, pack_nominal_voltage_V, year, factors)
               - inverter_cost_usd("si", motor_power_W, pack_nominal_voltage_V, year, factors))
    boost_W = booster_power_W(pack_max_voltage_V, charger_power_W, charger_current_A,
                              charger_max_voltage_V)
    boost_kind = np.where(share >= 0.5, kind, kind_2)
    boost = booster_cost_usd(boost_kind, boost_W, pack_nominal_voltage_V, charger_max_voltage_V,
                             year, factors)
    inv_fp = per_axle(inverter_footprint_kgCO2e, motor_power_W, pack_nominal_voltage_V, factors)
    boost_fp = booster_footprint_kgCO2e(boost_kind, boost_W, pack_nominal_voltage_V,
                                        charger_max_voltage_V, factors)
    return {
        "inverter_cost_usd": inv,
        "inverter_sic_premium_usd": premium,
        "booster_power_kW": boost_W / 1e3,
        "booster_cost_usd": boost,
        "system_cost_usd": np.asarray(pack_cost_usd, float) + inv + boost,
        "inverter_footprint_kgCO2e": inv_fp,
        "booster_footprint_kgCO2e": boost_fp,
        "system_footprint_kgCO2e": np.asarray(pack_footprint_kgCO2e, float) + inv_fp + boost_fp,
    }


def sic_break_even(usable_energy_kWh, dc_kWh_per_100km_sic, dc_kWh_per_100km_si, pack_cost_usd,
                   sic_premium_usd) -> dict[str, np.ndarray]:
    """The SiC inverter against the battery it saves, per SiC candidate against a Si reference:
    usable kWh a Si car would need for the SiC car's range (from the WLTP DC consumptions) less
    the SiC car's, their value at the SiC car's pack price per usable kWh, the net saving
    (value - SiC premium; positive: SiC pays for itself) and the pack price per usable kWh at
    which it breaks even (inf when no energy is saved)."""
    usable = np.asarray(usable_energy_kWh, float)
    saved = usable * (np.asarray(dc_kWh_per_100km_si, float)
                      / np.asarray(dc_kWh_per_100km_sic, float) - 1.0)
    value = saved * np.asarray(pack_cost_usd, float) / usable
    premium = np.asarray(sic_premium_usd, float)
    with np.errstate(divide="ignore"):
        break_even = np.where(saved > 0, premium / np.where(saved > 0, saved, 1.0), np.inf)
    return {"saved_kWh": saved, "saved_usd": value, "net_usd": value - premium,
            "break_even_usd_per_kWh": break_even}
