{#- One row per calendar day, whole years. By default the calendar spans
    the earliest to the latest date of the staged extracts (quarantined rows
    do not count), the demand forecasts, the general ledger and the budget
    (stg_calendar__order_flow_dates, stg_calendar__plan_dates):
    from 1 January of the first year to 31 December of the last, so extracts
    of any era build. Vars calendar_start_date and calendar_end_date, when
    set, fix either end. -#}
{%- set bounds = [
    ref('stg_calendar__order_flow_dates'), ref('stg_calendar__plan_dates')] -%}
{%- set start_date = var('calendar_start_date') -%}
{%- set end_date = var('calendar_end_date') -%}
{#- the bounds exist on every run (dim_dates builds after them); not when
    a linter compiles the model against an empty database -#}
{%- set built = [] -%}
{%- for relation in bounds if execute -%}
    {%- if load_relation(relation) is not none -%}
        {%- do built.append(relation) -%}
    {%- endif -%}
{%- endfor -%}
{%- if execute and 0 < built | length < bounds | length -%}
    {%- do exceptions.raise_compiler_error(
        'dim_dates: build the date bounds of the staged extracts first;'
        ~ ' missing: ' ~ (bounds | reject('in', built) | join(', '))) -%}
{%- elif execute and built | length == 0 -%}
    {%- do log('dim_dates: no staged extracts in the database yet, so the'
        ~ ' calendar is a placeholder year (2000)', info=true) -%}
{%- endif -%}
{%- if built | length == bounds | length
    and (start_date is none or end_date is none) -%}
    {%- set result = run_query(
        'select min(first_date), max(last_date) from ('
        ~ 'select first_date, last_date from ' ~ bounds[0]
        ~ ' union all select first_date, last_date from ' ~ bounds[1]
        ~ ') as bounds') -%}
    {%- set first_seen, last_seen = result.rows[0][0], result.rows[0][1] -%}
    {%- if first_seen is none -%}
        {%- do exceptions.raise_compiler_error(
            'dim_dates: no dated row in the staged extracts, forecasts or'
            ~ ' general ledger to span a calendar over; set vars'
            ~ ' calendar_start_date and calendar_end_date') -%}
    {%- endif -%}
    {%- if start_date is none -%}
        {%- set start_date = first_seen.year ~ '-01-01' -%}
    {%- endif -%}
    {%- if end_date is none -%}
        {%- set end_date = last_seen.year ~ '-12-31' -%}
    {%- endif -%}
{%- endif -%}

with days as (
    {{ dbt.date_spine(
        'day',
        dbt.cast("'" ~ (start_date or '2000-01-01') ~ "'", 'date'),
        dbt.dateadd('day', 1,
            dbt.cast("'" ~ (end_date or '2000-12-31') ~ "'", 'date'))) }}
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
