{#-
    Nothing disappears silently: for every raw extract, the rows in the raw
    file equal staged rows + quarantined rows + removed duplicates, where the
    raw count is taken from the source itself (not from the base model) and
    the other three come from the staging models and
    data_quality_exceptions. Returns the tables that do not balance.
-#}
{%- set raw_counts = [] -%}
{%- for table, base_model, check_model, staging_model in staged_tables() -%}
    {%- set system = base_model.split('__')[0][5:] -%}
    {%- do raw_counts.append(
        "select '" ~ table ~ "' as source_table, count(*) as raw_rows from "
        ~ source(system, table)) -%}
{%- endfor -%}

with raw_counts as (
    {{ raw_counts | join('\n    union all\n    ') }}
),

row_counts as (
    select * from {{ ref('data_quality_row_counts') }}
)

select
    raw_counts.source_table,
    raw_counts.raw_rows,
    row_counts.staged_rows,
    row_counts.quarantined_rows,
    row_counts.deduplicated_rows
from raw_counts
left join row_counts
    on raw_counts.source_table = row_counts.source_table
where
    row_counts.source_table is null
    or raw_counts.raw_rows
    <> row_counts.staged_rows
    + row_counts.quarantined_rows
    + row_counts.deduplicated_rows
