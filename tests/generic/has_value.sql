{#-
    Passes when the column holds the value in at least one row: a row a
    model falls back on (the 'unknown' stage of a reference seed) must not
    be deleted. Fails with one row naming the missing value.
-#}
{% test has_value(model, column_name, value) %}

with matching as (
    select count(*) as matching_rows
    from {{ model }}
    where {{ column_name }} = '{{ value }}'
)

select '{{ value }}' as missing_value
from matching
where matching_rows = 0

{% endtest %}
