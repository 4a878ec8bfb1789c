{#- Every raw carrier row, typed, with validation flags. -#}
{%- set rules = [
    dq_key_rule(['carrier_id']),
    dq_required_rule(['carrier_name', 'mode', 'is_3pl']),
    dq_unknown_enum_rule('mode', 'mode', 'mode_raw'),
] -%}

with source as (
    select * from {{ source('tms', 'tms_carriers') }}
),

typed as (
    select
        {{ cast_text('carrier_id') }} as carrier_id,
        {{ cast_text('carrier_name') }} as carrier_name,
        {{ normalize_enum(cast_text('mode'), 'mode') }} as mode,
        {{ cast_text('mode') }} as mode_raw,
        {{ cast_bool('is_3pl') }} as is_3pl,
        {{ dq_invalid_columns() }}
    from source
),

validated as (
    {{ dq_validate(
        'typed', ['carrier_id'], rules, tiebreak_columns=['carrier_name']) }}
)

select * from validated
