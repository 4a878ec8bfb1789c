{#- Inventory snapshots: one valid row per (snapshot_date, dc_id, sku_id). -#}
with validated as (
    select * from {{ ref('base_wms__inventory_snapshots') }}
),

final as (
    select
        validated.dc_id,
        validated.sku_id,
        validated.on_hand_qty,
        validated.allocated_qty,
        validated.on_order_qty,
        validated.snapshot_date
    from validated
    where not validated.dq_is_duplicate and not validated.dq_is_quarantined
)

select * from final
