{#- Every raw customer row, typed, with dedupe and validation flags. -#}
{%- set rules = [
    dq_key_rule(['customer_id']),
    dq_required_rule(['customer_name', 'channel', 'region', 'updated_at']),
    dq_range_rule(
        'invalid_payment_terms', 'payment_terms_days',
        0, var('dq_max_payment_terms_days')),
    dq_future_rule(['created_at', 'updated_at']),
    dq_early_date_rule(['created_at', 'updated_at']),
    dq_unknown_enum_rule('channel', 'channel', 'channel_raw'),
    dq_unknown_enum_rule('credit_rating', 'credit_rating', 'credit_rating_raw'),
    dq_rule(
        'unknown_parent_customer', 'warn',
        "parent_customer_id is not null and "
        ~ "(not is_parent_known or parent_customer_id = customer_id)",
        dq_value_detail('parent_customer_id') ~ " || ' (cleared)'"),
] -%}

with source as (
    select * from {{ source('erp', 'erp_customers') }}
),

typed as (
    select
        {{ cast_text('customer_id') }} as customer_id,
        {{ cast_text('customer_name') }} as customer_name,
        {{ cast_text('parent_customer_id') }} as parent_customer_id,
        {{ normalize_enum(cast_text('channel'), 'channel') }} as channel,
        {{ cast_text('channel') }} as channel_raw,
        lower({{ cast_text('region') }}) as region,
        upper({{ cast_text('country_code') }}) as country_code,
        {{ normalize_enum(cast_text('credit_rating'), 'credit_rating') }}
            as credit_rating,
        {{ cast_text('credit_rating') }} as credit_rating_raw,
        {{ cast_int('payment_terms_days') }} as payment_terms_days,
        {{ cast_timestamp('created_at') }} as created_at,
        {{ cast_timestamp('updated_at') }} as updated_at,
        {{ dq_invalid_columns() }}
    from source
),

-- Candidate parents: customers whose own required fields are present.
-- stg_erp__customers also clears a parent that did not reach staging.
customer_keys as (
    select distinct typed.customer_id
    from typed
    where
        typed.customer_id is not null
        and typed.customer_name is not null
        and typed.channel is not null
        and typed.region is not null
        and typed.updated_at is not null
),

checked as (
    select
        typed.*,
        parents.customer_id is not null as is_parent_known
    from typed
    left join customer_keys as parents
        on typed.parent_customer_id = parents.customer_id
),

validated as (
    {{ dq_validate(
        'checked', ['customer_id'], rules,
        order_by='updated_at',
        tiebreak_columns=['created_at', 'customer_name']) }}
)

select * from validated
