{#-
    Normalise an enumeration column: trim it, fold its case, and keep it when it
    is one of var('enums')[domain]; any other non-null value becomes 'unknown'
    (flagged by the unknown_<domain> rule of the staging model, never dropped).
    credit_rating is upper-cased (AAA, BB); every other domain is lower-cased.
-#}
{% macro normalize_enum(column, domain) -%}
    {%- set allowed = var('enums')[domain] -%}
    {%- set folded -%}
        {%- if domain == 'credit_rating' -%}
            upper(trim({{ column }}))
        {%- else -%}
            lower(trim({{ column }}))
        {%- endif -%}
    {%- endset -%}
    case
        when {{ column }} is null then null
        when {{ folded }} in (
            {%- for value in allowed %}'{{ value }}'{{ ", " if not loop.last }}{% endfor -%}
        ) then {{ folded }}
        else 'unknown'
    end
{%- endmacro %}


{#-
    The dq rule that flags an unknown enumeration value: the value is kept as
    'unknown' and the raw value goes to the exception detail.
-#}
{% macro dq_unknown_enum_rule(column, domain, raw_column) -%}
    {{ return(dq_rule(
        'unknown_' ~ column, 'warn',
        column ~ " = 'unknown'",
        "'" ~ column ~ "=' || " ~ raw_column
    )) }}
{%- endmacro %}
