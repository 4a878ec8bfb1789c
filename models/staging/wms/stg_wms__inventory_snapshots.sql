{#- Inventory snapshots: one valid row per (snapshot_date, dc_id, sku_id). -#}
with validated as (
    {{ dq_clean_rows(
        ref('base_wms__inventory_snapshots'), ref('check_wms__inventory_snapshots'),
        ['snapshot_date', 'dc_id', 'sku_id']) }}
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
)

select * from final
