{#- The stops of the delivery day that delivery_routes plans (grain dc_id,
    route_date, stop_id); see the YAML. Reads transport_policies and
    shipment_mode_assignments, marts of the same area. -#}
{%- set routing = var('delivery_routing') -%}
{%- set route_date = dbt.cast("'" ~ routing.route_date ~ "'", 'date')
    if routing.route_date else dbt.cast('null', 'date') -%}

with shipments as (
    select
        shipment_id,
        customer_id,
        origin_dc_id,
        origin_region,
        destination_region,
        weight_kg,
        is_temperature_controlled,
        ship_date
    from {{ ref('int_shipments__transport_measures') }}
    where
        origin_region = destination_region
        and customer_id is not null
),

assignments as (
    select
        shipment_id,
        customer_segment,
        product_segment,
        requires_temperature_control
    from {{ ref('shipment_mode_assignments') }}
),

policies as (
    select
        customer_segment,
        product_segment,
        requires_temperature_control,
        delivery_window_start_hour,
        delivery_window_end_hour
    from {{ ref('transport_policies') }}
),

locations as (
    select
        region,
        x_km,
        y_km,
        spread_km
    from {{ ref('transport_region_locations') }}
),

chosen_dc as (
    -- var delivery_routing.dc_id, else the DC with the most local
    -- deliveries (ties by dc_id)
    select ranked.dc_id
    from (
        select
            shipments.origin_dc_id as dc_id,
            row_number() over (
                order by count(*) desc, shipments.origin_dc_id asc
            ) as dc_rank
        from shipments
        {%- if routing.dc_id %}
        where shipments.origin_dc_id = '{{ routing.dc_id }}'
        {%- endif %}
        group by 1
    ) as ranked
    where ranked.dc_rank = 1
),

chosen_day as (
    -- var delivery_routing.route_date, else the DC's latest ship date
    select
        chosen_dc.dc_id,
        coalesce(
            {{ route_date }}, max(shipments.ship_date)
        ) as route_date
    from chosen_dc
    left join shipments
        on chosen_dc.dc_id = shipments.origin_dc_id
    group by 1
),

day_shipments as (
    select
        shipments.*,
        chosen_day.route_date,
        policies.delivery_window_start_hour,
        policies.delivery_window_end_hour
    from shipments
    inner join chosen_day
        on
            shipments.origin_dc_id = chosen_day.dc_id
            and shipments.ship_date = chosen_day.route_date
    left join assignments
        on shipments.shipment_id = assignments.shipment_id
    left join policies
        on
            assignments.customer_segment = policies.customer_segment
            and assignments.product_segment = policies.product_segment
            and assignments.requires_temperature_control
            = policies.requires_temperature_control
),

stops as (
    -- one stop per customer: its shipments' weight, the cold chain if any
    -- shipment needs it, and the tightest window of their policies
    select
        origin_dc_id as dc_id,
        route_date,
        customer_id as stop_id,
        max(destination_region) as region,
        count(*) as shipments,
        sum(coalesce(weight_kg, 0)) as demand_kg,
        {{ dbt.bool_or('coalesce(is_temperature_controlled, false)') }}
            as requires_refrigeration,
        max(delivery_window_start_hour) as latest_start_hour,
        min(delivery_window_end_hour) as earliest_end_hour,
        min(delivery_window_start_hour) as earliest_start_hour,
        max(delivery_window_end_hour) as latest_end_hour
    from day_shipments
    group by 1, 2, 3
),

final as (
    select
        stops.dc_id,
        stops.stop_id,
        stops.region,
        stops.shipments,
        stops.demand_kg,
        -- conflicting windows (a stop's policies share no hour): the
        -- widest is used and the stop says so
        case
            when stops.latest_start_hour < stops.earliest_end_hour
                then stops.latest_start_hour
            else stops.earliest_start_hour
        end as window_start_hour,
        case
            when stops.latest_start_hour < stops.earliest_end_hour
                then stops.earliest_end_hour
            else stops.latest_end_hour
        end as window_end_hour,
        locations.x_km as region_x_km,
        locations.y_km as region_y_km,
        locations.spread_km as region_spread_km,
        depot.x_km as depot_x_km,
        depot.y_km as depot_y_km,
        stops.requires_refrigeration,
        coalesce(stops.latest_start_hour >= stops.earliest_end_hour, false)
            as is_window_relaxed,
        stops.route_date
    from stops
    left join locations
        on stops.region = locations.region
    left join locations as depot
        on stops.region = depot.region
)

select * from final
