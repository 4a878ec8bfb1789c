{#-
    Passes when none of `columns` holds a null: the not-null test of every
    required column of a model at once, in one scan instead of one query
    (and one dbt node) per column. Fails with a row per column that has
    nulls: its name and how many rows.
-#}
{% test not_null_columns(model, columns) %}

with counts as (
    select
        count(*) as row_count
        {%- for column in columns %},
        count({{ column }}) as non_null_{{ loop.index }}
        {%- endfor %}
    from {{ model }}
),

nulls as (
    {%- for column in columns %}
    select
        '{{ column }}' as column_name,
        row_count - non_null_{{ loop.index }} as null_rows
    from counts
    {{- '\n    union all' if not loop.last }}
    {%- endfor %}
)

select
    column_name,
    null_rows
from nulls
where null_rows > 0

{% endtest %}
