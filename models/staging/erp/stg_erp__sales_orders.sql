{#- Sales orders: latest valid version per order_id. -#}
with validated as (
    {{ dq_clean_rows(
        ref('base_erp__sales_orders'), ref('check_erp__sales_orders'),
        ['order_id']) }}
),

final as (
    select
        validated.order_id,
        validated.customer_id,
        validated.ship_from_dc_id,
        validated.order_channel,
        validated.priority,
        validated.order_status,
        validated.requested_delivery_date,
        validated.order_ts,
        validated.updated_at
    from validated
)

select * from final
