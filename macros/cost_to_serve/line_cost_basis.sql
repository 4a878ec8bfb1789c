{#-
    Var line_cost_basis maps each cost pool (var cost_pools) to the order-line
    measure that spreads the pool's order cost over the order's lines
    (cost_to_serve.cost_to_serve_order_lines). line_cost_bases() returns the
    map, with a compile error naming a pool without a basis or a basis that
    is not one of LINE_COST_MEASURES; line_cost_measure() the SQL of a
    measure on a line of fct_order_lines, never negative.
-#}
{% macro line_cost_measures() -%}
    {{ return({
        'lines': '1',
        'quantity': 'quantity',
        'quantity_shipped': 'quantity_shipped',
        'quantity_returned': 'quantity_returned',
        'shipped_weight_kg': 'shipped_weight_kg',
        'shipped_volume_m3': 'shipped_volume_m3',
        'net_revenue': 'net_revenue',
        'cogs': 'cogs',
    }) }}
{%- endmacro %}


{% macro line_cost_bases() -%}
    {%- set bases = var('line_cost_basis') -%}
    {%- set measures = line_cost_measures() -%}
    {%- for pool in var('cost_pools') -%}
        {%- if pool not in bases -%}
            {%- do exceptions.raise_compiler_error(
                'var line_cost_basis has no basis for cost pool ' ~ pool
                ~ ': give one of ' ~ (measures.keys() | list | join(', '))) -%}
        {%- elif bases[pool] not in measures -%}
            {%- do exceptions.raise_compiler_error(
                'var line_cost_basis: ' ~ bases[pool] ~ ' (cost pool ' ~ pool
                ~ ') is not a line measure; give one of '
                ~ (measures.keys() | list | join(', '))) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(bases) }}
{%- endmacro %}


{% macro line_cost_measure(relation, basis) -%}
    {%- set expression = line_cost_measures()[basis] -%}
    {%- if expression == '1' -%}
        {{ dbt.cast('1', type_double()) }}
    {%- else -%}
        greatest(coalesce({{ dbt.cast(relation ~ '.' ~ expression,
            type_double()) }}, 0), 0)
    {%- endif -%}
{%- endmacro %}


{#- A double amount as decimal(18, 2), half a cent rounded up. round() of a
    double differs between engines at a half cent (DuckDB rounds the binary
    value, 6.385 -> 6.38; Spark its decimal text, -> 6.39): floor of the
    cents plus a half (and a millionth of a cent, for the binary value just
    below a half) is the same everywhere. -#}
{% macro cents_half_up(expression) -%}
    {{ dbt.cast('floor((' ~ expression ~ ') * 100 + 0.500001) / 100',
        'decimal(18, 2)') }}
{%- endmacro %}
