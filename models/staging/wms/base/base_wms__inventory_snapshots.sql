{#- Every raw inventory-snapshot row, typed, with dedupe and validation
    flags. -#}
{%- set rules = [
    dq_key_rule(['snapshot_date', 'dc_id', 'sku_id']),
    dq_required_rule(['on_hand_qty']),
    dq_reference_rule('unknown_sku', 'sku_id', 'is_sku_known'),
    dq_reference_rule('unknown_dc', 'dc_id', 'is_dc_known'),
    dq_range_rule('negative_quantity', 'on_hand_qty', low=0),
    dq_range_rule('negative_allocated', 'allocated_qty', low=0),
    dq_range_rule('negative_on_order', 'on_order_qty', low=0),
    dq_future_rule(['snapshot_date']),
] -%}

with source as (
    select * from {{ source('wms', 'wms_inventory_snapshots') }}
),

products as (
    select sku_id from {{ ref('stg_erp__products') }}
),

distribution_centers as (
    select dc_id from {{ ref('stg_wms__distribution_centers') }}
),

typed as (
    select
        {{ cast_text('dc_id') }} as dc_id,
        {{ cast_text('sku_id') }} as sku_id,
        {{ cast_double('on_hand_qty') }} as on_hand_qty,
        coalesce({{ cast_double('allocated_qty') }}, 0) as allocated_qty,
        coalesce({{ cast_double('on_order_qty') }}, 0) as on_order_qty,
        {{ cast_date('snapshot_date') }} as snapshot_date
    from source
),

checked as (
    select
        typed.*,
        products.sku_id is not null as is_sku_known,
        distribution_centers.dc_id is not null as is_dc_known
    from typed
    left join products
        on typed.sku_id = products.sku_id
    left join distribution_centers
        on typed.dc_id = distribution_centers.dc_id
),

validated as (
    {{ dq_validate(
        'checked', ['snapshot_date', 'dc_id', 'sku_id'], rules,
        tiebreak_columns=['on_hand_qty', 'allocated_qty', 'on_order_qty']) }}
)

select * from validated
