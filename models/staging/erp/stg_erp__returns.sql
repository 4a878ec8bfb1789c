{#- Returns: one valid row per return_id. -#}
with validated as (
    select * from {{ ref('base_erp__returns') }}
),

final as (
    select
        validated.return_id,
        validated.order_id,
        validated.line_number,
        validated.sku_id,
        validated.return_reason,
        validated.quantity_returned,
        validated.return_date
    from validated
    where not validated.dq_is_duplicate and not validated.dq_is_quarantined
)

select * from final
