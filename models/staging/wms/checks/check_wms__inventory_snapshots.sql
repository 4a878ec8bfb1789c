{#- The inventory snapshots of a SKU or DC that is not staged: they are
    quarantined. -#}
{{ config(
    materialized=refresh_materialized(),
    incremental_strategy='refresh',
    on_schema_change='fail',
    unique_key=['snapshot_date', 'dc_id', 'sku_id', 'dq_key_version'],
    refresh_delete=[['product', 'sku_id'], ['since', 'snapshot_date']],
) }}
{%- set refresh = refresh_context() -%}
{%- set rules = [
    dq_reference_rule('unknown_sku', 'sku_id', 'is_sku_known'),
    dq_reference_rule('unknown_dc', 'dc_id', 'is_dc_known'),
] -%}

with snapshots as (
    {{ dq_surviving_rows(
        ref('base_wms__inventory_snapshots'),
        ['snapshot_date', 'dc_id', 'sku_id'], [],
        refresh, [['product', 'sku_id'], ['since', 'snapshot_date']]) }}
),

products as (
    select sku_id from {{ ref('stg_erp__products') }}
),

distribution_centers as (
    select dc_id from {{ ref('stg_wms__distribution_centers') }}
),

checked as (
    select
        snapshots.*,
        products.sku_id is not null as is_sku_known,
        distribution_centers.dc_id is not null as is_dc_known
    from snapshots
    left join products
        on snapshots.sku_id = products.sku_id
    left join distribution_centers
        on snapshots.dc_id = distribution_centers.dc_id
),

final as (
    {{ dq_check(
        'checked', ['snapshot_date', 'dc_id', 'sku_id'], rules) }}
)

select * from final
