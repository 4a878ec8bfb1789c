"""Stress scenarios of the inventory policy (grain scenario, sku_id, dc_id).

A dbt Python model (self-contained: pandas, numpy, scipy and pyarrow only). For every
row of ``inventory_policies`` and every scenario (``base`` plus the stress
scenarios of seed inventory_stress_scenarios), the safety stock and reorder
point recomputed under the stressed demand and lead time, and the risk of a
stockout if the CURRENT (base) reorder point is kept.

A scenario multiplies the daily demand mean and sd by
1 + demand_increase_pct / 100 (the coefficient of variation is kept) and adds
lead_time_increase_days to the mean lead time (its sd is kept). With the
stressed d', sd_d', L' and the policy's review period R, target and order
quantity Q (kept at the base value: the order quantity is a purchasing
agreement that does not move with a demand spike):

    mu'     = d' (L' + R)                                  mean protection demand
    sigma'  = sqrt((L' + R) sd_d'^2 + d'^2 sd_L^2)
    SS'     = max(0, z sigma') or max(0, k' sigma')        the policy's method
    ROP'    = mu' + SS'
    stockout_risk_at_base_rop = P(X > ROP_base) = 1 - Phi((ROP_base - mu') / sigma')
    fill_rate_at_base_rop     = 1 - sigma' G((ROP_base - mu') / sigma') / Q

(normal approximation of the demand over the protection interval). For the
base scenario these reproduce the policy. Rows without automatic parameters
(make_to_order, review_required) keep zero parameters and a null risk.

The normal-distribution helpers repeat those of inventory_policies.py on
purpose (a model file must run alone); pytest checks that both agree.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
from scipy.special import erfc
from scipy.stats import norm

BASE_SCENARIO = "base"
SCENARIO_COLUMNS = ("scenario", "demand_increase_pct", "lead_time_increase_days", "description")
K_BOUNDS = (-8.0, 8.0)
#: Halvings of K_BOUNDS in the bisection for k: 16 / 2^60 is below double precision.
BISECTION_STEPS = 60
SQRT_2 = np.sqrt(2.0)
SQRT_2PI = np.sqrt(2.0 * np.pi)

OUTPUT_COLUMNS: dict[str, str] = {
    "scenario": "string",
    "sku_id": "string",
    "dc_id": "string",
    "segment": "string",
    "policy_type": "string",
    "safety_stock_method": "string",
    "scenario_order": "Int64",
    "demand_increase_pct": "float64",
    "lead_time_increase_days": "float64",
    "demand_mean_daily": "float64",
    "demand_sd_daily": "float64",
    "lead_time_mean_days": "float64",
    "lead_time_sd_days": "float64",
    "protection_period_days": "float64",
    "protection_demand_mean_units": "float64",
    "protection_demand_sd_units": "float64",
    "safety_stock_units": "float64",
    "reorder_point_units": "float64",
    "base_safety_stock_units": "float64",
    "base_reorder_point_units": "float64",
    "safety_stock_change_units": "float64",
    "order_quantity_units": "float64",
    "unit_cost": "float64",
    "safety_stock_value": "float64",
    "stockout_risk_at_base_rop": "float64",
    "fill_rate_at_base_rop": "float64",
    "expected_stockouts_per_year": "float64",
    "is_automatic": "bool",
    "as_of_date": "date",
}


def _number(value) -> float:
    """A seed cell as a float: empty (None or NaN) is 0."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return 0.0
    return float(value)


def parse_scenarios(rows) -> list[dict]:
    """The stress scenarios of seed inventory_stress_scenarios (its rows as a
    DataFrame or a list of dicts), with base first.

    Each row: scenario (unique, not 'base'), demand_increase_pct and
    lead_time_increase_days (empty = 0), description. Returned as dicts of
    name, demand_increase_pct and lead_time_increase_days.
    """
    if isinstance(rows, pd.DataFrame):
        rows = rows.to_dict("records")
    scenarios = [{"name": BASE_SCENARIO, "demand_increase_pct": 0.0, "lead_time_increase_days": 0.0}]
    for item in rows:
        unknown = set(item) - set(SCENARIO_COLUMNS)
        if unknown:
            raise ValueError(f"inventory_stress_scenarios: unknown columns {sorted(unknown)} in {item}")
        name = str(item.get("scenario") or "").strip()
        if not name or name in {s["name"] for s in scenarios}:
            raise ValueError(f"inventory_stress_scenarios: missing, duplicate or reserved name {name!r}")
        scenarios.append(
            {
                "name": name,
                "demand_increase_pct": _number(item.get("demand_increase_pct")),
                "lead_time_increase_days": _number(item.get("lead_time_increase_days")),
            }
        )
    return scenarios


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


def stockout_risk(reorder_point, protection_mean, sigma):
    """P(demand over the protection interval > ROP) = 1 - Phi((ROP - mu) / sigma), normal approximation.

    With sigma = 0 the demand is certain: 1 when mu > ROP, else 0.
    Source: Chopra & Meindl ch. 12 (CSL = F(ROP, D_L, sigma_L); risk = 1 - CSL).
    """
    rop = np.asarray(reorder_point, dtype=float)
    mu = np.asarray(protection_mean, dtype=float)
    s = np.asarray(sigma, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(s > 0, norm.sf((rop - mu) / np.where(s > 0, s, 1.0)), (mu > rop + 1e-9).astype(float))


def fill_rate_at(reorder_point, protection_mean, sigma, order_quantity):
    """1 - sigma G((ROP - mu) / sigma) / Q, in [0, 1]: the fill rate a kept ROP delivers.

    Source: Silver, Pyke & Peterson ch. 7 (P2 service).
    """
    rop = np.asarray(reorder_point, dtype=float)
    mu = np.asarray(protection_mean, dtype=float)
    s = np.asarray(sigma, dtype=float)
    q = np.asarray(order_quantity, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        shortage = np.where(s > 0, s * normal_loss((rop - mu) / np.where(s > 0, s, 1.0)), np.maximum(mu - rop, 0.0))
        rate = np.where(q > 0, 1.0 - shortage / np.where(q > 0, q, 1.0), np.nan)
    return np.clip(rate, 0.0, 1.0)


#: Output columns that are the same in every scenario (copied from the policy).
REPEATED_COLUMNS = (
    "sku_id",
    "dc_id",
    "segment",
    "policy_type",
    "safety_stock_method",
    "lead_time_sd_days",
    "base_safety_stock_units",
    "base_reorder_point_units",
    "order_quantity_units",
    "unit_cost",
    "is_automatic",
    "as_of_date",
)
ARROW_TYPES = {
    "string": pa.string(),
    "Int64": pa.int64(),
    "float64": pa.float64(),
    "bool": pa.bool_(),
    "date": pa.date32(),
}


def _arrow(values, kind: str) -> pa.Array:
    """One output column as an Arrow array of its declared type (NaN and None -> null)."""
    if kind == "date":
        return pa.array(pd.to_datetime(pd.Series(values)).dt.date, type=pa.date32(), from_pandas=True)
    if kind == "bool":
        return pa.array(pd.Series(values).fillna(False).astype(bool).to_numpy(), type=pa.bool_())
    if kind == "string":
        return pa.array(pd.Series(values, dtype=object), type=pa.string(), from_pandas=True)
    return pa.array(pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(float), from_pandas=True).cast(
        ARROW_TYPES[kind]
    )


def stress_table(policies: pd.DataFrame, scenarios: list[dict]) -> pa.Table:
    """Every policy row under every scenario, as an Arrow table (formulas: the module docstring).

    Rows are ordered by scenario, then sku_id and dc_id. The columns that do
    not change with the scenario (REPEATED_COLUMNS) are built once and shared
    by every scenario's rows, so memory grows by the computed columns only.
    """
    policies = policies.sort_values(["sku_id", "dc_id"], kind="stable").reset_index(drop=True)
    automatic = policies["is_automatic"].fillna(False).astype(bool).to_numpy()
    d0 = policies["demand_mean_daily"].to_numpy(float)
    sd0 = policies["demand_sd_daily"].to_numpy(float)
    lead0 = np.nan_to_num(policies["lead_time_mean_days"].to_numpy(float))
    lead_sd = np.nan_to_num(policies["lead_time_sd_days"].to_numpy(float))
    lead_mean = policies["lead_time_mean_days"].to_numpy(float)
    review = policies["review_period_days"].to_numpy(float)
    quantity = policies["order_quantity_units"].to_numpy(float)
    target = policies["service_level_target"].to_numpy(float)
    base_ss = policies["safety_stock_units"].to_numpy(float)
    base_rop = policies["reorder_point_units"].to_numpy(float)
    unit_cost = policies["unit_cost"].to_numpy(float)
    fill_rate_method = (policies["safety_stock_method"] == "fill_rate").to_numpy()
    repeated = {
        "sku_id": policies["sku_id"],
        "dc_id": policies["dc_id"],
        "segment": policies["segment"],
        "policy_type": policies["policy_type"],
        "safety_stock_method": policies["safety_stock_method"],
        "lead_time_sd_days": policies["lead_time_sd_days"],
        "base_safety_stock_units": base_ss,
        "base_reorder_point_units": base_rop,
        "order_quantity_units": quantity,
        "unit_cost": unit_cost,
        "is_automatic": automatic,
        "as_of_date": policies["as_of_date"],
    }
    shared = {column: _arrow(repeated[column], OUTPUT_COLUMNS[column]) for column in REPEATED_COLUMNS}
    schema = pa.schema([(column, ARROW_TYPES[kind]) for column, kind in OUTPUT_COLUMNS.items()])
    rows = len(policies)

    tables = []
    for order, scenario in enumerate(scenarios):
        factor = 1.0 + scenario["demand_increase_pct"] / 100.0
        d, sd = d0 * factor, sd0 * factor
        lead = np.where(automatic, lead0 + scenario["lead_time_increase_days"], lead0)
        protection = np.where(automatic, lead + review, 0.0)
        sigma = np.where(automatic, protection_demand_sd(d, sd, lead, lead_sd, review), 0.0)
        mean = d * protection
        z = norm.ppf(np.where(automatic & ~fill_rate_method, target, 0.5))
        k = np.where(automatic & fill_rate_method, safety_factor_fill_rate(target, quantity, sigma), np.nan)
        ss = np.where(fill_rate_method, np.nan_to_num(k * sigma, nan=0.0), z * sigma)
        ss = np.where(automatic, np.maximum(ss, 0.0), 0.0)
        risk = np.where(automatic, stockout_risk(base_rop, mean, sigma), np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            cycles = np.where(quantity > 0, d * 365.0 / np.where(quantity > 0, quantity, 1.0), 0.0)
        computed = {
            "scenario": pa.array(np.full(rows, scenario["name"], dtype=object), type=pa.string()),
            "scenario_order": pa.array(np.full(rows, order, dtype=np.int64)),
            "demand_increase_pct": pa.array(np.full(rows, scenario["demand_increase_pct"], dtype=float)),
            "lead_time_increase_days": pa.array(np.full(rows, scenario["lead_time_increase_days"], dtype=float)),
            "demand_mean_daily": d,
            "demand_sd_daily": sd,
            "lead_time_mean_days": lead_mean + np.where(automatic, scenario["lead_time_increase_days"], 0.0),
            "protection_period_days": protection,
            "protection_demand_mean_units": mean,
            "protection_demand_sd_units": sigma,
            "safety_stock_units": ss,
            "reorder_point_units": np.where(automatic, mean + ss, 0.0),
            "safety_stock_change_units": ss - base_ss,
            "safety_stock_value": ss * unit_cost,
            "stockout_risk_at_base_rop": risk,
            "fill_rate_at_base_rop": np.where(automatic, fill_rate_at(base_rop, mean, sigma, quantity), np.nan),
            "expected_stockouts_per_year": np.where(automatic, risk * cycles, np.nan),
        }
        arrays = [
            shared[column]
            if column in shared
            else computed[column]
            if isinstance(computed[column], pa.Array)
            else pa.array(computed[column], type=pa.float64(), from_pandas=True)
            for column in OUTPUT_COLUMNS
        ]
        tables.append(pa.Table.from_arrays(arrays, schema=schema))
    return pa.concat_tables(tables)


def stress_policies(policies: pd.DataFrame, scenarios: list[dict]) -> pd.DataFrame:
    """stress_table as a pandas DataFrame (for inspection and tests; the model returns the Arrow table)."""
    return stress_table(policies, scenarios).to_pandas(types_mapper={pa.string(): pd.StringDtype()}.get)


# --- shared helper _to_pandas (identical copies: pytests/test_python_model_copies.py) ---
def _to_pandas(relation) -> pd.DataFrame:
    """A pandas DataFrame from whatever the engine's dbt.ref returns."""
    for attribute in ("df", "to_pandas", "toPandas"):
        if hasattr(relation, attribute):
            return getattr(relation, attribute)()
    return pd.DataFrame(relation)


# --- end of shared helper _to_pandas ---


def model(dbt, session):
    dbt.config(materialized="table")
    policies = _to_pandas(dbt.ref("inventory_policies"))
    table = stress_table(policies, parse_scenarios(_to_pandas(dbt.ref("inventory_stress_scenarios"))))
    # DuckDB reads an Arrow table in place; engines whose dbt Python models
    # take pandas (Databricks, Snowflake) get one
    if "duckdb" in type(session).__module__:
        return table
    return table.to_pandas()
