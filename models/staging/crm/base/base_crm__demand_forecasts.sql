{#- Every raw forecast row, typed, with dedupe and validation flags
    (check_crm__demand_forecasts: its SKU and DC, and the planning rule on
    forecasts of SKU x DCs without recent demand). -#}
{%- set rules = [
    dq_ceiling_rule('quantity', ['forecast_qty']),
    dq_key_rule(['forecast_month', 'sku_id', 'dc_id']),
    dq_required_rule(['forecast_qty']),
    dq_range_rule('negative_quantity', 'forecast_qty', low=0),
] -%}

with source as (
    select * from {{ source('crm', 'crm_demand_forecasts') }}
),

typed as (
    select
        {{ cast_text('sku_id') }} as sku_id,
        {{ cast_text('dc_id') }} as dc_id,
        {{ cast_double('forecast_qty') }} as forecast_qty,
        {{ cast_date('forecast_month') }} as forecast_month,
        {{ dq_invalid_columns() }}
    from source
),

validated as (
    {{ dq_validate(
        'typed', ['forecast_month', 'sku_id', 'dc_id'], rules,
        tiebreak_columns=['forecast_qty']) }}
)

select * from validated
