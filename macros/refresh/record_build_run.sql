{#-
    on-run-start hook, the first: one row per dbt invocation in
    ops.build_run_starts (invocation, start, command), committed before
    anything else runs. Its end row in ops.build_runs (below) is written in
    on-run-end only, so a run that stops half-way (killed, out of memory,
    an on-run-start hook failing) leaves a start without an end. `scw
    publish` publishes a warehouse only when its latest start is a `dbt
    build` whose end row counts no failed node.
-#}
{% macro record_build_start() %}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- do run_query('create schema if not exists ops') -%}
    {%- do run_query(
        'create table if not exists ops.build_run_starts ('
        ~ ' invocation_id ' ~ dbt.type_string() ~ ','
        ~ ' run_started_at ' ~ dbt.type_timestamp() ~ ','
        ~ ' command ' ~ dbt.type_string() ~ ')') -%}
    {%- do run_query(
        "insert into ops.build_run_starts values ('" ~ invocation_id ~ "', "
        ~ dbt.cast("'" ~ run_started_at.strftime('%Y-%m-%d %H:%M:%S.%f') ~ "'",
            dbt.type_timestamp()) ~ ", '" ~ flags.WHICH ~ "')") -%}
    {%- do adapter.commit() -%}
    {{ return('') }}
{% endmacro %}


{#-
    on-run-end hook: one row per dbt invocation in ops.build_runs, with how
    many models it built (and how many of them are tagged periodic) and how
    many nodes failed. `scw refresh`
    reads it to decide whether the periodic models (segmentation, inventory
    policy) are due; `scw publish` to find whether the latest run finished.
-#}
{% macro record_build_run(results) %}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set ns = namespace(models=0, periodic=0, failures=0) -%}
    {%- for result in results -%}
        {%- if result.status in ['error', 'fail', 'runtime error'] -%}
            {%- set ns.failures = ns.failures + 1 -%}
        {%- elif result.node.resource_type in ['model', 'snapshot']
            and result.status == 'success' -%}
            {%- set ns.models = ns.models + 1 -%}
            {%- if 'periodic' in result.node.tags -%}
                {%- set ns.periodic = ns.periodic + 1 -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do run_query('create schema if not exists ops') -%}
    {%- do run_query(
        'create table if not exists ops.build_runs ('
        ~ ' invocation_id ' ~ dbt.type_string() ~ ','
        ~ ' run_started_at ' ~ dbt.type_timestamp() ~ ','
        ~ ' is_full_refresh ' ~ dbt.type_boolean() ~ ','
        ~ ' models_built ' ~ dbt.type_int() ~ ','
        ~ ' periodic_models_built ' ~ dbt.type_int() ~ ','
        ~ ' failed_nodes ' ~ dbt.type_int() ~ ')') -%}
    {%- do run_query(
        "insert into ops.build_runs values ('" ~ invocation_id ~ "', "
        ~ dbt.cast("'" ~ run_started_at.strftime('%Y-%m-%d %H:%M:%S') ~ "'",
            dbt.type_timestamp()) ~ ", "
        ~ (flags.FULL_REFRESH | string | lower) ~ ", "
        ~ ns.models ~ ", " ~ ns.periodic ~ ", " ~ ns.failures ~ ")") -%}
    {%- do adapter.commit() -%}
    {{ return('') }}
{% endmacro %}
