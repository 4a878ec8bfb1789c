{#- The purchase receipts of a SKU or DC that is not staged: they are
    quarantined. -#}
{{ config(
    materialized=refresh_materialized(),
    incremental_strategy='refresh',
    on_schema_change='fail',
    unique_key=['receipt_id', 'dq_key_version'],
    refresh_delete=[['product', 'sku_id'], ['since', 'po_date'], ['since', 'receipt_date']],
) }}
{%- set refresh = refresh_context() -%}
{%- set rules = [
    dq_reference_rule('unknown_sku', 'sku_id', 'is_sku_known'),
    dq_reference_rule('unknown_dc', 'dc_id', 'is_dc_known'),
] -%}

with receipts as (
    {{ dq_surviving_rows(
        ref('base_erp__purchase_receipts'), ['receipt_id'],
        ['sku_id', 'dc_id', 'po_date', 'receipt_date'],
        refresh, [['product', 'sku_id'], ['since', 'po_date'], ['since', 'receipt_date']]) }}
),

products as (
    select sku_id from {{ ref('stg_erp__products') }}
),

distribution_centers as (
    select dc_id from {{ ref('stg_wms__distribution_centers') }}
),

checked as (
    select
        receipts.*,
        products.sku_id is not null as is_sku_known,
        distribution_centers.dc_id is not null as is_dc_known
    from receipts
    left join products
        on receipts.sku_id = products.sku_id
    left join distribution_centers
        on receipts.dc_id = distribution_centers.dc_id
),

final as (
    {{ dq_check('checked', ['receipt_id'], rules,
        carried=['sku_id', 'po_date', 'receipt_date']) }}
)

select * from final
