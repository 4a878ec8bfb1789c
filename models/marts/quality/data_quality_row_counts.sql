{#-
    One row per validated source table: where every raw row went. The
    identity raw_rows = staged_rows + quarantined_rows + deduplicated_rows is
    asserted by tests/assert_every_raw_row_is_accounted_for.sql against the
    raw extracts themselves.
-#}
{%- set selects = [] -%}
{%- for table, base_model, check_model, staging_model in staged_tables() -%}
    {%- do selects.append(
        "select '" ~ table ~ "' as source_table,"
        ~ " (select count(*) from " ~ ref(base_model) ~ ") as raw_rows,"
        ~ " (select count(*) from " ~ ref(staging_model) ~ ") as staged_rows") -%}
{%- endfor -%}

with table_counts as (
    {{ selects | join('\n    union all\n    ') }}
),

exceptions as (
    select * from {{ ref('data_quality_exceptions') }}
),

exception_counts as (
    select
        exceptions.source_table,
        count(distinct case
            when exceptions.action = 'quarantined'
                then exceptions.source_row_id
        end) as quarantined_rows,
        count(distinct case
            when exceptions.action = 'deduplicated'
                then exceptions.source_row_id
        end) as deduplicated_rows,
        count(distinct case
            when exceptions.action = 'flagged'
                then exceptions.source_row_id
        end) as flagged_rows
    from exceptions
    group by 1
),

final as (
    select
        table_counts.source_table,
        table_counts.raw_rows,
        table_counts.staged_rows,
        coalesce(exception_counts.quarantined_rows, 0) as quarantined_rows,
        coalesce(exception_counts.deduplicated_rows, 0) as deduplicated_rows,
        coalesce(exception_counts.flagged_rows, 0) as flagged_rows,
        table_counts.raw_rows = table_counts.staged_rows
        + coalesce(exception_counts.quarantined_rows, 0)
        + coalesce(exception_counts.deduplicated_rows, 0) as is_balanced
    from table_counts
    left join exception_counts
        on table_counts.source_table = exception_counts.source_table
)

select * from final
