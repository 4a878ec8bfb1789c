{#- One row: the trailing window of the profitability marts. It holds the
    var profitability_window_months calendar months of
    customer_profitability that end at its latest month (window_end_month),
    so the window is [window_start_month, window_end_month], both the first
    day of a month; window_until_date is the first day after it. Models
    that sum "over the window" keep the events (order, ship, invoice,
    activity date or posting month) with
    window_start_month <= date < window_until_date. -#}
{%- set window_months = var('profitability_window_months') -%}
{%- if window_months is not number or window_months < 1
    or window_months != window_months | int -%}
    {%- do exceptions.raise_compiler_error(
        "var profitability_window_months must be a positive whole number"
        ~ " of months, got '" ~ window_months ~ "'") -%}
{%- endif -%}

with customer_profitability as (
    select month from {{ ref('int_customers__monthly_profitability') }}
),

latest as (
    select max(customer_profitability.month) as window_end_month
    from customer_profitability
),

final as (
    select
        {{ dbt.cast(window_months | int, dbt.type_int()) }} as window_months,
        {{ dbt.cast(dbt.dateadd(
            'month', 1 - window_months | int, 'latest.window_end_month'),
            'date') }} as window_start_month,
        {{ dbt.cast('latest.window_end_month', 'date') }}
            as window_end_month,
        {{ dbt.cast(dbt.dateadd('month', 1, 'latest.window_end_month'),
            'date') }} as window_until_date
    from latest
)

select * from final
