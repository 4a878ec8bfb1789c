{#- ISO day of the week of a date: 1 = Monday ... 7 = Sunday. -#}
{% macro iso_day_of_week(date_expression) -%}
    {{ return(adapter.dispatch('iso_day_of_week')(date_expression)) }}
{%- endmacro %}

{% macro default__iso_day_of_week(date_expression) -%}
    extract(isodow from {{ date_expression }})
{%- endmacro %}

{% macro spark__iso_day_of_week(date_expression) -%}
    extract(dayofweek_iso from {{ date_expression }})
{%- endmacro %}


{#- One row, first_date and last_date: the earliest and latest of the
    date (or timestamp) columns of the relations in `dated`, a list of
    (relation, [column, ...]) pairs. Null when none holds a date. -#}
{% macro date_bounds(dated) -%}
    {%- set parts = [] -%}
    {%- for relation, columns in dated -%}
        {%- for column in columns -%}
            {%- do parts.append(
                'select min(' ~ dbt.cast(column, 'date') ~ ') as first_date,'
                ~ ' max(' ~ dbt.cast(column, 'date') ~ ') as last_date'
                ~ ' from ' ~ relation) -%}
        {%- endfor -%}
    {%- endfor -%}
    select
        min(bounds.first_date) as first_date,
        max(bounds.last_date) as last_date
    from (
        {{ parts | join('\n        union all\n        ') }}
    ) as bounds
{%- endmacro %}
