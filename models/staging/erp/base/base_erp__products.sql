{#- Every raw product row, typed, with dedupe and validation flags. -#}
{%- set rules = [
    dq_ceiling_rule('unit_price', ['unit_cost', 'list_price']),
    dq_ceiling_rule('weight_kg', ['unit_weight_kg']),
    dq_ceiling_rule('volume_m3', ['unit_volume_m3']),
    dq_key_rule(['sku_id']),
    dq_required_rule([
        'product_name', 'category', 'unit_cost', 'list_price',
        'unit_weight_kg', 'lifecycle_stage', 'handling_class',
        'is_perishable', 'updated_at']),
    dq_range_rule('negative_unit_cost', 'unit_cost', low=0),
    dq_range_rule('negative_list_price', 'list_price', low=0),
    dq_range_rule('negative_weight', 'unit_weight_kg', low=0),
    dq_range_rule('negative_volume', 'unit_volume_m3', low=0),
    dq_range_rule('invalid_shelf_life', 'shelf_life_days', low=1),
    dq_future_rule(['updated_at']),
    dq_early_date_rule(['updated_at']),
    dq_unknown_enum_rule(
        'lifecycle_stage', 'lifecycle_stage', 'lifecycle_stage_raw'),
    dq_unknown_enum_rule(
        'handling_class', 'handling_class', 'handling_class_raw'),
    dq_rule(
        'price_below_cost', 'warn', 'list_price < unit_cost',
        "'list_price=' || cast(list_price as " ~ dbt.type_string()
        ~ ") || ' < unit_cost=' || cast(unit_cost as "
        ~ dbt.type_string() ~ ")"),
] -%}

with source as (
    select * from {{ source('erp', 'erp_products') }}
),

typed as (
    select
        {{ cast_text('sku_id') }} as sku_id,
        {{ cast_text('product_name') }} as product_name,
        lower({{ cast_text('category') }}) as category,
        lower({{ cast_text('subcategory') }}) as subcategory,
        {{ cast_double('unit_cost') }} as unit_cost,
        {{ cast_double('list_price') }} as list_price,
        {{ cast_double('unit_weight_kg') }} as unit_weight_kg,
        {{ cast_double('unit_volume_m3') }} as unit_volume_m3,
        {{ normalize_enum(cast_text('lifecycle_stage'), 'lifecycle_stage') }}
            as lifecycle_stage,
        {{ cast_text('lifecycle_stage') }} as lifecycle_stage_raw,
        {{ cast_bool('is_perishable') }} as is_perishable,
        {{ cast_int('shelf_life_days') }} as shelf_life_days,
        {{ normalize_enum(cast_text('handling_class'), 'handling_class') }}
            as handling_class,
        {{ cast_text('handling_class') }} as handling_class_raw,
        {{ cast_text('supplier_id') }} as supplier_id,
        {{ cast_timestamp('updated_at') }} as updated_at,
        {{ dq_invalid_columns() }}
    from source
),

validated as (
    {{ dq_validate(
        'typed', ['sku_id'], rules,
        order_by='updated_at', tiebreak_columns=['unit_cost', 'list_price']) }}
)

select * from validated
