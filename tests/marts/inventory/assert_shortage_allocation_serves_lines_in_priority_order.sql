{#- Lines of a SKU x DC are ranked by priority tier, then customer
    profitability rank, then order time; each gets min(requested, what the
    lines ranked before it left of the available stock): recomputed here
    from the ranks, and no line gets stock while a line ranked before it
    is short. -#}
with allocation as (
    select
        order_id,
        line_number,
        sku_id,
        dc_id,
        requested_units,
        allocated_units,
        shortfall_units,
        available_units,
        priority_tier,
        profitability_rank,
        priority_rank,
        order_ts
    from {{ ref('shortage_allocation') }}
),

recomputed as (
    select
        allocation.*,
        coalesce(sum(allocation.requested_units) over (
            partition by allocation.sku_id, allocation.dc_id
            order by allocation.priority_rank
            rows between unbounded preceding and 1 preceding
        ), 0) as requested_before,
        max(allocation.shortfall_units) over (
            partition by allocation.sku_id, allocation.dc_id
            order by allocation.priority_rank
            rows between unbounded preceding and 1 preceding
        ) as max_shortfall_before,
        lag(allocation.priority_tier) over (
            partition by allocation.sku_id, allocation.dc_id
            order by allocation.priority_rank
        ) as previous_tier,
        lag(allocation.profitability_rank) over (
            partition by allocation.sku_id, allocation.dc_id
            order by allocation.priority_rank
        ) as previous_profitability_rank,
        lag(allocation.order_ts) over (
            partition by allocation.sku_id, allocation.dc_id
            order by allocation.priority_rank
        ) as previous_order_ts
    from allocation
),

expected as (
    select
        recomputed.*,
        least(
            recomputed.requested_units,
            greatest(
                recomputed.available_units - recomputed.requested_before, 0
            )
        ) as expected_allocated_units
    from recomputed
)

select *
from expected
where
    abs(allocated_units - expected_allocated_units) > 1e-6
    or (
        allocated_units > 0
        and coalesce(max_shortfall_before, 0) > 1e-6
    )
    or previous_tier > priority_tier
    or (
        previous_tier = priority_tier
        and previous_profitability_rank
        > profitability_rank
    )
    or (
        previous_tier = priority_tier
        and previous_profitability_rank
        = profitability_rank
        and previous_order_ts > order_ts
    )
