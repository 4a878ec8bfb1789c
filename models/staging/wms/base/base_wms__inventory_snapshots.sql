{#- Every raw inventory-snapshot row, typed, with dedupe and validation
    flags. -#}
{{ config(
    materialized=refresh_materialized(),
    incremental_strategy='refresh',
    on_schema_change='fail',
    unique_key=['snapshot_date', 'dc_id', 'sku_id'],
    refresh_delete=[['product', 'sku_id'], ['since', 'snapshot_date']],
) }}
{%- set refresh = refresh_context() -%}
{%- set rules = [
    dq_ceiling_rule('quantity', ['on_hand_qty', 'allocated_qty', 'on_order_qty']),
    dq_key_rule(['snapshot_date', 'dc_id', 'sku_id']),
    dq_required_rule(['on_hand_qty']),
    dq_reference_rule('unknown_sku', 'sku_id', 'is_sku_known'),
    dq_reference_rule('unknown_dc', 'dc_id', 'is_dc_known'),
    dq_range_rule('negative_quantity', 'on_hand_qty', low=0),
    dq_range_rule('negative_allocated', 'allocated_qty', low=0),
    dq_range_rule('negative_on_order', 'on_order_qty', low=0),
    dq_future_rule(['snapshot_date']),
    dq_early_date_rule(['snapshot_date']),
] -%}

with products as (
    select sku_id from {{ ref('stg_erp__products') }}
),

distribution_centers as (
    select dc_id from {{ ref('stg_wms__distribution_centers') }}
),

refreshed as (
    {{ typed_wms_inventory_snapshots(where=refresh_raw_filter(
        refresh, 'wms', 'wms_inventory_snapshots', ['snapshot_date', 'dc_id', 'sku_id'],
        [['product', 'sku_id'], ['since', 'snapshot_date']])) }}
),

checked as (
    select
        refreshed.*,
        products.sku_id is not null as is_sku_known,
        distribution_centers.dc_id is not null as is_dc_known
    from refreshed
    left join products
        on refreshed.sku_id = products.sku_id
    left join distribution_centers
        on refreshed.dc_id = distribution_centers.dc_id
),

validated as (
    {{ dq_validate(
        'checked', ['snapshot_date', 'dc_id', 'sku_id'], rules,
        tiebreak_columns=['on_hand_qty', 'allocated_qty', 'on_order_qty']) }}
)

select * from validated
