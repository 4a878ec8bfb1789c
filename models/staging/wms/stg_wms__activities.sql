{#- Warehouse activities: one valid row per activity_id. -#}
with validated as (
    {{ dq_clean_rows(
        ref('base_wms__activities'), ref('check_wms__activities'),
        ['activity_id']) }}
),

final as (
    select
        validated.activity_id,
        validated.dc_id,
        validated.order_id,
        validated.line_number,
        validated.activity_type,
        validated.labor_minutes,
        validated.units_handled,
        validated.activity_ts
    from validated
)

select * from final
