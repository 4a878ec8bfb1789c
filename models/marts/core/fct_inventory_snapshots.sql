{#- One row per (snapshot_date, dc_id, sku_id): stock position and its
    value at standard cost. A snapshot with nothing available to promise is
    a stockout. -#}
{{ config(
    materialized=refresh_materialized(),
    incremental_strategy='refresh',
    on_schema_change='fail',
    unique_key=['snapshot_date', 'dc_id', 'sku_id'],
    refresh_delete=[['product', 'sku_id'], ['since', 'snapshot_date']],
) }}
{%- set refresh = refresh_context() -%}

with snapshots as (
    select * from {{ ref('stg_wms__inventory_snapshots') }}
    {%- if refresh.active %}
    where {{ refresh_condition(refresh, 'product', 'sku_id') }}
        or {{ refresh_condition(refresh, 'since', 'snapshot_date') }}
    {%- endif %}
),

products as (
    select
        sku_id,
        unit_cost
    from {{ ref('stg_erp__products') }}
),

final as (
    select
        snapshots.dc_id,
        snapshots.sku_id,
        snapshots.on_hand_qty,
        snapshots.allocated_qty,
        snapshots.on_hand_qty - snapshots.allocated_qty as available_qty,
        snapshots.on_order_qty,
        snapshots.on_hand_qty * products.unit_cost as inventory_value,
        snapshots.on_hand_qty - snapshots.allocated_qty <= 0 as is_stockout,
        snapshots.snapshot_date
    from snapshots
    inner join products
        on snapshots.sku_id = products.sku_id
)

select * from final
