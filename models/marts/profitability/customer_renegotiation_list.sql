{#- One row per customer whose cost-to-serve margin over the trailing window
    is negative (grain customer_id), ranked by the margin at stake, with the
    service drivers that make the customer expensive to serve. Each driver
    (int_customers__service_drivers) is compared with its median over all
    customers active in the window, profitable or not:

      driver                   adverse when
      net_revenue_per_order    small: value <= median / factor
      units_per_order          small: value <= median / factor
      rush_share               high:  value >= median * factor
      returns_rate             high:  value >= median * factor
      lines_per_order          high:  value >= median * factor
      payment_days             high:  value >= median * factor

    factor is var renegotiation_adverse_factor (1.5); a value equal to its
    median is never adverse (this matters when the median is 0). The
    adverse ratio is value / median for "high" drivers and median / value
    for "small" ones, so it reads "times worse than the median" either way;
    top_adverse_driver is the adverse driver with the largest adverse ratio
    ('none' when no driver is adverse). cost_to_serve_per_order is shown
    against its median too, but it is the symptom, not a driver, and has no
    flag. -#}
{%- set drivers = [
    {'name': 'net_revenue_per_order', 'adverse_when': 'small'},
    {'name': 'units_per_order', 'adverse_when': 'small'},
    {'name': 'rush_share', 'adverse_when': 'high'},
    {'name': 'returns_rate', 'adverse_when': 'high'},
    {'name': 'lines_per_order', 'adverse_when': 'high'},
    {'name': 'payment_days', 'adverse_when': 'high'},
] -%}
{%- set compared = drivers | map(attribute='name') | list
    + ['cost_to_serve_per_order'] -%}
{%- set factor = var('renegotiation_adverse_factor') -%}
{%- if factor is not number or factor < 1 -%}
    {%- do exceptions.raise_compiler_error(
        "var renegotiation_adverse_factor must be a number >= 1, got '"
        ~ factor ~ "'") -%}
{%- endif -%}

with window_customers as (
    select
        customer_id,
        net_revenue,
        gross_margin,
        cost_to_serve,
        cost_to_serve_margin,
        window_start_month,
        window_end_month
    from {{ ref('int_customers__window_profitability') }}
),

service_drivers as (
    select * from {{ ref('int_customers__service_drivers') }}
),

customers as (
    select
        customer_id,
        customer_name,
        channel,
        sla_tier,
        account_manager
    from {{ ref('dim_customers') }}
),

medians as (
    select
        {%- for name in compared %}
            percentile_cont(0.5) within group (
                order by service_drivers.{{ name }}
            ) as median_{{ name }},
        {%- endfor %}
        count(*) as customer_count
    from service_drivers
),

flagged as (
    -- worse / better is value / median for "high" drivers and
    -- median / value for "small" ones.
    select
        {%- for name in compared %}
            medians.median_{{ name }},
            service_drivers.{{ name }} / nullif(medians.median_{{ name }}, 0)
                as {{ name }}_vs_median,
        {%- endfor %}
        {%- for driver in drivers %}
            {%- set value = 'service_drivers.' ~ driver.name %}
            {%- set median = 'medians.median_' ~ driver.name %}
            {%- if driver.adverse_when == 'high' %}
                {%- set worse, better = value, median %}
            {%- else %}
                {%- set worse, better = median, value %}
            {%- endif %}
            {{ worse }} / nullif({{ better }}, 0)
                as {{ driver.name }}_adverse_ratio,
            coalesce(
                {{ worse }} >= {{ better }} * {{ factor }}
                and {{ worse }} > {{ better }},
                false
            ) as is_{{ driver.name }}_adverse,
        {%- endfor %}
        service_drivers.*
    from service_drivers
    cross join medians
),

adverse_drivers as (
    {%- for driver in drivers %}
        select
            flagged.customer_id,
            '{{ driver.name }}' as driver,
            flagged.{{ driver.name }}_adverse_ratio as adverse_ratio
        from flagged
        where flagged.is_{{ driver.name }}_adverse
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

top_drivers as (
    select
        adverse_drivers.customer_id,
        adverse_drivers.driver,
        adverse_drivers.adverse_ratio,
        count(*) over (
            partition by adverse_drivers.customer_id
        ) as adverse_driver_count,
        row_number() over (
            partition by adverse_drivers.customer_id
            order by
                adverse_drivers.adverse_ratio desc nulls last,
                adverse_drivers.driver asc
        ) as driver_rank
    from adverse_drivers
),

unprofitable as (
    select
        window_customers.*,
        -window_customers.cost_to_serve_margin as margin_at_stake
    from window_customers
    where window_customers.cost_to_serve_margin < 0
),

final as (
    select
        unprofitable.customer_id,
        customers.customer_name,
        customers.channel,
        customers.sla_tier,
        customers.account_manager,
        coalesce(top_drivers.driver, 'none') as top_adverse_driver,
        row_number() over (
            order by
                unprofitable.margin_at_stake desc,
                unprofitable.customer_id asc
        ) as renegotiation_rank,
        unprofitable.net_revenue,
        unprofitable.gross_margin,
        unprofitable.cost_to_serve,
        unprofitable.cost_to_serve_margin,
        unprofitable.margin_at_stake,
        flagged.served_order_count,
        {%- for name in compared %}
            flagged.{{ name }},
            flagged.median_{{ name }},
            flagged.{{ name }}_vs_median,
        {%- endfor %}
        coalesce(top_drivers.adverse_driver_count, 0)
            as adverse_driver_count,
        top_drivers.adverse_ratio as top_adverse_driver_ratio,
        {%- for driver in drivers %}
            flagged.is_{{ driver.name }}_adverse,
        {%- endfor %}
        unprofitable.window_start_month,
        unprofitable.window_end_month
    from unprofitable
    inner join flagged
        on unprofitable.customer_id = flagged.customer_id
    left join customers
        on unprofitable.customer_id = customers.customer_id
    left join top_drivers
        on
            unprofitable.customer_id = top_drivers.customer_id
            and top_drivers.driver_rank = 1
)

select * from final
