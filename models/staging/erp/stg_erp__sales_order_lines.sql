{#- Sales-order lines: latest valid version per (order_id, line_number). -#}
with validated as (
    {{ dq_clean_rows(
        ref('base_erp__sales_order_lines'), ref('check_erp__sales_order_lines'),
        ['order_id', 'line_number']) }}
),

final as (
    select
        validated.order_id,
        validated.line_number,
        validated.sku_id,
        validated.quantity_ordered,
        validated.quantity_shipped,
        validated.unit_price,
        validated.discount_pct,
        validated.updated_at
    from validated
)

select * from final
