{#- One row per customer and month (grain customer_id, month): the
    profitability of int_customers__monthly_profitability, published for BI
    and finance. A view: the figures are defined and stored once, in the
    intermediate model. -#}

with monthly_profitability as (
    select * from {{ ref('int_customers__monthly_profitability') }}
),

final as (
    select
        customer_id,
        order_count,
        order_line_count,
        net_revenue,
        cogs,
        gross_margin,
        {%- for pool in var('cost_pools') %}
            {{ pool }}_cost,
        {%- endfor %}
        cost_to_serve,
        cost_to_serve_margin,
        profitability_rank,
        month
    from monthly_profitability
)

select * from final
