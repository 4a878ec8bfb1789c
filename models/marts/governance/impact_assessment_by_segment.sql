{#-
    One row per entity type and segment of either side (grain entity_type,
    segment): what a proposed segmentation logic would do to the segment.
    Built only by scw assess (var impact_assessment), beside
    impact_assessment.

      entities       now and proposed, and the movers in and out
      safety stock   units and value of the segment's products over their
                     DCs (inventory_policies), now and proposed
      inventory      safety plus cycle stock value of the segment's
                     products, now and proposed
      margin         trailing cost-to-serve margin of the segment's
      and freight    customers and their outbound freight
                     (int_customers__window_profitability), now and
                     proposed: the freight the segment's customers cost,
                     which a proposal moves between segments
-#}
{{ config(enabled=var('impact_assessment', false)) }}

with margins as (
    select
        customer_id,
        cost_to_serve_margin,
        outbound_freight_cost
    from {{ ref('int_customers__window_profitability') }}
),

stock_now as (
    select
        sku_id,
        sum(safety_stock_units) as safety_stock_units,
        sum(safety_stock_value) as safety_stock_value,
        sum(safety_stock_value + cycle_stock_value) as inventory_value
    from {{ source('assess_baseline', 'inventory_policies') }}
    group by 1
),

stock_proposed as (
    select
        sku_id,
        sum(safety_stock_units) as safety_stock_units,
        sum(safety_stock_value) as safety_stock_value,
        sum(safety_stock_value + cycle_stock_value) as inventory_value
    from {{ source('assess_proposal', 'inventory_policies') }}
    group by 1
),

sides as (
    select
        'current' as side,
        'customer' as entity_type,
        segments.customer_id as entity_id,
        segments.segment,
        margins.cost_to_serve_margin,
        margins.outbound_freight_cost,
        0 as safety_stock_units,
        0 as safety_stock_value,
        0 as inventory_value
    from {{ source('assess_baseline', 'customer_segments') }} as segments
    left join margins
        on segments.customer_id = margins.customer_id
    union all
    select
        'proposed' as side,
        'customer' as entity_type,
        segments.customer_id as entity_id,
        segments.segment,
        margins.cost_to_serve_margin,
        margins.outbound_freight_cost,
        0 as safety_stock_units,
        0 as safety_stock_value,
        0 as inventory_value
    from {{ source('assess_proposal', 'customer_segments') }} as segments
    left join margins
        on segments.customer_id = margins.customer_id
    union all
    select
        'current' as side,
        'product' as entity_type,
        segments.sku_id as entity_id,
        segments.segment,
        0 as cost_to_serve_margin,
        0 as outbound_freight_cost,
        coalesce(stock_now.safety_stock_units, 0) as safety_stock_units,
        coalesce(stock_now.safety_stock_value, 0) as safety_stock_value,
        coalesce(stock_now.inventory_value, 0) as inventory_value
    from {{ source('assess_baseline', 'product_segments') }} as segments
    left join stock_now
        on segments.sku_id = stock_now.sku_id
    union all
    select
        'proposed' as side,
        'product' as entity_type,
        segments.sku_id as entity_id,
        segments.segment,
        0 as cost_to_serve_margin,
        0 as outbound_freight_cost,
        coalesce(stock_proposed.safety_stock_units, 0) as safety_stock_units,
        coalesce(stock_proposed.safety_stock_value, 0) as safety_stock_value,
        coalesce(stock_proposed.inventory_value, 0) as inventory_value
    from {{ source('assess_proposal', 'product_segments') }} as segments
    left join stock_proposed
        on segments.sku_id = stock_proposed.sku_id
),

movers as (
    select
        entity_type,
        entity_id,
        current_segment,
        proposed_segment
    from {{ ref('impact_assessment') }}
),

per_segment as (
    select
        entity_type,
        segment,
        count(case when side = 'current' then 1 end) as current_entities,
        count(case when side = 'proposed' then 1 end) as proposed_entities,
        sum(case when side = 'current' then safety_stock_units else 0 end)
            as current_safety_stock_units,
        sum(case when side = 'proposed' then safety_stock_units else 0 end)
            as proposed_safety_stock_units,
        sum(case when side = 'current' then safety_stock_value else 0 end)
            as current_safety_stock_value,
        sum(case when side = 'proposed' then safety_stock_value else 0 end)
            as proposed_safety_stock_value,
        sum(case
            when side = 'current' then coalesce(cost_to_serve_margin, 0)
            else 0
        end) as current_cost_to_serve_margin,
        sum(case
            when side = 'proposed' then coalesce(cost_to_serve_margin, 0)
            else 0
        end) as proposed_cost_to_serve_margin,
        sum(case
            when side = 'current' then coalesce(outbound_freight_cost, 0)
            else 0
        end) as current_freight_cost,
        sum(case
            when side = 'proposed' then coalesce(outbound_freight_cost, 0)
            else 0
        end) as proposed_freight_cost,
        sum(case when side = 'current' then inventory_value else 0 end)
            as current_inventory_value,
        sum(case when side = 'proposed' then inventory_value else 0 end)
            as proposed_inventory_value
    from sides
    group by 1, 2
),

moved_out as (
    select
        entity_type,
        current_segment as segment,
        count(*) as entities
    from movers
    where current_segment is not null
    group by 1, 2
),

moved_in as (
    select
        entity_type,
        proposed_segment as segment,
        count(*) as entities
    from movers
    where proposed_segment is not null
    group by 1, 2
),

final as (
    select
        per_segment.entity_type,
        per_segment.segment,
        per_segment.current_entities,
        per_segment.proposed_entities,
        coalesce(moved_in.entities, 0) as moved_in,
        coalesce(moved_out.entities, 0) as moved_out,
        per_segment.current_safety_stock_units,
        per_segment.proposed_safety_stock_units,
        per_segment.current_safety_stock_value,
        per_segment.proposed_safety_stock_value,
        per_segment.proposed_safety_stock_value
        - per_segment.current_safety_stock_value as safety_stock_value_change,
        per_segment.current_cost_to_serve_margin,
        per_segment.proposed_cost_to_serve_margin,
        per_segment.proposed_cost_to_serve_margin
        - per_segment.current_cost_to_serve_margin
            as cost_to_serve_margin_change,
        per_segment.current_freight_cost,
        per_segment.proposed_freight_cost,
        per_segment.proposed_freight_cost
        - per_segment.current_freight_cost as freight_cost_change,
        per_segment.current_inventory_value,
        per_segment.proposed_inventory_value,
        per_segment.proposed_inventory_value
        - per_segment.current_inventory_value as inventory_value_change
    from per_segment
    left join moved_in
        on
            per_segment.entity_type = moved_in.entity_type
            and per_segment.segment = moved_in.segment
    left join moved_out
        on
            per_segment.entity_type = moved_out.entity_type
            and per_segment.segment = moved_out.segment
)

select * from final
