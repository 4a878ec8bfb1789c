"""The order-entry hook: the fulfilment decision a new order's segments imply.

``fulfilment_decision(con, order)`` reads the published build behind ``con``
and decides, for an order (customer, lines of SKU and quantity, requested
delivery date, optional order date):

- per line: the product segment, the policy cell (segment_policy_matrix),
  the DC that ships it (the customer's region's DC if it stocks the SKU,
  else a national DC that does, else any DC that does; a temperature
  controlled SKU only from a temperature-controlled DC), the transport mode
  and carrier of the cell's transport policy (the carrier with the best
  OTIF for the customer segment over the latest three scorecard months,
  among the policy's allowed carriers), the cell's delivery days;
- for the order: the allocation rule and priority tier of seed
  shortage_priority_rules (first matching rule_order), the priority
  (expedited when the requested date is inside the longest transit time
  and the policy allows expediting, else standard), and the exceptions.

Exceptions (the order is still decided where it can be): unknown_customer,
inactive_customer, unknown_sku, not_stocked (no DC stocks the SKU; the
line is not allocated), requested_date_in_past, requested_date_too_soon
(inside the transit time and the policy does not allow expediting),
no_policy_cell (no transport policy for the cell).
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from datetime import date

import duckdb

#: scorecard months the carrier choice looks back over
CARRIER_LOOKBACK_MONTHS = 3


@dataclass
class OrderLine:
    sku_id: str
    quantity: float


@dataclass
class Order:
    customer_id: str
    lines: list[OrderLine]
    requested_date: date
    order_date: date | None = None


@dataclass
class Decision:
    customer_id: str
    customer_segment: str | None
    allocation_rule: str | None
    priority_tier: int | None
    priority: str
    lines: list[dict] = field(default_factory=list)
    exceptions: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "customer_id": self.customer_id,
            "customer_segment": self.customer_segment,
            "allocation_rule": self.allocation_rule,
            "priority_tier": self.priority_tier,
            "priority": self.priority,
            "lines": self.lines,
            "exceptions": self.exceptions,
        }


def _one(con, sql, params):
    cursor = con.execute(sql, params)
    row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip([d[0] for d in cursor.description], row))


def _allocation_rule(con, segment: str, is_strategic: bool, sla_tier: str | None) -> tuple[str, int] | None:
    for rule_id, segment_pattern, strategic_pattern, sla_pattern, tier in con.execute(
        "select rule_id, customer_segment_pattern, strategic_pattern, sla_tier_pattern, priority_tier"
        " from seeds.shortage_priority_rules order by rule_order"
    ).fetchall():
        if (
            fnmatch.fnmatchcase(segment or "", segment_pattern)
            and fnmatch.fnmatchcase(str(bool(is_strategic)).lower(), strategic_pattern)
            and fnmatch.fnmatchcase(sla_tier or "", sla_pattern)
        ):
            return rule_id, tier
    return None


def _dc_for(con, sku_id: str, region: str, cold: bool) -> str | None:
    row = con.execute(
        "select p.dc_id from inventory.inventory_policies as p"
        " join core.dim_distribution_centers as dc using (dc_id)"
        " where p.sku_id = ? and p.is_stocked_at_dc and (not ? or dc.is_temperature_controlled)"
        " order by (dc.region = ?) desc, (dc.dc_type = 'national') desc, p.dc_id limit 1",
        [sku_id, cold, region],
    ).fetchone()
    return None if row is None else row[0]


def _carrier(con, segment: str, allowed: str) -> str | None:
    allowed_set = None if allowed in (None, "*") else set(allowed.split())
    for carrier, _otif, _cost in con.execute(
        "with recent as (select * from transport.carrier_scorecards where customer_segment = ?"
        " and month > (select max(month) from transport.carrier_scorecards) - to_months(?))"
        " select carrier_id, sum(otif_shipments) / sum(delivered_shipments) as otif,"
        " sum(freight_cost) / nullif(sum(weight_kg), 0) as cost_per_kg"
        " from recent where delivered_shipments > 0 group by 1 order by otif desc, cost_per_kg, carrier_id",
        [segment, CARRIER_LOOKBACK_MONTHS],
    ).fetchall():
        if allowed_set is None or carrier in allowed_set:
            return carrier
    return None


def fulfilment_decision(con: duckdb.DuckDBPyConnection, order: Order) -> Decision:
    """The fulfilment decision for ``order`` from the build behind ``con``."""
    order_date = (
        order.order_date or con.execute("select max(as_of_date) from segmentation.customer_segments").fetchone()[0]
    )
    customer = _one(
        con,
        "select c.customer_id, c.region, c.is_strategic, c.sla_tier, s.segment"
        " from core.dim_customers as c left join segmentation.customer_segments as s using (customer_id)"
        " where c.customer_id = ?",
        [order.customer_id],
    )
    if customer is None:
        return Decision(
            order.customer_id, None, None, None, "standard",
            exceptions=[{"type": "unknown_customer", "detail": f"no customer {order.customer_id} in the build"}],
        )  # fmt: skip
    segment = customer["segment"]
    exceptions = []
    if segment == "inactive":
        exceptions.append({"type": "inactive_customer", "detail": "the customer has no recent orders"})
    if order.requested_date < order_date:
        exceptions.append(
            {"type": "requested_date_in_past", "detail": f"requested {order.requested_date}, order date {order_date}"}
        )
    rule = _allocation_rule(con, segment, customer["is_strategic"], customer["sla_tier"])
    days = (order.requested_date - order_date).days
    lines, expedite = [], False
    for number, line in enumerate(order.lines, start=1):
        product = _one(
            con,
            "select s.sku_id, s.segment, d.requires_temperature_control"
            " from segmentation.product_segments as s join core.dim_products as d using (sku_id)"
            " where s.sku_id = ?",
            [line.sku_id],
        )
        if product is None:
            exceptions.append({"type": "unknown_sku", "line": number, "detail": f"no SKU {line.sku_id}"})
            lines.append({"line": number, "sku_id": line.sku_id, "quantity": line.quantity, "is_allocated": False})
            continue
        cold = bool(product["requires_temperature_control"])
        policy = _one(
            con,
            "select primary_mode, allowed_carriers, delivery_weekdays, max_transit_days, is_expedite_eligible,"
            " handling_requirement, policy_key from transport.transport_policies"
            " where customer_segment = ? and product_segment = ? and requires_temperature_control = ?",
            [segment, product["segment"], cold],
        )
        cell = _one(
            con,
            "select stocking_policy, service_level_target from segmentation.segment_policy_matrix"
            " where customer_segment = ? and product_segment = ? and requires_temperature_control = ?",
            [segment, product["segment"], cold],
        )
        dc = _dc_for(con, line.sku_id, customer["region"], cold)
        decided = {
            "line": number,
            "sku_id": line.sku_id,
            "quantity": line.quantity,
            "product_segment": product["segment"],
            "dc_id": dc,
            "is_allocated": dc is not None,
            "stocking_policy": cell and cell["stocking_policy"],
            "service_level_target": cell and cell["service_level_target"],
        }
        if dc is None:
            exceptions.append({"type": "not_stocked", "line": number, "detail": f"no DC stocks {line.sku_id}"})
        if policy is None:
            exceptions.append({"type": "no_policy_cell", "line": number, "detail": f"{segment} x {product['segment']}"})
        else:
            decided |= {
                "policy_key": policy["policy_key"],
                "mode": policy["primary_mode"],
                "carrier": _carrier(con, segment, policy["allowed_carriers"]),
                "delivery_weekdays": policy["delivery_weekdays"],
                "handling_requirement": policy["handling_requirement"],
                "max_transit_days": policy["max_transit_days"],
            }
            if 0 <= days < policy["max_transit_days"]:
                if policy["is_expedite_eligible"]:
                    expedite = True
                else:
                    exceptions.append(
                        {
                            "type": "requested_date_too_soon",
                            "line": number,
                            "detail": f"{days} days to the requested date, transit up to"
                            f" {policy['max_transit_days']} days and the policy does not allow expediting",
                        }
                    )
        lines.append(decided)
    return Decision(
        customer_id=order.customer_id,
        customer_segment=segment,
        allocation_rule=rule and rule[0],
        priority_tier=rule and rule[1],
        priority="expedited" if expedite else "standard",
        lines=lines,
        exceptions=exceptions,
    )
