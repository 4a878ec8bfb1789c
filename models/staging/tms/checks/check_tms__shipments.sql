{#- The shipments of an unknown or quarantined order, or by a carrier or
    from a DC that is not staged: they are quarantined. -#}
{{ config(
    materialized=refresh_materialized(),
    incremental_strategy='refresh',
    on_schema_change='fail',
    unique_key=['shipment_id', 'dq_key_version'],
    refresh_delete=[['order', 'order_id'], ['since', 'ship_ts'], ['since', 'delivered_ts']],
) }}
{%- set refresh = refresh_context() -%}
{%- set rules = [
    dq_reference_rule('unknown_carrier', 'carrier_id', 'is_carrier_known'),
    dq_reference_rule('unknown_dc', 'origin_dc_id', 'is_dc_known'),
] + dq_parent_rules('order', 'order_id', 'order_state') -%}

with shipments as (
    {{ dq_surviving_rows(
        ref('base_tms__shipments'), ['shipment_id'],
        ['order_id', 'carrier_id', 'origin_dc_id', 'ship_ts', 'delivered_ts'],
        refresh, [['order', 'order_id'], ['since', 'ship_ts'], ['since', 'delivered_ts']]) }}
),

orders as (
    select
        order_id,
        parent_state
    from {{ ref('stg_erp__sales_order_states') }}
),

carriers as (
    select carrier_id from {{ ref('stg_tms__carriers') }}
),

distribution_centers as (
    select dc_id from {{ ref('stg_wms__distribution_centers') }}
),

checked as (
    select
        shipments.*,
        orders.parent_state as order_state,
        carriers.carrier_id is not null as is_carrier_known,
        distribution_centers.dc_id is not null as is_dc_known
    from shipments
    left join orders
        on shipments.order_id = orders.order_id
    left join carriers
        on shipments.carrier_id = carriers.carrier_id
    left join distribution_centers
        on shipments.origin_dc_id = distribution_centers.dc_id
),

final as (
    {{ dq_check('checked', ['shipment_id'], rules,
        carried=['order_id', 'ship_ts', 'delivered_ts']) }}
)

select * from final
