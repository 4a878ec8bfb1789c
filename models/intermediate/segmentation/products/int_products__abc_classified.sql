{#-
    One row per SKU of dim_products (grain sku_id): dynamic ABC class on the
    time-decayed value of its order lines up to the as-of date.

    decayed_value = sum over the SKU's lines of
        <var abc_value_measure> * time_decay_weight(order_date)
    (net_revenue or gross_margin; a line after the as-of date weighs 0).
    SKUs are ranked by decayed value (descending, ties by sku_id). Shares are
    of the total positive value (a SKU whose gross margin decays below zero
    counts as 0), so they sum to 1. A SKU is
        A when the cumulative share of the SKUs ranked BEFORE it
          is < var abc_a_share,
        B when it is < var abc_b_share,
        C otherwise, and always when its decayed value is <= 0.
-#}
{%- set value_measure = var('abc_value_measure') -%}
{%- if value_measure not in ['net_revenue', 'gross_margin'] -%}
    {{ exceptions.raise_compiler_error(
        "var abc_value_measure must be net_revenue or gross_margin, got '"
        ~ value_measure ~ "'") }}
{%- endif -%}
{%- set decay_weight = time_decay_weight(
    'order_lines.order_date', as_of_date='as_of.as_of_date') -%}
{%- set a_share = dbt.cast(var('abc_a_share'), type_double()) -%}
{%- set b_share = dbt.cast(var('abc_b_share'), type_double()) -%}

with products as (
    select sku_id from {{ ref('dim_products') }}
),

order_lines as (
    select
        sku_id,
        {{ value_measure }} as line_value,
        order_date
    from {{ ref('fct_order_lines') }}
),

as_of as (
    select {{ build_as_of_date() }} as as_of_date
),

decayed_lines as (
    select
        order_lines.sku_id,
        order_lines.line_value * {{ decay_weight }} as decayed_line_value
    from order_lines
    cross join as_of
    where order_lines.order_date <= as_of.as_of_date
),

sku_values as (
    select
        products.sku_id,
        coalesce(sum(decayed_lines.decayed_line_value), 0.0)
            as decayed_value
    from products
    left join decayed_lines
        on products.sku_id = decayed_lines.sku_id
    group by 1
),

ranked as (
    select
        sku_id,
        decayed_value,
        greatest(decayed_value, 0.0) as positive_value,
        row_number() over (
            order by decayed_value desc, sku_id asc
        ) as value_rank,
        sum(greatest(decayed_value, 0.0)) over () as total_value,
        coalesce(sum(greatest(decayed_value, 0.0)) over (
            order by decayed_value desc, sku_id asc
            rows between unbounded preceding and 1 preceding
        ), 0.0) as value_before
    from sku_values
),

shares as (
    select
        sku_id,
        decayed_value,
        value_rank,
        coalesce(positive_value / nullif(total_value, 0.0), 0.0)
            as value_share,
        coalesce(
            (value_before + positive_value) / nullif(total_value, 0.0), 0.0
        ) as cumulative_value_share,
        coalesce(value_before / nullif(total_value, 0.0), 0.0)
            as cumulative_share_before
    from ranked
),

final as (
    select
        shares.sku_id,
        case
            when shares.decayed_value <= 0 then 'C'
            when shares.cumulative_share_before < {{ a_share }} then 'A'
            when shares.cumulative_share_before < {{ b_share }} then 'B'
            else 'C'
        end as abc_class,
        '{{ value_measure }}' as value_measure,
        shares.decayed_value,
        shares.value_share,
        shares.cumulative_value_share,
        shares.value_rank,
        as_of.as_of_date
    from shares
    cross join as_of
)

select * from final
