{#-
    One row per raw row and failed rule, across every validated source table.
    Unpivots the dq_ columns of each base model and of its check model (the
    rules across tables, macros/quality/dq_check.sql): duplicates (rule
    duplicate_key, action deduplicated), blocking rules (severity error,
    action quarantined: the row does not flow on) and warnings (severity
    warn, action flagged: the row flows on, possibly with a cleaned value).
-#}
{#- The raw row: its record key and its version within the key. -#}
{%- set row_id = dbt.concat([
    'dq_record_key', "'#'", dbt.cast('dq_key_version', dbt.type_string())]) -%}
{%- set selects = [] -%}
{%- for table, base_model, check_model, staging_model in staged_tables() -%}
    {%- set relation = ref(base_model) -%}
    {%- set checks = ref(check_model) if check_model else none -%}
    {#- a warning's row is quarantined when its base model or its check
        model quarantines it -#}
    {%- set quarantined -%}
        dq_is_quarantined
        {%- if checks is not none %} or exists (
            select 1 from {{ checks }} as checks
            where checks.dq_is_quarantined
                and checks.dq_record_key = base_rows.dq_record_key
                and checks.dq_key_version = base_rows.dq_key_version)
        {%- endif -%}
    {%- endset -%}
    {%- do selects.append(
        "select '" ~ table ~ "' as source_table, " ~ row_id ~ " as source_row_id,"
        ~ " dq_record_key as record_key, 'duplicate_key' as rule,"
        ~ " 'info' as severity, 'deduplicated' as action,"
        ~ " 'older or repeated copy of the key; the latest version is kept'"
        ~ " as detail from " ~ relation ~ " where dq_is_duplicate") -%}
    {%- if execute -%}
        {%- for model in [relation, checks] if model is not none -%}
            {%- set is_base = loop.first -%}
            {%- for column in adapter.get_columns_in_relation(model) -%}
                {%- set name = column.name | lower -%}
                {%- if name.startswith('dq_error__') -%}
                    {%- do selects.append(
                        "select '" ~ table ~ "', " ~ row_id ~ ", dq_record_key, '"
                        ~ name[10:] ~ "', 'error', 'quarantined', " ~ name
                        ~ " from " ~ model ~ " where " ~ name
                        ~ " is not null"
                        ~ (" and not dq_is_duplicate" if is_base else ""))
                    -%}
                {%- elif name.startswith('dq_warn__') -%}
                    {%- do selects.append(
                        "select '" ~ table ~ "', " ~ row_id ~ ", dq_record_key, '"
                        ~ name[9:] ~ "', 'warn', case when "
                        ~ (quarantined if is_base else 'dq_is_quarantined')
                        ~ " then 'quarantined' else 'flagged' end, " ~ name
                        ~ " from " ~ model ~ " as base_rows where " ~ name
                        ~ " is not null"
                        ~ (" and not dq_is_duplicate" if is_base else ""))
                    -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endif -%}
{%- endfor -%}

with exceptions as (
    {{ selects | join('\n    union all\n    ') }}
),

final as (
    select
        {{ dbt.hash(dbt.concat([
            'exceptions.source_table', "'|'",
            dbt.cast('exceptions.source_row_id', dbt.type_string()), "'|'",
            'exceptions.rule'])) }} as exception_id,
        exceptions.source_table,
        exceptions.record_key,
        exceptions.rule,
        exceptions.severity,
        exceptions.action,
        exceptions.detail,
        exceptions.source_row_id,
        {{ dbt.cast("'" ~ run_started_at.strftime('%Y-%m-%d %H:%M:%S') ~ "'",
            dbt.type_timestamp()) }} as detected_at
    from exceptions
)

select * from final
