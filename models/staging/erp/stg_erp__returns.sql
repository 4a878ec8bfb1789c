{#- Returns: one valid row per return_id. -#}
with validated as (
    {{ dq_clean_rows(
        ref('base_erp__returns'), ref('check_erp__returns'),
        ['return_id']) }}
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
)

select * from final
