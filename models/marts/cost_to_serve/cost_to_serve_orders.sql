{#- One row per order (grain order_id): the cost to serve of
    int_orders__cost_to_serve, published for BI and finance. A view: the
    figures are defined and stored once, in the intermediate model. -#}

with order_costs as (
    select * from {{ ref('int_orders__cost_to_serve') }}
),

final as (
    select
        order_id,
        customer_id,
        ship_from_dc_id,
        order_channel,
        priority,
        order_status,
        line_count,
        net_revenue,
        cogs,
        gross_margin,
        {%- for pool in var('cost_pools') %}
            {{ pool }}_cost,
        {%- endfor %}
        fixed_cost,
        variable_cost,
        total_cost_to_serve,
        cost_to_serve_margin,
        order_month,
        order_date
    from order_costs
)

select * from final
