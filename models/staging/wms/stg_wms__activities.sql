{#- Warehouse activities: one valid row per activity_id. -#}
with validated as (
    select * from {{ ref('base_wms__activities') }}
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
    where not validated.dq_is_duplicate and not validated.dq_is_quarantined
)

select * from final
