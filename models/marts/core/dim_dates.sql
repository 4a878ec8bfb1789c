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
        extract(year from days.date_day) as year_number,
        extract(quarter from days.date_day) as quarter_number,
        extract(month from days.date_day) as month_number,
        extract(day from days.date_day) as day_of_month,
        extract(isodow from days.date_day) as iso_day_of_week,
        extract(week from days.date_day) as iso_week_number,
        extract(isodow from days.date_day) in (6, 7) as is_weekend,
        {{ dbt.cast(dbt.date_trunc('month', 'days.date_day'), 'date') }}
            as month_start_date,
        {{ dbt.cast(dbt.date_trunc('week', 'days.date_day'), 'date') }}
            as week_start_date,
        {{ dbt.cast(dbt.date_trunc('quarter', 'days.date_day'), 'date') }}
            as quarter_start_date
    from days
)

select * from final
