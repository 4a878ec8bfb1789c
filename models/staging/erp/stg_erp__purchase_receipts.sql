{#- Purchase receipts: one valid row per receipt_id, with the supplier lead
    time in days. -#}
with validated as (
    {{ dq_clean_rows(
        ref('base_erp__purchase_receipts'), ref('check_erp__purchase_receipts'),
        ['receipt_id']) }}
),

final as (
    select
        validated.receipt_id,
        validated.po_id,
        validated.sku_id,
        validated.supplier_id,
        validated.dc_id,
        validated.quantity_received,
        validated.unit_cost,
        {{ dbt.datediff('validated.po_date', 'validated.receipt_date', 'day') }}
            as lead_time_days,
        validated.po_date,
        validated.receipt_date
    from validated
)

select * from final
