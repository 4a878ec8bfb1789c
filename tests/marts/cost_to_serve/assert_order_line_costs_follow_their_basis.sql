{#- Recomputes every line's share of each pool from fct_order_lines and the
    basis var line_cost_basis names for the pool (an equal share when the
    measure is zero on every line of the order), and returns a row per line
    and pool whose cost in cost_to_serve_order_lines differs from it by more
    than a cent. Running-total rounding keeps every line within a cent of
    its exact share, so a spread by another measure (freight by units
    instead of weight, or a pool reading another pool's basis) fails here.
    One pass over the lines compares every pool; only the failures are
    unpivoted. A daily refresh checks the orders it recosted
    (refresh_test_scope). -#}
{%- set pools = var('cost_pools') %}
{%- set bases = var('line_cost_basis') %}

with lines as (
    select
        order_lines.order_id,
        {%- for pool in pools %}
            {%- if bases[pool] == 'lines' %}
                1.0 as {{ pool }}_measure,
            {%- else %}
                greatest(coalesce(order_lines.{{ bases[pool] }}, 0), 0)
                    as {{ pool }}_measure,
            {%- endif %}
        {%- endfor %}
        order_lines.line_number
    from {{ ref('fct_order_lines') }} as order_lines
    where {{ refresh_test_scope('order_lines.order_id') }}
),

{# an order's totals by aggregation, not by window: a hash aggregate
    spills to disk on a large extract where a window over every line
    would not #}
order_totals as (
    select
        lines.order_id,
        {%- for pool in pools %}
            sum(lines.{{ pool }}_measure) as {{ pool }}_order_measure,
        {%- endfor %}
        count(*) as line_count
    from lines
    group by 1
),

totals as (
    select
        lines.*,
        {%- for pool in pools %}
            order_totals.{{ pool }}_order_measure,
        {%- endfor %}
        order_totals.line_count
    from lines
    inner join order_totals
        on lines.order_id = order_totals.order_id
),

expected as (
    select
        line_costs.order_id,
        line_costs.line_number,
        {%- for pool in pools %}
            orders.{{ pool }}_cost as {{ pool }}_order_cost,
            line_costs.{{ pool }}_cost as {{ pool }}_line_cost,
            orders.{{ pool }}_cost * case
                when totals.{{ pool }}_order_measure > 0
                    then
                        totals.{{ pool }}_measure
                        / totals.{{ pool }}_order_measure
                else 1.0 / totals.line_count
            end as {{ pool }}_expected,
        {%- endfor %}
        totals.line_count
    from {{ ref('cost_to_serve_order_lines') }} as line_costs
    inner join totals
        on
            line_costs.order_id = totals.order_id
            and line_costs.line_number = totals.line_number
    inner join {{ ref('cost_to_serve_orders') }} as orders
        on line_costs.order_id = orders.order_id
    where {{ refresh_test_scope('line_costs.order_id') }}
),

failing as (
    select *
    from expected
    where
        {%- for pool in pools %}
            abs({{ pool }}_line_cost - {{ pool }}_expected) > 0.01 + 1e-9
            {%- if not loop.last %} or{% endif %}
        {%- endfor %}
),

compared as (
    {%- for pool in pools %}
        select
            order_id,
            line_number,
            '{{ pool }}' as cost_pool,
            '{{ bases[pool] }}' as basis,
            {{ pool }}_order_cost as order_cost,
            {{ pool }}_line_cost as line_cost,
            {{ pool }}_expected as expected_line_cost
        from failing
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
)

select *
from compared
where abs(line_cost - expected_line_cost) > 0.01 + 1e-9
