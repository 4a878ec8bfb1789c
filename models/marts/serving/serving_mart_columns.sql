{#-
    Every documented column of every mart, read from the project's own
    graph at build time: its sensitivity tag (column config meta
    sensitivity) and how the mart's rows can be scoped to a region or a
    customer segment. The published build carries it, so every reader
    (API, dashboard, PostgreSQL loader) applies the tags of the build it
    serves.
-#}
{%- set rows = [] -%}
{%- if execute -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model'
        and node.original_file_path.startswith('models/marts/')
        and node.config.schema != 'serving' -%}
        {%- set names = node.columns.keys() | list -%}
        {%- for column in node.columns.values() -%}
            {%- set tag = (column.meta or {}).get('sensitivity') -%}
            {%- do rows.append(
                "('" ~ node.config.schema ~ "', '" ~ node.name ~ "', '"
                ~ column.name ~ "', "
                ~ ("'" ~ tag ~ "'" if tag else "null") ~ ", "
                ~ ('customer_id' in names) ~ ", "
                ~ ('region' in names) ~ ", "
                ~ ('customer_segment' in names) ~ ")"
            ) -%}
        {%- endfor -%}
    {%- endfor -%}
{%- endif -%}

with

documented (
    mart_schema,
    mart_name,
    column_name,
    sensitivity,
    has_customer_id,
    has_region,
    has_customer_segment
) as (
    {% if rows -%}
        values
        {{ rows | sort | join(',\n        ') }}
    {%- else -%}
        select
            cast(null as varchar),
            cast(null as varchar),
            cast(null as varchar),
            cast(null as varchar),
            false,
            false,
            false
        where false
    {%- endif %}
)

select
    mart_schema,
    mart_name,
    column_name,
    sensitivity,
    has_customer_id,
    has_region,
    has_customer_segment
from documented
