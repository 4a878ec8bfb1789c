{#-
    Typed, null-safe casts used by the staging layer. Raw CSV columns arrive
    as text and Parquet columns with their own types; both go through
    try_cast_to, so a value that does not parse becomes null (and is then
    caught by the missing_value rule where the column is required).
-#}

{#- cast that yields null instead of failing on a value that does not parse
    (dbt.safe_cast is a plain cast on DuckDB and Spark). -#}
{% macro try_cast_to(column, type) -%}
    {{ return(adapter.dispatch('try_cast_to')(column, type)) }}
{%- endmacro %}

{% macro default__try_cast_to(column, type) -%}
    {{ dbt.safe_cast(column, type) }}
{%- endmacro %}

{% macro duckdb__try_cast_to(column, type) -%}
    try_cast({{ column }} as {{ type }})
{%- endmacro %}

{% macro spark__try_cast_to(column, type) -%}
    try_cast({{ column }} as {{ type }})
{%- endmacro %}

{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double precision
{%- endmacro %}

{% macro duckdb__type_double() -%}
    double
{%- endmacro %}

{% macro spark__type_double() -%}
    double
{%- endmacro %}

{#- Trimmed text; an empty string becomes null. -#}
{% macro cast_text(column) -%}
    nullif(trim({{ try_cast_to(column, dbt.type_string()) }}), '')
{%- endmacro %}

{% macro cast_int(column) -%}
    {{ try_cast_to(column, dbt.type_bigint()) }}
{%- endmacro %}

{% macro cast_double(column) -%}
    {{ try_cast_to(column, type_double()) }}
{%- endmacro %}

{% macro cast_bool(column) -%}
    {{ try_cast_to(column, dbt.type_boolean()) }}
{%- endmacro %}

{% macro cast_date(column) -%}
    {{ try_cast_to(column, 'date') }}
{%- endmacro %}

{% macro cast_timestamp(column) -%}
    {{ try_cast_to(column, dbt.type_timestamp()) }}
{%- endmacro %}
