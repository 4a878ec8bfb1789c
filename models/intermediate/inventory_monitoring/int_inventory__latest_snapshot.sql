{#-
    One row per SKU x DC (grain sku_id, dc_id) of the latest inventory
    snapshot of each DC on or before the build's as-of date
    (int_calendar__as_of_date: var as_of_date, or the latest order date). available_units is what can still be
    promised: on hand minus allocated, never below 0. as_of_date is the same
    on every row; the monitoring marts read it from here.
-#}

with snapshots as (
    select
        sku_id,
        dc_id,
        on_hand_qty,
        allocated_qty,
        on_order_qty,
        inventory_value,
        snapshot_date
    from {{ ref('fct_inventory_snapshots') }}
),

as_of as (
    select as_of_date from {{ ref('int_calendar__as_of_date') }}
),

latest_dc_snapshots as (
    select
        snapshots.dc_id,
        max(snapshots.snapshot_date) as snapshot_date
    from snapshots
    cross join as_of
    where snapshots.snapshot_date <= as_of.as_of_date
    group by 1
),

final as (
    select
        snapshots.sku_id,
        snapshots.dc_id,
        snapshots.on_hand_qty as on_hand_units,
        snapshots.allocated_qty as allocated_units,
        case
            when snapshots.on_hand_qty - snapshots.allocated_qty > 0
                then snapshots.on_hand_qty - snapshots.allocated_qty
            else 0.0
        end as available_units,
        snapshots.on_order_qty as on_order_units,
        snapshots.inventory_value,
        snapshots.snapshot_date,
        as_of.as_of_date
    from snapshots
    inner join latest_dc_snapshots
        on
            snapshots.dc_id = latest_dc_snapshots.dc_id
            and snapshots.snapshot_date = latest_dc_snapshots.snapshot_date
    cross join as_of
)

select * from final
