{#- Summed over segments, segment_profitability equals
    customer_profitability in every month: customers, orders, revenue,
    cost of goods, gross margin, every cost pool, cost to serve and
    cost-to-serve margin. No month may be missing on either side. Returns
    the months that differ. -#}
{%- set tolerance = var('profitability_tie_out_tolerance') -%}
{%- set measures = ['net_revenue', 'cogs', 'gross_margin'] -%}
{%- for pool in var('cost_pools') -%}
    {%- do measures.append(pool ~ '_cost') -%}
{%- endfor -%}
{%- do measures.extend(['cost_to_serve', 'cost_to_serve_margin']) -%}

with customer_months as (
    select
        customer_profitability.month,
        count(distinct customer_profitability.customer_id) as customers,
        sum(customer_profitability.order_count) as orders,
        {%- for measure in measures %}
            sum(customer_profitability.{{ measure }}) as {{ measure }},
        {%- endfor %}
        count(*) as row_count
    from {{ ref('customer_profitability') }} as customer_profitability
    group by 1
),

segment_months as (
    select
        segment_profitability.month,
        sum(segment_profitability.customers) as customers,
        sum(segment_profitability.orders) as orders,
        {%- for measure in measures %}
            sum(segment_profitability.{{ measure }}) as {{ measure }},
        {%- endfor %}
        count(*) as row_count
    from {{ ref('segment_profitability') }} as segment_profitability
    group by 1
)

select
    coalesce(customer_months.month, segment_months.month) as month,
    customer_months.customers as customer_customers,
    segment_months.customers as segment_customers,
    customer_months.cost_to_serve as customer_cost_to_serve,
    segment_months.cost_to_serve as segment_cost_to_serve
from customer_months
full outer join segment_months
    on customer_months.month = segment_months.month
where
    customer_months.month is null
    or segment_months.month is null
    or customer_months.customers <> segment_months.customers
    or customer_months.orders <> segment_months.orders
    {%- for measure in measures %}
        or abs(customer_months.{{ measure }} - segment_months.{{ measure }})
        > {{ tolerance }}
    {%- endfor %}
