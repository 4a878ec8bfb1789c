{#- One row per order line (grain order_id, line_number): each cost pool of
    the order (cost_to_serve_orders) spread over the order's lines by the
    line measure var line_cost_basis names for the pool, so that a product's
    cost to serve is the sum of its lines:

      lines              an equal share per line
      quantity           units ordered
      quantity_shipped   units shipped
      quantity_returned  units returned
      shipped_weight_kg  weight shipped (outbound freight by default)
      shipped_volume_m3  volume shipped
      net_revenue        net revenue
      cogs               cost of goods shipped

    A pool whose measure sums to zero over the order's lines (freight on an
    order whose lines weigh nothing) is spread equally. Cents by running-total
    rounding: with the lines in line_number order and c_k the cumulative share
    of the measure through line k, line k gets round(cost * c_k, 2) -
    round(cost * c_(k-1), 2), half a cent rounded up on every engine
    (cents_half_up); the lines of an order sum to its cost exactly
    and each is within a cent of its exact share. Orders without a staged
    line keep their cost on the order only (test
    assert_order_line_costs_tie_to_orders counts them). -#}
{{ config(
    materialized=refresh_materialized(),
    incremental_strategy='refresh',
    on_schema_change='fail',
    unique_key=['order_id', 'line_number'],
    refresh_delete=[['order', 'order_id']],
) }}
{%- set refresh = refresh_context() -%}
{%- set bases = line_cost_bases() -%}
{%- set pools = var('cost_pools') -%}

{%- set recosted_orders = ref('int_refresh__recosted_orders') %}

with
{%- if refresh.active %}
refreshed_orders as (
    select order_id from {{ recosted_orders }}
),
{%- endif %}

order_costs as (
    select * from {{ ref('int_orders__cost_to_serve') }}
    {%- if refresh.active %}
    where order_id in (select order_id from refreshed_orders)
    {%- endif %}
),

order_lines as (
    select * from {{ ref('fct_order_lines') }}
    {%- if refresh.active %}
    where order_id in (select order_id from refreshed_orders)
    {%- endif %}
),

measured as (
    select
        order_lines.order_id,
        order_lines.line_number,
        order_lines.customer_id,
        order_lines.sku_id,
        order_lines.ship_from_dc_id,
        order_lines.order_date,
        order_lines.net_revenue,
        order_lines.cogs,
        order_lines.gross_margin,
        {%- for pool in pools %}
            order_costs.{{ pool }}_cost as {{ pool }}_order_cost,
            {{ line_cost_measure('order_lines', bases[pool]) }}
                as {{ pool }}_measure,
        {%- endfor %}
        count(*) over (partition by order_lines.order_id) as order_line_count,
        row_number() over (
            partition by order_lines.order_id
            order by order_lines.line_number
        ) as line_position
    from order_lines
    inner join order_costs
        on order_lines.order_id = order_costs.order_id
),

cumulated as (
    select
        {%- for pool in pools %}
            sum(measured.{{ pool }}_measure) over (
                partition by measured.order_id
            ) as {{ pool }}_order_measure,
            sum(measured.{{ pool }}_measure) over (
                partition by measured.order_id
                order by measured.line_number
                rows between unbounded preceding and current row
            ) as {{ pool }}_cumulative_measure,
        {%- endfor %}
        measured.*
    from measured
),

rounded as (
    -- the order's cost rounded at the end of each line's cumulative share
    select
        {%- for pool in pools %}
            {%- set cost = 'cumulated.' ~ pool ~ '_order_cost' %}
            {%- set exact = dbt.cast(cost, type_double()) %}
            case
                when cumulated.line_position = cumulated.order_line_count
                    then {{ cost }}
                when cumulated.{{ pool }}_order_measure > 0
                    then {{ cents_half_up(
                        exact ~ ' * cumulated.' ~ pool ~ '_cumulative_measure'
                        ~ ' / cumulated.' ~ pool ~ '_order_measure') }}
                else {{ cents_half_up(
                    exact ~ ' * cumulated.line_position'
                    ~ ' / cumulated.order_line_count') }}
            end as {{ pool }}_cost_through_line,
        {%- endfor %}
        cumulated.*
    from cumulated
),

{%- set equal_spreads = [] %}
{%- for pool in pools %}
    {%- do equal_spreads.append(
        "case when rounded." ~ pool ~ "_order_measure = 0 and rounded."
        ~ pool ~ "_order_cost <> 0 then '" ~ pool ~ "' end") %}
{%- endfor %}

final as (
    select
        rounded.order_id,
        rounded.line_number,
        rounded.customer_id,
        rounded.sku_id,
        rounded.ship_from_dc_id,
        rounded.order_date,
        {{ dbt.cast(dbt.date_trunc('month', 'rounded.order_date'), 'date') }}
            as order_month,
        rounded.net_revenue,
        rounded.cogs,
        rounded.gross_margin,
        {%- for pool in pools %}
        {{ dbt.cast(
            'rounded.' ~ pool ~ '_cost_through_line - coalesce(lag(rounded.'
            ~ pool ~ '_cost_through_line) over (partition by rounded.order_id'
            ~ ' order by rounded.line_number), 0)', 'decimal(18, 2)') }}
                as {{ pool }}_cost,
        {%- endfor %}
        nullif(concat_ws(', ', {{ equal_spreads | join(', ') }}), '')
            as equally_spread_pools
    from rounded
)

select
    final.*,
    {{ dbt.cast(
        'final.' ~ (pools | join('_cost + final.')) ~ '_cost',
        'decimal(18, 2)') }} as total_cost_to_serve,
    final.gross_margin
    {%- for pool in pools %}
        - final.{{ pool }}_cost
    {%- endfor %} as cost_to_serve_margin
from final
