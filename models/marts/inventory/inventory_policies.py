"""Inventory policy per active SKU x DC: safety stock, reorder point, order quantity.

A dbt Python model (self-contained: pandas, numpy and scipy only, so the same
file runs on any engine that ships just the model file). One row per
stocking location of ``int_inventory__policy_inputs`` (grain sku_id, dc_id),
as of the product segments' as-of date.

Demand: the exponentially weighted (time-decayed) mean and standard deviation
of daily demand, zero-demand days included, aggregated in SQL by
``int_inventory__demand_statistics`` (one row per SKU x DC: the model never
receives a per-day series). Lead time: mean and sd of the supplier lead times
of ``int_inventory__lead_times`` (SKU x DC, else supplier, else all receipts),
joined into ``int_inventory__policy_inputs``.

For a stocking policy (policy_type forward_stocking or central_stocking), with
d, sd_d the daily demand mean and sd, L, sd_L the lead-time mean and sd in
days, R the review period (0 for continuous review) and Q the order quantity:

    sigma   = sqrt((L + R) * sd_d^2 + d^2 * sd_L^2)       demand over L + R
    SS_csl  = max(0, z * sigma),  z = Phi^-1(CSL)
    SS_fr   = max(0, k * sigma),  G(k) = (1 - fill_rate) * Q / sigma
    SS      = SS_csl or SS_fr (var inventory_safety_stock_method)
    ROP     = d * (L + R) + SS                             (min)
    Q       = ceil(max(sqrt(2 D S / (h c)), MOQ)),  D = 365 d
    max     = ceil(ROP) + Q
    fill    = 1 - sigma * G(SS / sigma) / Q               expected fill rate

forward_stocking is continuous review (s, Q): R = 0. central_stocking is a
periodic-review min/max (R, s, S) policy: every R days, a position at or
below min (ROP) is raised to max (an order of at least Q). Its safety stock
covers L + R; its fill-rate relations use Q per replenishment cycle as for
(s, Q), an approximation that ignores the undershoot of min at a review.

make_to_order rows and rows flagged for review (policy_type review_required:
a zero-velocity SKU x DC with a high forecast, or no lead-time history) get
zero parameters; their demand and lead-time statistics are still reported.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import erfc
from scipy.stats import norm

#: Days per year of the annual demand in the EOQ.
DAYS_PER_YEAR = 365.0
#: Policy types that get automatic parameters.
STOCKING_POLICIES = ("forward_stocking", "central_stocking")
SAFETY_STOCK_METHODS = ("cycle_service_level", "fill_rate")
#: Search interval of the fill-rate safety factor k (G(-8) = 8, G(8) < 1e-16).
K_BOUNDS = (-8.0, 8.0)
#: Halvings of K_BOUNDS in the bisection for k: 16 / 2^60 is below double precision.
BISECTION_STEPS = 60
SQRT_2 = np.sqrt(2.0)
SQRT_2PI = np.sqrt(2.0 * np.pi)

KEYS = ["sku_id", "dc_id"]

#: Output columns and their pandas types (ids, strings, numerics, booleans, dates).
OUTPUT_COLUMNS: dict[str, str] = {
    "sku_id": "string",
    "dc_id": "string",
    "supplier_id": "string",
    "segment": "string",
    "abc_class": "string",
    "xyz_class": "string",
    "velocity_class": "string",
    "velocity_class_at_dc": "string",
    "policy_type": "string",
    "review_type": "string",
    "safety_stock_method": "string",
    "lead_time_basis": "string",
    "review_reason": "string",
    "policy_rule_priority": "Int64",
    "service_level_target": "float64",
    "cycle_service_level_target": "float64",
    "fill_rate_target": "float64",
    "demand_days": "Int64",
    "demand_units": "float64",
    "demand_mean_daily": "float64",
    "demand_sd_daily": "float64",
    "annual_demand_units": "float64",
    "lead_time_receipts": "Int64",
    "lead_time_mean_days": "float64",
    "lead_time_sd_days": "float64",
    "review_period_days": "float64",
    "protection_period_days": "float64",
    "protection_demand_mean_units": "float64",
    "protection_demand_sd_units": "float64",
    "safety_factor": "float64",
    "safety_stock_csl_units": "float64",
    "safety_stock_fill_rate_units": "float64",
    "safety_stock_units": "float64",
    "reorder_point_units": "float64",
    "eoq_units": "float64",
    "moq_units": "float64",
    "order_quantity_units": "float64",
    "min_units": "float64",
    "max_units": "float64",
    "cycle_stock_units": "float64",
    "unit_cost": "float64",
    "safety_stock_value": "float64",
    "cycle_stock_value": "float64",
    "days_of_supply": "float64",
    "expected_cycle_service_level": "float64",
    "expected_fill_rate": "float64",
    "is_automatic": "bool",
    "is_stocked_at_dc": "bool",
    "has_demand_in_window": "bool",
    "has_open_forecast": "bool",
    "is_zero_velocity_high_forecast": "bool",
    "demand_window_start_date": "date",
    "as_of_date": "date",
}


# --------------------------------------------------------------------------- safety stock


# --- shared helper protection_demand_sd (identical copies: pytests/test_python_model_copies.py) ---
def protection_demand_sd(demand_mean, demand_sd, lead_time_mean, lead_time_sd, review_period=0.0):
    """Standard deviation of demand over the protection interval L + R.

        sigma = sqrt((L + R) * sd_d^2 + d^2 * sd_L^2)

    with daily demand mean d and sd sd_d (independent days), lead time mean L
    and sd sd_L (same time unit) and review period R (0 for continuous
    review). Source: Chopra & Meindl, Supply Chain Management, ch. 12
    (safety inventory with lead-time uncertainty); Silver, Pyke & Peterson,
    Inventory Management and Production Planning and Scheduling, 3rd ed.,
    ch. 7 (probabilistic lead time). The lead-time variance term uses L
    only: the review period is fixed.
    """
    d = np.asarray(demand_mean, dtype=float)
    protection = np.asarray(lead_time_mean, dtype=float) + np.asarray(review_period, dtype=float)
    variance = protection * np.asarray(demand_sd, dtype=float) ** 2 + d**2 * np.asarray(lead_time_sd, dtype=float) ** 2
    return np.sqrt(np.clip(variance, 0.0, None))


# --- end of shared helper protection_demand_sd ---


def safety_factor_cycle_service(cycle_service_level):
    """z = Phi^-1(CSL), the standard normal quantile of the cycle service level.

    Source: Chopra & Meindl ch. 12 (ss = F_S^-1(CSL) x sigma_L); Silver, Pyke
    & Peterson ch. 7 (P1 service: p_u>=(k) = 1 - P1).
    """
    return norm.ppf(np.asarray(cycle_service_level, dtype=float))


def safety_stock_cycle_service(cycle_service_level, sigma):
    """Safety stock for a cycle service level: SS = max(0, z * sigma), z = Phi^-1(CSL).

    sigma is the sd of demand over the protection interval
    (protection_demand_sd). Source: Chopra & Meindl ch. 12, Example "evaluating
    safety inventory given a desired CSL"; SPP ch. 7. A CSL below 0.5
    would give negative safety stock; it is floored at 0.
    """
    return np.maximum(safety_factor_cycle_service(cycle_service_level) * np.asarray(sigma, dtype=float), 0.0)


# --- shared helper normal_loss (identical copies: pytests/test_python_model_copies.py) ---
def normal_loss(k):
    """Standard normal loss function G(k) = phi(k) - k * (1 - Phi(k)).

    The expected shortage E[(Z - k)+] of a standard normal Z beyond k; the
    expected shortage per replenishment cycle is sigma * G(SS / sigma).
    Source: Silver, Pyke & Peterson, Appendix B (G_u(k)); Chopra & Meindl
    ch. 12 (ESC = -ss (1 - F_S(ss / sigma_L)) + sigma_L f_S(ss / sigma_L)).
    Table values: G(0) = 0.3989, G(1) = 0.0833, G(1.5) = 0.0293, G(2) = 0.0085.
    """
    k = np.asarray(k, dtype=float)
    return np.exp(-0.5 * k * k) / SQRT_2PI - k * 0.5 * erfc(k / SQRT_2)


# --- end of shared helper normal_loss ---


# --- shared helper safety_factor_fill_rate (identical copies: pytests/test_python_model_copies.py) ---
def safety_factor_fill_rate(fill_rate, order_quantity, sigma):
    """Safety factor k that meets a fill rate (P2) with order quantity Q.

    Solves sigma * G(k) = (1 - fill_rate) * Q for k, i.e. the expected
    shortage per replenishment cycle equals the share of the cycle's demand
    that may go unserved, by bisection on K_BOUNDS (G is strictly
    decreasing; BISECTION_STEPS halvings take the interval below double
    precision), vectorised over rows. Returns the bound when the target lies
    outside G(K_BOUNDS) and NaN where sigma <= 0, Q <= 0 or the fill rate is
    not in (0, 1) (nothing to solve); a float for scalar arguments. Source:
    Silver, Pyke & Peterson ch. 7 (P2 service: G_u(k) = Q (1 - P2) /
    sigma_L); Chopra & Meindl ch. 12, Example "evaluating safety inventory
    given a desired fill rate".
    """
    rate, quantity, sigmas = np.broadcast_arrays(
        np.asarray(fill_rate, dtype=float), np.asarray(order_quantity, dtype=float), np.asarray(sigma, dtype=float)
    )
    valid = (sigmas > 0) & (quantity > 0) & (rate > 0) & (rate < 1)
    factors = np.full(rate.shape, np.nan)
    target = (1.0 - rate[valid]) * quantity[valid] / sigmas[valid]
    low, high = K_BOUNDS
    lower, upper = np.full(target.shape, low), np.full(target.shape, high)
    for _ in range(BISECTION_STEPS):
        middle = 0.5 * (lower + upper)
        short = normal_loss(middle) > target
        lower, upper = np.where(short, middle, lower), np.where(short, upper, middle)
    solved = 0.5 * (lower + upper)
    solved = np.where(target >= normal_loss(low), low, np.where(target <= normal_loss(high), high, solved))
    factors[valid] = solved
    return float(factors) if factors.ndim == 0 else factors


# --- end of shared helper safety_factor_fill_rate ---


def safety_stock_fill_rate(fill_rate, order_quantity, sigma):
    """Safety stock for a fill-rate target: SS = max(0, k * sigma), k from safety_factor_fill_rate.

    Vectorised over rows; 0 where k is undefined (sigma or Q zero).
    """
    factors = np.asarray(safety_factor_fill_rate(fill_rate, order_quantity, sigma), dtype=float)
    return np.maximum(np.nan_to_num(factors * np.asarray(sigma, dtype=float), nan=0.0), 0.0)


# --------------------------------------------------------------------------- order quantity


def economic_order_quantity(annual_demand, ordering_cost, holding_cost_rate, unit_cost):
    """Economic order quantity (Harris 1913, Wilson 1934): Q* = sqrt(2 D S / (h c)).

    D annual demand (units), S cost per order, h annual holding-cost rate
    (share of the unit cost), c unit cost. Where h c <= 0 (no holding cost)
    the EOQ is undefined and one order a year (Q = D) is used. Source: Chopra &
    Meindl ch. 11 (Best Buy example: D = 12,000, S = 4,000, h = 0.2, C = 500
    gives 980); Silver, Pyke & Peterson ch. 5.
    """
    demand = np.asarray(annual_demand, dtype=float)
    holding = np.asarray(holding_cost_rate, dtype=float) * np.asarray(unit_cost, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        eoq = np.sqrt(2.0 * demand * float(ordering_cost) / holding)
    return np.where(holding > 0, eoq, demand)


def order_quantity(eoq, moq=None):
    """Order quantity: max(EOQ, MOQ) rounded up to whole units (MOQ NaN/None = none).

    A 1e-9 tolerance keeps an exact integer EOQ (200.0000000001) from being
    rounded up to the next unit.
    """
    quantity = np.asarray(eoq, dtype=float)
    if moq is not None:
        quantity = np.fmax(quantity, np.asarray(moq, dtype=float))
    return np.ceil(np.maximum(quantity, 0.0) - 1e-9).clip(min=0.0)


# --------------------------------------------------------------------------- performance


def expected_fill_rate(safety_stock, sigma, order_quantity):
    """Expected fill rate of a policy: 1 - sigma * G(SS / sigma) / Q, in [0, 1].

    Expected shortage per replenishment cycle over the cycle's demand Q.
    1 when sigma = 0 (no shortage); NaN when Q <= 0. Source: Chopra & Meindl
    ch. 12, Example "evaluating fill rate given a replenishment policy"
    (ss = 1,000, sigma_L = 707, Q = 10,000: ESC = 25.13, fill rate 0.9975);
    Silver, Pyke & Peterson ch. 7 (P2 service).
    """
    ss = np.asarray(safety_stock, dtype=float)
    s = np.asarray(sigma, dtype=float)
    q = np.asarray(order_quantity, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        shortage = np.where(s > 0, s * normal_loss(np.where(s > 0, ss / np.where(s > 0, s, 1.0), 0.0)), 0.0)
        rate = np.where(q > 0, 1.0 - shortage / np.where(q > 0, q, 1.0), np.nan)
    return np.clip(rate, 0.0, 1.0)


def cycle_service_level(safety_stock, sigma):
    """Probability of no stockout in a replenishment cycle: Phi(SS / sigma) (1 when sigma = 0).

    Source: Chopra & Meindl ch. 12, Example "evaluating CSL given a
    replenishment policy" (ROP 6,000, D_L 5,000, sigma_L 707: CSL 0.92).
    """
    ss = np.asarray(safety_stock, dtype=float)
    s = np.asarray(sigma, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(s > 0, norm.cdf(ss / np.where(s > 0, s, 1.0)), np.where(ss >= 0, 1.0, 0.0))


# --------------------------------------------------------------------------- policies


def review_reason(inputs: pd.DataFrame) -> pd.Series:
    """Why a SKU x DC is excluded from automatic parameters (None when it is not).

    zero_velocity_high_forecast  an open forecast was flagged by the planning
                                 rule (high forecast, no recent demand): the
                                 forecast must be reviewed before use
    no_policy_rule               no rule of seed inventory_policy_rules matched
    no_lead_time_history         a stocking policy without any receipt to
                                 measure a lead time from
    """
    flagged = inputs["is_zero_velocity_high_forecast"].fillna(False).astype(bool)
    no_rule = inputs["policy_type"].isna()
    stocking = inputs["policy_type"].isin(STOCKING_POLICIES)
    no_lead_time = stocking & inputs["lead_time_mean_days"].isna()
    reason = np.select(
        [flagged, no_rule, no_lead_time],
        ["zero_velocity_high_forecast", "no_policy_rule", "no_lead_time_history"],
        default="",
    )
    return pd.Series(reason, index=inputs.index).replace("", None)


def build_policies(
    inputs: pd.DataFrame,
    demand_stats: pd.DataFrame,
    *,
    safety_stock_method: str,
    review_period_days: float,
    ordering_cost: float,
    holding_cost_rate: float,
) -> pd.DataFrame:
    """One policy row per SKU x DC of ``inputs`` (see the module docstring for the formulas)."""
    if safety_stock_method not in SAFETY_STOCK_METHODS:
        raise ValueError(
            f"var inventory_safety_stock_method must be one of {SAFETY_STOCK_METHODS}, got {safety_stock_method!r}"
        )
    frame = inputs.merge(demand_stats, on=KEYS, how="left")
    for column in ("demand_mean_daily", "demand_sd_daily", "demand_units"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").fillna(0.0).astype(float)
    frame["demand_days"] = frame["demand_days"].fillna(0)

    reason = review_reason(frame)
    frame["review_reason"] = reason
    frame["policy_type"] = frame["policy_type"].where(reason.isna(), "review_required")
    automatic = frame["policy_type"].isin(STOCKING_POLICIES).to_numpy()
    frame["is_automatic"] = automatic
    frame["safety_stock_method"] = safety_stock_method

    d = frame["demand_mean_daily"].to_numpy(float)
    sd = frame["demand_sd_daily"].to_numpy(float)
    lead = pd.to_numeric(frame["lead_time_mean_days"], errors="coerce").to_numpy(float)
    lead_sd = pd.to_numeric(frame["lead_time_sd_days"], errors="coerce").to_numpy(float)
    periodic = (frame["review_type"] == "periodic").to_numpy()
    review = np.where(automatic & periodic, float(review_period_days), 0.0)
    lead_used = np.where(automatic, np.nan_to_num(lead), 0.0)
    protection = lead_used + review
    sigma = np.where(automatic, protection_demand_sd(d, sd, lead_used, np.nan_to_num(lead_sd), review), 0.0)
    unit_cost = pd.to_numeric(frame["unit_cost"], errors="coerce").to_numpy(float)

    annual = d * DAYS_PER_YEAR
    eoq = np.where(automatic, economic_order_quantity(annual, ordering_cost, holding_cost_rate, unit_cost), 0.0)
    moq = pd.to_numeric(frame["moq_units"], errors="coerce").to_numpy(float)
    quantity = np.where(automatic, order_quantity(eoq, moq), 0.0)

    csl = pd.to_numeric(frame["cycle_service_level_target"], errors="coerce").to_numpy(float)
    fill = pd.to_numeric(frame["fill_rate_target"], errors="coerce").to_numpy(float)
    ss_csl = np.where(automatic, safety_stock_cycle_service(np.where(automatic, csl, 0.5), sigma), 0.0)
    ss_fr = np.where(automatic, safety_stock_fill_rate(np.where(automatic, fill, 0.5), quantity, sigma), 0.0)
    if safety_stock_method == "cycle_service_level":
        ss, target = ss_csl, csl
        factor = np.where(automatic, safety_factor_cycle_service(csl), np.nan)
    else:
        ss, target = ss_fr, fill
        factor = np.where(automatic, safety_factor_fill_rate(fill, quantity, sigma), np.nan)
    reorder_point = np.where(automatic, d * protection + ss, 0.0)
    minimum = np.where(automatic, np.ceil(reorder_point - 1e-9), 0.0)

    frame["service_level_target"] = target
    frame["annual_demand_units"] = annual
    frame["review_period_days"] = review
    frame["protection_period_days"] = protection
    frame["protection_demand_mean_units"] = d * protection
    frame["protection_demand_sd_units"] = sigma
    frame["safety_factor"] = factor
    frame["safety_stock_csl_units"] = ss_csl
    frame["safety_stock_fill_rate_units"] = ss_fr
    frame["safety_stock_units"] = ss
    frame["reorder_point_units"] = reorder_point
    frame["eoq_units"] = eoq
    frame["order_quantity_units"] = quantity
    frame["min_units"] = minimum
    frame["max_units"] = minimum + quantity
    frame["cycle_stock_units"] = quantity / 2.0
    frame["safety_stock_value"] = ss * unit_cost
    frame["cycle_stock_value"] = quantity / 2.0 * unit_cost
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["days_of_supply"] = np.where(d > 0, (ss + quantity / 2.0) / np.where(d > 0, d, 1.0), np.nan)
    frame["expected_cycle_service_level"] = np.where(automatic, cycle_service_level(ss, sigma), np.nan)
    frame["expected_fill_rate"] = np.where(automatic, expected_fill_rate(ss, sigma, quantity), np.nan)
    frame["demand_window_start_date"] = frame["window_start_date"]
    return _typed(frame.sort_values(KEYS).reset_index(drop=True))


# --- shared helper _typed (identical copies: pytests/test_python_model_copies.py) ---
def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """The output columns in order with their types (dates as datetime.date -> SQL date)."""
    out = pd.DataFrame(index=frame.index)
    for column, kind in OUTPUT_COLUMNS.items():
        values = frame[column]
        if kind == "date":
            out[column] = pd.to_datetime(values).dt.date
        elif kind == "bool":
            out[column] = values.fillna(False).astype(bool)
        elif kind == "Int64":
            out[column] = pd.to_numeric(values, errors="coerce").round().astype("Int64")
        elif kind == "string":
            out[column] = values.astype("string")
        else:
            out[column] = pd.to_numeric(values, errors="coerce").astype(kind)
    return out


# --- end of shared helper _typed ---


# --- shared helper _to_pandas (identical copies: pytests/test_python_model_copies.py) ---
def _to_pandas(relation) -> pd.DataFrame:
    """A pandas DataFrame from whatever the engine's dbt.ref returns."""
    for attribute in ("df", "to_pandas", "toPandas"):
        if hasattr(relation, attribute):
            return getattr(relation, attribute)()
    return pd.DataFrame(relation)


# --- end of shared helper _to_pandas ---


#: the build's segmentation stamp (int_segmentation__build_stamp) every policy row carries
STAMP_COLUMNS = {
    "logic_version": "segmentation_logic_version",
    "logic_fingerprint": "segmentation_logic_fingerprint",
    "input_fingerprint": "segmentation_input_fingerprint",
}


def stamped(policies: pd.DataFrame, stamp: pd.DataFrame) -> pd.DataFrame:
    """The policies with the one-row stamp's columns (STAMP_COLUMNS) on every row."""
    if len(stamp) != 1:
        raise ValueError(f"int_segmentation__build_stamp must have one row, has {len(stamp)}")
    out = policies.copy()
    for source, column in STAMP_COLUMNS.items():
        out[column] = pd.Series([stamp[source].iloc[0]] * len(out), index=out.index, dtype="string")
    return out


def model(dbt, session):
    dbt.config(materialized="table")
    inputs = _to_pandas(dbt.ref("int_inventory__policy_inputs"))
    demand = _to_pandas(dbt.ref("int_inventory__demand_statistics"))
    stamp = _to_pandas(dbt.ref("int_segmentation__build_stamp"))
    policies = build_policies(
        inputs,
        demand,
        safety_stock_method=str(dbt.config.get("safety_stock_method")),
        review_period_days=float(dbt.config.get("review_period_days")),
        ordering_cost=float(dbt.config.get("ordering_cost")),
        holding_cost_rate=float(dbt.config.get("holding_cost_rate")),
    )
    return stamped(policies, stamp)
