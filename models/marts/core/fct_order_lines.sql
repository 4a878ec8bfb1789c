{#- One row per order line (order_id, line_number): quantities, revenue and
    cost of goods of a staged line. quantity is the ordered quantity. -#}
{{ config(
    materialized=refresh_materialized(),
    incremental_strategy='refresh',
    on_schema_change='fail',
    unique_key=['order_id', 'line_number'],
    refresh_delete=[['order', 'order_id']],
) }}
{%- set refresh = refresh_context() -%}

with order_lines as (
    select * from {{ ref('int_order_lines__valued') }}
    {%- if refresh.active %}
    where {{ refresh_condition(refresh, 'order', 'order_id', literal=true) }}
    {%- endif %}
),

final as (
    select
        order_lines.order_id,
        order_lines.line_number,
        order_lines.customer_id,
        order_lines.sku_id,
        order_lines.ship_from_dc_id,
        order_lines.order_status,
        order_lines.quantity_ordered as quantity,
        order_lines.quantity_shipped,
        order_lines.quantity_returned,
        order_lines.unit_price,
        order_lines.discount_pct,
        order_lines.gross_revenue,
        order_lines.discount_amount,
        order_lines.net_revenue,
        order_lines.cogs,
        order_lines.net_revenue - order_lines.cogs as gross_margin,
        order_lines.shipped_weight_kg,
        order_lines.shipped_volume_m3,
        order_lines.is_fully_shipped,
        order_lines.return_count > 0 as is_returned,
        order_lines.order_date,
        order_lines.order_ts
    from order_lines
)

select * from final
