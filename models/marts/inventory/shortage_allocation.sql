{#-
    One row per open order line (grain order_id, line_number; lines of
    fct_order_lines with order_status 'open'): how much of its open
    quantity the stock of its SKU at its fulfilling DC can cover, and in
    which order the lines are served when it cannot cover them all.

    available_units: on hand - allocated at the latest snapshot of the DC
    (int_inventory__latest_snapshot; 0 when the SKU is not in it). The
    snapshot's allocated_qty already reserves stock for orders the WMS has
    released; every open line is treated as unreserved demand.

    Lines of a SKU x DC are ranked (priority_rank, 1 = served first) by the
    customer's priority_tier (int_customers__shortage_priority: first
    matching rule of seed shortage_priority_rules), then its
    profitability_rank, then order time, order_id and line_number. Each line
    gets allocated = min(requested, what the lines ranked before it left):

        allocated_units = least(requested_units,
                                greatest(available_units
                                         - requested_before_units, 0))

    reason: sufficient_stock (no shortage at the SKU x DC: every line is
    served in full), served_by_priority (shortage, but the line's priority
    got it everything), partially_allocated, stock_exhausted (lines ranked
    before it took the stock) or no_stock (nothing available at all).
-#}
with order_lines as (
    select
        order_id,
        line_number,
        customer_id,
        sku_id,
        ship_from_dc_id,
        quantity,
        quantity_shipped,
        order_date,
        order_ts
    from {{ ref('fct_order_lines') }}
    where order_status = 'open'
),

stock as (
    select
        sku_id,
        dc_id,
        available_units,
        snapshot_date
    from {{ ref('int_inventory__latest_snapshot') }}
),

priorities as (
    select
        customer_id,
        customer_segment,
        priority_rule_id,
        priority_tier,
        profitability_rank,
        is_strategic
    from {{ ref('int_customers__shortage_priority') }}
),

dc_snapshot_dates as (
    select
        stock.dc_id,
        max(stock.snapshot_date) as snapshot_date
    from stock
    group by 1
),

open_lines as (
    select
        order_lines.order_id,
        order_lines.line_number,
        order_lines.customer_id,
        order_lines.sku_id,
        order_lines.ship_from_dc_id as dc_id,
        priorities.customer_segment,
        priorities.priority_rule_id,
        case
            when order_lines.quantity > order_lines.quantity_shipped
                then order_lines.quantity - order_lines.quantity_shipped
            else 0.0
        end as requested_units,
        coalesce(stock.available_units, 0.0) as available_units,
        priorities.priority_tier,
        priorities.profitability_rank,
        coalesce(priorities.is_strategic, false) as is_strategic,
        order_lines.order_date,
        dc_snapshot_dates.snapshot_date,
        order_lines.order_ts
    from order_lines
    left join priorities
        on order_lines.customer_id = priorities.customer_id
    left join stock
        on
            order_lines.sku_id = stock.sku_id
            and order_lines.ship_from_dc_id = stock.dc_id
    left join dc_snapshot_dates
        on order_lines.ship_from_dc_id = dc_snapshot_dates.dc_id
),

ranked as (
    select
        open_lines.*,
        row_number() over (
            partition by open_lines.sku_id, open_lines.dc_id
            order by
                case when open_lines.priority_tier is null then 1 else 0 end,
                open_lines.priority_tier,
                open_lines.profitability_rank,
                open_lines.order_ts,
                open_lines.order_id,
                open_lines.line_number
        ) as priority_rank,
        sum(open_lines.requested_units) over (
            partition by open_lines.sku_id, open_lines.dc_id
        ) as open_demand_units
    from open_lines
),

cumulated as (
    select
        ranked.*,
        coalesce(sum(ranked.requested_units) over (
            partition by ranked.sku_id, ranked.dc_id
            order by ranked.priority_rank
            rows between unbounded preceding and 1 preceding
        ), 0.0) as requested_before_units
    from ranked
),

allocated as (
    select
        cumulated.*,
        case
            when
                cumulated.available_units - cumulated.requested_before_units
                >= cumulated.requested_units
                then cumulated.requested_units
            when
                cumulated.available_units - cumulated.requested_before_units
                > 0
                then
                    cumulated.available_units
                    - cumulated.requested_before_units
            else 0.0
        end as allocated_units
    from cumulated
),

final as (
    select
        allocated.order_id,
        allocated.line_number,
        allocated.customer_id,
        allocated.sku_id,
        allocated.dc_id,
        allocated.customer_segment,
        allocated.priority_rule_id,
        case
            when allocated.open_demand_units <= allocated.available_units
                then 'sufficient_stock'
            when allocated.available_units <= 0 then 'no_stock'
            when allocated.allocated_units >= allocated.requested_units
                then 'served_by_priority'
            when allocated.allocated_units > 0 then 'partially_allocated'
            else 'stock_exhausted'
        end as reason,
        allocated.requested_units,
        allocated.allocated_units,
        allocated.requested_units - allocated.allocated_units
            as shortfall_units,
        allocated.available_units,
        allocated.open_demand_units,
        allocated.requested_before_units,
        allocated.priority_tier,
        allocated.profitability_rank,
        allocated.priority_rank,
        allocated.is_strategic,
        allocated.open_demand_units > allocated.available_units
            as is_shortage,
        allocated.order_date,
        allocated.snapshot_date,
        allocated.order_ts
    from allocated
)

select * from final
