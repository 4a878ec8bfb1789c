{#- What each carrier achieved on each lane over the history: cost per kg,
    transit days and on-time rate; see the YAML. -#}
with shipments as (
    select
        origin_dc_id,
        destination_region,
        carrier_id,
        weight_kg,
        freight_cost,
        transit_days,
        is_on_time
    from {{ ref('int_shipments__transport_measures') }}
    where carrier_id is not null
),

carriers as (
    select
        carrier_id,
        mode
    from {{ ref('stg_tms__carriers') }}
),

performance as (
    select
        origin_dc_id,
        destination_region,
        carrier_id,
        count(*) as shipments,
        count(is_on_time) as delivered_shipments,
        sum(case when weight_kg > 0 then freight_cost end)
        / nullif(sum(case when weight_kg > 0 then weight_kg end), 0)
            as cost_per_kg,
        avg(transit_days) as average_transit_days,
        100.0 * count(case when is_on_time then 1 end)
        / nullif(count(is_on_time), 0) as on_time_pct
    from shipments
    group by 1, 2, 3
),

final as (
    select
        performance.origin_dc_id,
        performance.destination_region,
        performance.carrier_id,
        carriers.mode as carrier_mode,
        performance.shipments,
        performance.delivered_shipments,
        performance.cost_per_kg,
        performance.average_transit_days,
        performance.on_time_pct
    from performance
    left join carriers
        on performance.carrier_id = carriers.carrier_id
)

select * from final
