{#- Every raw distribution-centre row, typed, with validation flags. -#}
{%- set rules = [
    dq_key_rule(['dc_id']),
    dq_required_rule(['dc_name', 'region', 'is_temperature_controlled']),
    dq_unknown_enum_rule('dc_type', 'dc_type', 'dc_type_raw'),
] -%}

with source as (
    select * from {{ source('wms', 'wms_distribution_centers') }}
),

typed as (
    select
        {{ cast_text('dc_id') }} as dc_id,
        {{ cast_text('dc_name') }} as dc_name,
        lower({{ cast_text('region') }}) as region,
        {{ normalize_enum(cast_text('dc_type'), 'dc_type') }} as dc_type,
        {{ cast_text('dc_type') }} as dc_type_raw,
        {{ cast_bool('is_temperature_controlled') }}
            as is_temperature_controlled,
        {{ dq_invalid_columns() }}
    from source
),

validated as (
    {{ dq_validate(
        'typed', ['dc_id'], rules, tiebreak_columns=['dc_name', 'region']) }}
)

select * from validated
