{#-
    Use the custom schema name as it is (staging, core, quality, ...) instead
    of prefixing it with the target schema, so BI tools read stable names such
    as core.dim_customers on every target.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
