{#-
    Typed, null-safe casts used by the staging layer. Raw CSV columns arrive
    as text and Parquet columns with their own types; both go through
    dbt.safe_cast, so a value that does not parse becomes null (and is then
    caught by the missing_value rule where the column is required).
-#}

{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double precision
{%- endmacro %}

{% macro duckdb__type_double() -%}
    double
{%- endmacro %}

{#- Trimmed text; an empty string becomes null. -#}
{% macro cast_text(column) -%}
    nullif(trim({{ dbt.safe_cast(column, dbt.type_string()) }}), '')
{%- endmacro %}

{% macro cast_int(column) -%}
    {{ dbt.safe_cast(column, dbt.type_bigint()) }}
{%- endmacro %}

{% macro cast_double(column) -%}
    {{ dbt.safe_cast(column, type_double()) }}
{%- endmacro %}

{% macro cast_bool(column) -%}
    {{ dbt.safe_cast(column, dbt.type_boolean()) }}
{%- endmacro %}

{% macro cast_date(column) -%}
    {{ dbt.safe_cast(column, 'date') }}
{%- endmacro %}

{% macro cast_timestamp(column) -%}
    {{ dbt.safe_cast(column, dbt.type_timestamp()) }}
{%- endmacro %}
