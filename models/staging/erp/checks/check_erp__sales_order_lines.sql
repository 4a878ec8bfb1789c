{#- The order lines of an unknown or quarantined order, or of a SKU that is
    not staged: they are quarantined. -#}
{{ config(
    materialized=refresh_materialized(),
    incremental_strategy='refresh',
    on_schema_change='fail',
    unique_key=['order_id', 'line_number', 'dq_key_version'],
    refresh_delete=[['order', 'order_id'], ['since', 'updated_at']],
) }}
{%- set refresh = refresh_context() -%}
{%- set rules = [
    dq_reference_rule('unknown_sku', 'sku_id', 'is_sku_known'),
] + dq_parent_rules('order', 'order_id', 'order_state') -%}

with order_lines as (
    {{ dq_surviving_rows(
        ref('base_erp__sales_order_lines'), ['order_id', 'line_number'],
        ['sku_id', 'updated_at'],
        refresh, [['order', 'order_id'], ['since', 'updated_at']]) }}
),

orders as (
    select
        order_id,
        parent_state
    from {{ ref('stg_erp__sales_order_states') }}
),

products as (
    select sku_id from {{ ref('stg_erp__products') }}
),

checked as (
    select
        order_lines.*,
        orders.parent_state as order_state,
        products.sku_id is not null as is_sku_known
    from order_lines
    left join orders
        on order_lines.order_id = orders.order_id
    left join products
        on order_lines.sku_id = products.sku_id
),

final as (
    {{ dq_check('checked', ['order_id', 'line_number'], rules,
        carried=['updated_at']) }}
)

select * from final
