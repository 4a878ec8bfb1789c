{#-
    An extract path as the raw.<table> view should store it: absolute, so
    that the view reads the same file from whatever directory the warehouse
    (or its published copy, warehouse/published/) is opened. DuckDB resolves
    a relative path when the view is queried, against the querying process's
    working directory; here it is resolved against dbt's, which SQL cannot
    ask for: the project's dbt-duckdb plugin (src/scw/dbt_duckdb_plugin.py,
    loaded by profiles.yml) sets it as the session variable
    scw_working_directory. Absolute paths, ~ and URIs are kept as given, and
    so is a relative path under a profile without the plugin (`scw publish`
    then refuses the warehouse and says why).
-#}
{% macro scw_absolute_path(path) %}
    {%- if path.startswith('/') or path.startswith('~') or '://' in path -%}
        {{ return(path) }}
    {%- endif -%}
    {%- set directory = run_query(
        "select getvariable('scw_working_directory')"
    ).columns[0].values()[0] -%}
    {%- if directory is none -%}
        {{ return(path) }}
    {%- endif -%}
    {%- set relative = path[2:] if path.startswith('./') else path -%}
    {{ return(directory.rstrip('/') ~ '/' ~ relative) }}
{% endmacro %}
