{#- One row per distribution centre (also a GL cost centre). -#}
with distribution_centers as (
    select * from {{ ref('stg_wms__distribution_centers') }}
),

final as (
    select
        distribution_centers.dc_id,
        distribution_centers.dc_name,
        distribution_centers.region,
        distribution_centers.dc_type,
        distribution_centers.is_temperature_controlled
    from distribution_centers
)

select * from final
