{#- Sales-order lines: latest valid version per (order_id, line_number). -#}
with validated as (
    select * from {{ ref('base_erp__sales_order_lines') }}
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
    where not validated.dq_is_duplicate and not validated.dq_is_quarantined
)

select * from final
