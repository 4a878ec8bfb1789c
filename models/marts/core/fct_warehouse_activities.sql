{#- One row per warehouse activity: labour minutes and units handled, with
    the customer of order-related work. -#}
{{ config(
    materialized=refresh_materialized(),
    incremental_strategy='refresh',
    on_schema_change='fail',
    unique_key=['activity_id'],
    refresh_delete=[['order', 'order_id'], ['since', 'activity_ts']],
) }}
{%- set refresh = refresh_context() -%}

with activities as (
    select * from {{ ref('stg_wms__activities') }}
    {%- if refresh.active %}
    where {{ refresh_condition(refresh, 'order', 'order_id') }}
        or {{ refresh_condition(refresh, 'since', 'activity_ts') }}
    {%- endif %}
),

orders as (
    select
        order_id,
        customer_id
    from {{ ref('stg_erp__sales_orders') }}
),

final as (
    select
        activities.activity_id,
        activities.dc_id,
        activities.order_id,
        activities.line_number,
        orders.customer_id,
        activities.activity_type,
        activities.labor_minutes,
        activities.units_handled,
        activities.order_id is not null as is_order_related,
        {{ dbt.cast('activities.activity_ts', 'date') }} as activity_date,
        activities.activity_ts
    from activities
    left join orders
        on activities.order_id = orders.order_id
)

select * from final
