{#- A line's share of `measure` within its order (partition by order_id);
    equal shares when the order's total is zero. -#}
{% macro share_of_order(measure, partition='order_lines.order_id') -%}
    coalesce(
        {{ measure }} / nullif(sum({{ measure }}) over (
            partition by {{ partition }}), 0),
        1.0 / count(*) over (partition by {{ partition }})
    )
{%- endmacro %}


{#- Number of days in the month that starts on month_start. -#}
{% macro days_in_month(month_start) -%}
    {{ dbt.datediff(
        month_start, dbt.dateadd('month', 1, month_start), 'day') }}
{%- endmacro %}
