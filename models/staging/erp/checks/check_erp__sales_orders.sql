{#- The sales orders whose customer or ship-from DC is not staged: they are
    quarantined, and their lines, invoices, shipments and activities with
    them. -#}
{{ config(
    materialized=refresh_materialized(),
    incremental_strategy='refresh',
    on_schema_change='fail',
    unique_key=['order_id', 'dq_key_version'],
    refresh_delete=[['order', 'order_id'], ['since', 'updated_at']],
) }}
{%- set refresh = refresh_context() -%}
{%- set rules = [
    dq_reference_rule(
        'unknown_customer', 'customer_id', 'is_customer_known'),
    dq_reference_rule('unknown_dc', 'ship_from_dc_id', 'is_dc_known'),
] -%}

with orders as (
    {{ dq_surviving_rows(
        ref('base_erp__sales_orders'), ['order_id'],
        ['customer_id', 'ship_from_dc_id', 'updated_at'],
        refresh, [['order', 'order_id'], ['since', 'updated_at']]) }}
),

customers as (
    select customer_id from {{ ref('stg_erp__customers') }}
),

distribution_centers as (
    select dc_id from {{ ref('stg_wms__distribution_centers') }}
),

checked as (
    select
        orders.*,
        customers.customer_id is not null as is_customer_known,
        distribution_centers.dc_id is not null as is_dc_known
    from orders
    left join customers
        on orders.customer_id = customers.customer_id
    left join distribution_centers
        on orders.ship_from_dc_id = distribution_centers.dc_id
),

final as (
    {{ dq_check('checked', ['order_id'], rules,
        carried=['updated_at']) }}
)

select * from final
