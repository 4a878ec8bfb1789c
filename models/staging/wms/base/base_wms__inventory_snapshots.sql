{#- Every raw inventory-snapshot row, typed, with dedupe and validation
    flags (check_wms__inventory_snapshots: its SKU and DC). -#}
{{ config(
    materialized=refresh_materialized(),
    incremental_strategy='refresh',
    on_schema_change='fail',
    unique_key=['snapshot_date', 'dc_id', 'sku_id'],
    refresh_delete=[['since', 'snapshot_date']],
) }}
{%- set refresh = refresh_context() -%}
{%- set rules = [
    dq_ceiling_rule('quantity', ['on_hand_qty', 'allocated_qty', 'on_order_qty']),
    dq_key_rule(['snapshot_date', 'dc_id', 'sku_id']),
    dq_required_rule(['on_hand_qty']),
    dq_range_rule('negative_quantity', 'on_hand_qty', low=0),
    dq_range_rule('negative_allocated', 'allocated_qty', low=0),
    dq_range_rule('negative_on_order', 'on_order_qty', low=0),
    dq_future_rule(['snapshot_date']),
    dq_early_date_rule(['snapshot_date']),
] -%}

with refreshed as (
    {{ typed_wms_inventory_snapshots(where=refresh_raw_filter(
        refresh, 'wms', 'wms_inventory_snapshots', ['snapshot_date', 'dc_id', 'sku_id'],
        [['since', 'snapshot_date']])) }}
),

validated as (
    {{ dq_validate(
        'refreshed', ['snapshot_date', 'dc_id', 'sku_id'], rules,
        tiebreak_columns=['on_hand_qty', 'allocated_qty', 'on_order_qty']) }}
)

select * from validated
