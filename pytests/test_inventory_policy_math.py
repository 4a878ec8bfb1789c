"""Inventory policy mathematics against published worked examples.

The pure functions of the dbt Python models models/marts/inventory/*.py
(loaded by file path: models is not a package) are checked against
textbook examples whose inputs and answers are stated with their source:

  [CM]  S. Chopra & P. Meindl, Supply Chain Management: Strategy, Planning,
        and Operation (5th ed., Pearson), ch. 11 "Managing Economies of Scale
        in a Supply Chain: Cycle Inventory" and ch. 12 "Managing Uncertainty
        in a Supply Chain: Safety Inventory". Examples are named by their
        titles (the numbering shifts between editions).
  [SPP] E. A. Silver, D. F. Pyke & R. Peterson, Inventory Management and
        Production Planning and Scheduling (3rd ed., Wiley), Appendix B,
        table of the standard normal loss function G_u(k).
  [HR]  J. Heizer & B. Render, Operations Management, ch. "Inventory
        Management", EOQ example (Sharp, Inc.).

Published answers are rounded; each check uses the rounding the source uses.
"""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

MODELS = Path(__file__).resolve().parents[1] / "models" / "marts" / "inventory"


def _load(name: str):
    """Import a model file by path, without leaving __pycache__ in models/."""
    spec = importlib.util.spec_from_file_location(f"inventory_{name}", MODELS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    writes_bytecode, sys.dont_write_bytecode = sys.dont_write_bytecode, True
    try:
        spec.loader.exec_module(module)
    finally:
        sys.dont_write_bytecode = writes_bytecode
    return module


policies = _load("inventory_policies")
scenarios = _load("inventory_policy_scenarios")


# ----------------------------------------------------------------- published cases


def test_safety_stock_without_lead_time_variance_chopra_meindl():
    """[CM] ch. 12, "Evaluating safety inventory given a desired CSL" (Lego at Wal-Mart).

    Weekly demand D = 2,500 boxes, sd 500, lead time L = 2 weeks (fixed),
    continuous review, CSL = 0.90: sigma_L = sqrt(2) x 500 = 707,
    ss = NORMSINV(0.90) x 707 = 906 boxes (ROP = D_L + ss = 5,906).
    """
    sigma = policies.protection_demand_sd(2500, 500, 2, 0)
    assert round(float(sigma)) == 707
    ss = policies.safety_stock_cycle_service(0.90, sigma)
    assert round(float(ss)) == 906
    assert round(2500 * 2 + float(ss)) == 5906


def test_safety_stock_with_lead_time_variance_chopra_meindl():
    """[CM] ch. 12, "Impact of lead-time uncertainty on safety inventory" (Dell).

    Daily demand D = 2,500, sd_D = 500, lead time L = 7 days with sd s_L = 7
    days, CSL = 0.90: sigma_L = sqrt(L sd_D^2 + D^2 s_L^2) = 17,550 and
    ss = NORMSINV(0.90) x 17,550 = 22,491 units.
    """
    sigma = policies.protection_demand_sd(2500, 500, 7, 7)
    assert round(float(sigma)) == 17550
    assert round(float(policies.safety_stock_cycle_service(0.90, sigma))) == 22491


@pytest.mark.parametrize(
    ("lead_time_sd", "sigma_published", "ss_published"),
    [
        (6, 15058, 19298),
        (5, 12570, 16109),
        (4, 10087, 12927),
        (3, 7616, 9760),
        (2, 5172, 6628),
        (1, 2828, 3625),
        (0, 1323, 1695),
    ],
)
def test_safety_stock_falls_with_lead_time_uncertainty_chopra_meindl(lead_time_sd, sigma_published, ss_published):
    """[CM] ch. 12, the same Dell example: the table of sigma_L and required
    safety inventory as s_L is reduced from 7 to 0 days (D = 2,500/day,
    sd_D = 500, L = 7 days, CSL = 0.90)."""
    sigma = policies.protection_demand_sd(2500, 500, 7, lead_time_sd)
    assert round(float(sigma)) == sigma_published
    assert round(float(policies.safety_stock_cycle_service(0.90, sigma))) == ss_published


@pytest.mark.parametrize(
    ("k", "published"),
    [(0.0, 0.3989), (1.0, 0.0833), (1.5, 0.0293), (2.0, 0.0085)],
)
def test_normal_loss_function_table_values(k, published):
    """[SPP] Appendix B, G_u(k) = phi(k) - k (1 - Phi(k)): G(0.00) = 0.3989,
    G(1.00) = 0.0833, G(1.50) = 0.0293, G(2.00) = 0.008491 (0.0085 to four
    decimals)."""
    assert float(policies.normal_loss(k)) == pytest.approx(published, abs=5e-5)
    assert float(scenarios.normal_loss(k)) == pytest.approx(published, abs=5e-5)


def test_expected_fill_rate_of_a_policy_chopra_meindl():
    """[CM] ch. 12, "Evaluating fill rate given a replenishment policy" (Lego).

    Weekly demand 2,500, sd 500, L = 2 weeks, lot size Q = 10,000, ROP 6,000
    (ss = 1,000): ESC = -ss (1 - F_S(ss / sigma_L)) + sigma_L f_S(ss / sigma_L)
    = 25.13 and fill rate = 1 - ESC / Q = 0.9975.
    """
    sigma = policies.protection_demand_sd(2500, 500, 2, 0)
    esc = float(sigma * policies.normal_loss(1000 / sigma))
    assert round(esc, 2) == 25.13
    assert round(float(policies.expected_fill_rate(1000, sigma, 10000)), 4) == 0.9975


def test_cycle_service_level_of_a_policy_chopra_meindl():
    """[CM] ch. 12, "Evaluating cycle service level given a replenishment policy"
    (Lego: D_L = 5,000, sigma_L = 707, ROP = 6,000): CSL = NORMDIST(6,000,
    5,000, 707, 1) = 0.92."""
    sigma = policies.protection_demand_sd(2500, 500, 2, 0)
    assert round(float(policies.cycle_service_level(1000, sigma)), 2) == 0.92
    risk = scenarios.stockout_risk(6000, 5000, sigma)
    assert round(1 - float(risk), 2) == 0.92


def test_fill_rate_safety_stock_chopra_meindl():
    """[CM] ch. 12, "Evaluating safety inventory given a desired fill rate" (Lego).

    Weekly demand 2,500, sd 500, L = 2 weeks, Q = 10,000, fill rate 0.975:
    ESC = (1 - fr) Q = 250; solving ESC(ss) = 250 gives ss = 67 boxes.
    """
    sigma = float(policies.protection_demand_sd(2500, 500, 2, 0))
    k = policies.safety_factor_fill_rate(0.975, 10000, sigma)
    assert sigma * float(policies.normal_loss(k)) == pytest.approx(250, rel=1e-9)
    assert round(float(policies.safety_stock_fill_rate(0.975, 10000, sigma))) == 67
    assert scenarios.safety_factor_fill_rate(0.975, 10000, sigma) == pytest.approx(k, abs=1e-12)


def test_eoq_best_buy_chopra_meindl():
    """[CM] ch. 11, "Optimal lot size for a single product" (Best Buy Deskpro).

    Monthly demand 1,000 (D = 12,000 a year), S = $4,000 per order, unit cost
    C = $500, holding-cost rate h = 0.2: Q* = sqrt(2 D S / (h C)) = 980 units
    (cycle inventory Q*/2 = 490).
    """
    eoq = policies.economic_order_quantity(12000, 4000, 0.2, 500)
    assert round(float(eoq)) == 980
    assert float(policies.order_quantity(eoq)) == 980
    assert float(policies.order_quantity(eoq)) / 2 == 490


def test_eoq_sharp_heizer_render():
    """[HR] EOQ example (Sharp, Inc. needles): D = 1,000 units a year, S = $10
    per order, H = $0.50 per unit and year: Q* = sqrt(2 x 1,000 x 10 / 0.50) =
    200 units. H = h c, here h = 0.5 and c = 1."""
    eoq = policies.economic_order_quantity(1000, 10, 0.5, 1.0)
    assert float(eoq) == pytest.approx(200.0)
    assert float(policies.order_quantity(eoq)) == 200


# ----------------------------------------------------------------- properties


def test_order_quantity_respects_moq_and_rounds_up():
    assert list(policies.order_quantity(np.array([979.2, 120.0, 50.4]), np.array([np.nan, 500.0, 50.0]))) == [
        980.0,
        500.0,
        51.0,
    ]
    assert float(policies.order_quantity(0.0)) == 0.0


def test_eoq_without_holding_cost_orders_once_a_year():
    assert float(policies.economic_order_quantity(730.0, 50.0, 0.25, 0.0)) == 730.0


def test_periodic_review_protects_lead_time_plus_review_period():
    """With review period R demand variance covers L + R, lead-time variance L only."""
    sigma = policies.protection_demand_sd(10.0, 4.0, 5.0, 2.0, 7.0)
    assert float(sigma) == pytest.approx(math.sqrt(12 * 16 + 100 * 4))
    assert float(policies.protection_demand_sd(10.0, 4.0, 12.0, 0.0)) == pytest.approx(math.sqrt(12 * 16))


def test_safety_stock_is_never_negative():
    assert float(policies.safety_stock_cycle_service(0.3, 100.0)) == 0.0
    # a fill rate met by the cycle stock alone: k < 0, safety stock 0
    assert float(policies.safety_stock_fill_rate(0.5, 10000.0, 100.0)) == 0.0
    assert math.isnan(policies.safety_factor_fill_rate(0.95, 100.0, 0.0))


def test_fill_rate_of_fill_rate_safety_stock_meets_the_target():
    for fill_rate, quantity, sigma in [(0.99, 400.0, 150.0), (0.95, 80.0, 60.0), (0.9, 1000.0, 30.0)]:
        ss = float(policies.safety_stock_fill_rate(fill_rate, quantity, sigma))
        achieved = float(policies.expected_fill_rate(ss, sigma, quantity))
        assert achieved >= fill_rate - 1e-9
        if ss > 0:
            assert achieved == pytest.approx(fill_rate, abs=1e-9)


def _inputs(**overrides) -> pd.DataFrame:
    row = {
        "sku_id": "S1",
        "dc_id": "D1",
        "supplier_id": "P1",
        "segment": "AX",
        "abc_class": "A",
        "xyz_class": "X",
        "velocity_class": "fast",
        "velocity_class_at_dc": "fast",
        "policy_type": "forward_stocking",
        "review_type": "continuous",
        "lead_time_basis": "sku_dc",
        "policy_rule_priority": 40,
        "cycle_service_level_target": 0.90,
        "fill_rate_target": 0.975,
        "lead_time_receipts": 10,
        "lead_time_mean_days": 14.0,
        "lead_time_sd_days": 0.0,
        "moq_units": np.nan,
        "unit_cost": 2.0,
        "is_stocked_at_dc": True,
        "has_demand_in_window": True,
        "has_open_forecast": True,
        "is_zero_velocity_high_forecast": False,
        "window_start_date": pd.Timestamp("2025-11-01"),
        "series_start_date": pd.Timestamp("2025-11-01"),
        "as_of_date": pd.Timestamp("2026-10-31"),
    }
    row.update(overrides)
    return pd.DataFrame([row])


def _stats(mean: float, sd: float) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "sku_id": ["S1"],
            "dc_id": ["D1"],
            "demand_days": [365],
            "demand_units": [mean * 365],
            "demand_mean_daily": [mean],
            "demand_sd_daily": [sd],
        }
    )


def _build(inputs, stats, method="cycle_service_level", review=7.0):
    return policies.build_policies(
        inputs, stats, safety_stock_method=method, review_period_days=review, ordering_cost=50.0, holding_cost_rate=0.25
    ).iloc[0]


def test_build_policies_reproduces_the_formulas():
    # the Lego example in days: d = 2,500 / 7, sd_d = 500 / sqrt(7), L = 14 days
    row = _build(_inputs(), _stats(2500 / 7, 500 / math.sqrt(7)))
    assert row["protection_demand_sd_units"] == pytest.approx(707.107, abs=1e-3)
    assert round(row["safety_stock_units"]) == 906
    assert row["reorder_point_units"] == pytest.approx(5000 + row["safety_stock_units"])
    annual = 2500 / 7 * 365
    assert row["eoq_units"] == pytest.approx(math.sqrt(2 * annual * 50 / (0.25 * 2.0)))
    assert row["order_quantity_units"] == math.ceil(row["eoq_units"])
    assert row["max_units"] == row["min_units"] + row["order_quantity_units"]
    assert row["service_level_target"] == 0.90 and bool(row["is_automatic"])
    fill = _build(_inputs(), _stats(2500 / 7, 500 / math.sqrt(7)), method="fill_rate")
    assert fill["safety_stock_units"] == fill["safety_stock_fill_rate_units"]
    assert fill["expected_fill_rate"] == pytest.approx(0.975, abs=1e-9)


def test_periodic_review_policy_adds_the_review_period():
    row = _build(_inputs(policy_type="central_stocking", review_type="periodic"), _stats(10.0, 5.0), review=7.0)
    assert row["protection_period_days"] == 21.0
    assert row["reorder_point_units"] == pytest.approx(10.0 * 21 + row["safety_stock_units"])


def test_flagged_and_make_to_order_rows_get_zero_parameters():
    flagged = _build(_inputs(is_zero_velocity_high_forecast=True), _stats(0.0, 0.0))
    assert flagged["policy_type"] == "review_required"
    assert flagged["review_reason"] == "zero_velocity_high_forecast"
    made = _build(_inputs(policy_type="make_to_order", review_type="none"), _stats(3.0, 2.0))
    no_lead_time = _build(_inputs(lead_time_mean_days=np.nan, lead_time_basis="none"), _stats(3.0, 2.0))
    assert no_lead_time["review_reason"] == "no_lead_time_history"
    for row in (flagged, made, no_lead_time):
        assert not row["is_automatic"]
        assert row["safety_stock_units"] == row["reorder_point_units"] == row["order_quantity_units"] == 0.0


def test_unknown_safety_stock_method_is_rejected():
    with pytest.raises(ValueError, match="inventory_safety_stock_method"):
        _build(_inputs(), _stats(1.0, 1.0), method="min_max")


# ----------------------------------------------------------------- scenarios


def test_scenario_helpers_match_the_policy_model():
    ks = np.linspace(-3, 3, 13)
    assert np.allclose(scenarios.normal_loss(ks), policies.normal_loss(ks))
    args = (np.array([3.0, 10.0]), np.array([2.0, 4.0]), np.array([5.0, 12.0]), np.array([1.0, 0.0]), 7.0)
    assert np.allclose(scenarios.protection_demand_sd(*args), policies.protection_demand_sd(*args))
    for case in [(0.98, 400.0, 150.0), (0.9, 50.0, 80.0)]:
        assert scenarios.safety_factor_fill_rate(*case) == pytest.approx(policies.safety_factor_fill_rate(*case))


def test_parse_scenarios_adds_base_and_validates():
    parsed = scenarios.parse_scenarios([{"scenario": "spike", "demand_increase_pct": 30}])
    assert [s["name"] for s in parsed] == ["base", "spike"]
    assert parsed[1]["lead_time_increase_days"] == 0.0
    # the seed's rows as dbt.ref returns them: an empty cell is NaN, read as 0
    seed = pd.DataFrame(
        {
            "scenario": ["late"],
            "demand_increase_pct": [float("nan")],
            "lead_time_increase_days": [7],
            "description": ["x"],
        }
    )
    parsed = scenarios.parse_scenarios(seed)
    assert [s["name"] for s in parsed] == ["base", "late"]
    assert (parsed[1]["demand_increase_pct"], parsed[1]["lead_time_increase_days"]) == (0.0, 7.0)
    with pytest.raises(ValueError):
        scenarios.parse_scenarios([{"scenario": "base"}])
    with pytest.raises(ValueError):
        scenarios.parse_scenarios([{"scenario": "x", "demand_pct": 5}])


def test_stress_raises_safety_stock_and_risk_at_the_base_rop():
    inputs = pd.concat(
        [_inputs(), _inputs(sku_id="S2", policy_type="make_to_order", review_type="none")], ignore_index=True
    )
    stats = pd.concat([_stats(20.0, 10.0), _stats(20.0, 10.0).assign(sku_id="S2")], ignore_index=True)
    built = policies.build_policies(
        inputs,
        stats,
        safety_stock_method="cycle_service_level",
        review_period_days=7.0,
        ordering_cost=50.0,
        holding_cost_rate=0.25,
    )
    both_stresses = [{"scenario": "both", "demand_increase_pct": 30, "lead_time_increase_days": 7}]
    result = scenarios.stress_policies(built, scenarios.parse_scenarios(both_stresses)).set_index(
        ["scenario", "sku_id"]
    )
    base, both = result.loc[("base", "S1")], result.loc[("both", "S1")]
    assert base["safety_stock_units"] == pytest.approx(built.loc[0, "safety_stock_units"])
    assert base["stockout_risk_at_base_rop"] == pytest.approx(0.10)  # 1 - CSL
    # d' = 26, L' = 21: sigma' = sqrt(21 x 13^2), risk = 1 - Phi((ROP - 26 x 21) / sigma')
    sigma = math.sqrt(21 * 13.0**2)
    assert both["protection_demand_sd_units"] == pytest.approx(sigma)
    assert both["safety_stock_units"] > base["safety_stock_units"]
    from scipy.stats import norm

    assert both["stockout_risk_at_base_rop"] == pytest.approx(norm.sf((base["reorder_point_units"] - 546) / sigma))
    assert pd.isna(result.loc[("both", "S2"), "stockout_risk_at_base_rop"])
