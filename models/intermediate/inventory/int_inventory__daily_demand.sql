{#- Units demanded per SKU x DC and day, on the days with order lines only
    (grain sku_id, dc_id, demand_date): the one definition of daily demand.
    Demand is the ordered quantity of the lines whose status is not in var
    product_demand_excluded_order_statuses; cogs is the cost of goods of
    every line of the day, whatever its status. Lines without a ship-from
    DC belong to no stocking location and are left out. Read by
    int_inventory__demand_statistics and obsolescence_risk. -#}
{%- set excluded_statuses = var('product_demand_excluded_order_statuses') -%}
{%- set is_demand = 'true' -%}
{%- if excluded_statuses -%}
    {%- set is_demand = "coalesce(order_status, '') not in ('"
        ~ excluded_statuses | join("', '") ~ "')" -%}
{%- endif %}

with order_lines as (
    select
        sku_id,
        ship_from_dc_id as dc_id,
        order_date,
        quantity,
        cogs,
        {{ is_demand }} as is_demand
    from {{ ref('fct_order_lines') }}
    where ship_from_dc_id is not null
),

final as (
    select
        sku_id,
        dc_id,
        order_date as demand_date,
        sum(case when is_demand then quantity else 0 end) as demand_units,
        sum(case when is_demand then 1 else 0 end) as demand_line_count,
        sum(cogs) as cogs
    from order_lines
    group by 1, 2, 3
)

select * from final
