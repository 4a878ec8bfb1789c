{#-
    Passes when `expression` holds for every row (optionally only for rows
    matching `where`). Use it to state a business truth about a column, e.g.
    "quantity_shipped <= quantity".
-#}
{% test expression_is_true(model, expression, column_name=none) %}

select *
from {{ model }}
where not coalesce(({{ expression }}), false)

{% endtest %}
