{#-
    Passes when no two rows share the same values of `columns` (the
    grain test for tables with a composite key). Rows with a null part count
    too, so pair it with not_null tests on each part.
-#}
{% test unique_combination(model, columns) %}

with grouped as (
    select
        {{ columns | join(', ') }},
        count(*) as row_count
    from {{ model }}
    group by {{ columns | join(', ') }}
)

select *
from grouped
where row_count > 1

{% endtest %}
