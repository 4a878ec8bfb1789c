{#- Carriers: one valid row per carrier_id. -#}
with validated as (
    select * from {{ ref('base_tms__carriers') }}
),

final as (
    select
        validated.carrier_id,
        validated.carrier_name,
        validated.mode,
        validated.is_3pl
    from validated
    where not validated.dq_is_duplicate and not validated.dq_is_quarantined
)

select * from final
