{#- Per SKU x DC, the units allocated to open order lines never exceed the
    stock available at the DC's latest snapshot (on hand - allocated, read
    here from the snapshot itself), and a SKU x DC that is not short serves
    every line in full. -#}
with allocation as (
    select
        sku_id,
        dc_id,
        sum(allocated_units) as allocated_units,
        sum(requested_units) as requested_units
    from {{ ref('shortage_allocation') }}
    group by 1, 2
),

stock as (
    select
        sku_id,
        dc_id,
        on_hand_units - allocated_units as available_units
    from {{ ref('int_inventory__latest_snapshot') }}
),

checked as (
    select
        allocation.sku_id,
        allocation.dc_id,
        allocation.allocated_units,
        allocation.requested_units,
        coalesce(stock.available_units, 0) as available_units
    from allocation
    left join stock
        on
            allocation.sku_id = stock.sku_id
            and allocation.dc_id = stock.dc_id
)

select *
from checked
where
    allocated_units > greatest(available_units, 0) + 1e-6
    or (
        requested_units <= available_units
        and allocated_units < requested_units - 1e-6
    )
