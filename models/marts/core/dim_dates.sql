{#- One row per calendar day from var calendar_start_date to
    var calendar_end_date. -#}
with days as (
    {{ dbt.date_spine(
        'day',
        dbt.cast("'" ~ var('calendar_start_date') ~ "'", 'date'),
        dbt.cast("'" ~ var('calendar_end_date') ~ "'", 'date')) }}
),

final as (
    select
        {{ dbt.cast('days.date_day', 'date') }} as date_day,
        {{ dbt.cast('extract(year from days.date_day)', dbt.type_bigint()) }}
            as year_number,
        {{ dbt.cast('extract(quarter from days.date_day)', dbt.type_bigint()) }}
            as quarter_number,
        {{ dbt.cast('extract(month from days.date_day)', dbt.type_bigint()) }}
            as month_number,
        {{ dbt.cast('extract(day from days.date_day)', dbt.type_bigint()) }}
            as day_of_month,
        {{ dbt.cast(iso_day_of_week('days.date_day'), dbt.type_bigint()) }}
            as iso_day_of_week,
        {{ dbt.cast('extract(week from days.date_day)', dbt.type_bigint()) }}
            as iso_week_number,
        {{ iso_day_of_week('days.date_day') }} in (6, 7) as is_weekend,
        {{ dbt.cast(dbt.date_trunc('month', 'days.date_day'), 'date') }}
            as month_start_date,
        {{ dbt.cast(dbt.date_trunc('week', 'days.date_day'), 'date') }}
            as week_start_date,
        {{ dbt.cast(dbt.date_trunc('quarter', 'days.date_day'), 'date') }}
            as quarter_start_date
    from days
)

select * from final
