{#- Distribution centres: one valid row per dc_id. -#}
with validated as (
    select * from {{ ref('base_wms__distribution_centers') }}
),

final as (
    select
        validated.dc_id,
        validated.dc_name,
        validated.region,
        validated.dc_type,
        validated.is_temperature_controlled
    from validated
    where not validated.dq_is_duplicate and not validated.dq_is_quarantined
)

select * from final
