{#-
    Daily incremental refresh (see docs/refresh.md).

    `make build` rebuilds every model (dbt build --full-refresh). `make
    refresh` runs the incremental models in place: each reprocesses only the
    rows a change in the extracts can reach, and deletes and re-inserts them
    (incremental_strategy 'refresh' below). What changed is decided once per
    run, before any base model is rebuilt:

      stg_refresh__window        the refresh window: from the latest
                                 updated_at the warehouse already holds,
                                 minus var refresh_lookback_days
      stg_refresh__changed_keys  orders, customers and products touched by a
                                 row of the extracts in the window, or
                                 deleted from them (the union of
                                 stg_refresh__changed_parties, _erp_rows
                                 and _logistics_rows)
      int_refresh__cost_months   the months whose allocation is redone whole

    A model reaches the three through refresh_context(), which it calls at the
    top (so that dbt sees the dependency at parse time).
-#}

{#- Call at the top of every incremental model; returns whether this run
    is a refresh (the model exists and no --full-refresh) and the window
    start as a SQL date literal. cost_months: whether the model also reads
    int_refresh__cost_months; keys: whether it reads the changed keys (a
    model that redoes whole months only does not). -#}
{% macro refresh_context(cost_months=false, keys=true) -%}
    {%- set relations = {'window': ref('stg_refresh__window')} -%}
    {%- if keys -%}
        {%- do relations.update({'keys': ref('stg_refresh__changed_keys')}) -%}
    {%- endif -%}
    {%- if cost_months -%}
        {%- do relations.update({'months': ref('int_refresh__cost_months')}) -%}
    {%- endif -%}
    {#- unit tests run without a relation of their own: never a refresh -#}
    {%- set active = execute and this is not none and is_incremental() -%}
    {%- set window_start = none -%}
    {%- if active -%}
        {%- set result = run_query(
            'select window_start from ' ~ relations.window) -%}
        {%- set value = result.columns[0].values()[0]
            if result.rows | length > 0 else none -%}
        {%- if value is none -%}
            {%- do exceptions.raise_compiler_error(
                this ~ ' exists but the warehouse holds no earlier'
                ~ ' base_erp__sales_orders to refresh from: run a full build'
                ~ ' (make build, or dbt build --full-refresh).') -%}
        {%- endif -%}
        {%- set window_start =
            dbt.cast("'" ~ value ~ "'", 'date') -%}
    {%- endif -%}
    {#- the re-allocated months as literals (their first day, start, and
        the next month's, end): a short list, and a literal filter is
        cheaper than a semi-join on the big tables -#}
    {%- set months = [] -%}
    {%- if active and cost_months -%}
        {%- set result = run_query(
            'select month from ' ~ relations.months ~ ' order by 1') -%}
        {%- for value in result.columns[0].values() -%}
            {%- set first = modules.datetime.date(
                value.year, value.month, 1) -%}
            {%- set following = (first + modules.datetime.timedelta(days=32))
                .replace(day=1) -%}
            {%- do months.append({
                'start': dbt.cast("'" ~ first ~ "'", 'date'),
                'end': dbt.cast("'" ~ following ~ "'", 'date')}) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return({
        'active': active,
        'window_start': window_start,
        'months': months,
        'relations': relations}) }}
{%- endmacro %}


{#- SQL condition: `column` is one of the changed keys of key_type
    ('order', 'customer' or 'product'); literal: as a list of literals where
    there are few (refresh_key_set), for a condition that filters a query on
    its own (never in an `or`: DuckDB compares a row with every literal of
    an `or`ed list). -#}
{% macro refresh_changed(refresh, key_type, column, literal=false) -%}
    {%- set keys = refresh_key_set(refresh, key_type, literal) -%}
    {%- if keys == '()' -%}
        false
    {%- else -%}
        {{ column }} in {{ keys }}
    {%- endif -%}
{%- endmacro %}


{#- The changed keys of key_type as a parenthesised SQL set: a subquery on
    stg_refresh__changed_keys; with literal, a list of literals when there
    are at most var refresh_literal_keys_max of them ('()' when none).
    DuckDB filters a scan by a literal list below the joins of a view, where
    it joins a subquery only at the end, after computing every row. The list
    is read once per model (cached in `refresh`). -#}
{% macro refresh_key_set(refresh, key_type, literal=false) -%}
    {%- if 'keys' not in refresh.relations -%}
        {%- do exceptions.raise_compiler_error(
            'a ' ~ key_type ~ ' refresh condition needs the changed keys:'
            ~ ' call refresh_context() without keys=false') -%}
    {%- endif -%}
    {%- set subquery = '(select refresh_keys.key_id from '
        ~ refresh.relations['keys'] ~ ' as refresh_keys'
        ~ " where refresh_keys.key_type = '" ~ key_type ~ "')" -%}
    {%- if not literal or not execute or not refresh.active -%}
        {{ return(subquery) }}
    {%- endif -%}
    {%- set cache = refresh.setdefault('key_sets', {}) -%}
    {%- if key_type not in cache -%}
        {%- set limit = var('refresh_literal_keys_max') | int -%}
        {%- set result = run_query(
            'select key_id from ' ~ refresh.relations['keys']
            ~ " where key_type = '" ~ key_type ~ "'"
            ~ ' order by key_id limit ' ~ (limit + 1)) -%}
        {%- set values = result.columns[0].values() -%}
        {%- if values | length > limit -%}
            {%- do cache.update({key_type: subquery}) -%}
        {%- else -%}
            {%- set literals = [] -%}
            {%- for value in values -%}
                {%- do literals.append(
                    "'" ~ (value | replace("'", "''")) ~ "'") -%}
            {%- endfor -%}
            {%- do cache.update(
                {key_type: '(' ~ literals | join(', ') ~ ')'}) -%}
        {%- endif -%}
    {%- endif -%}
    {{ return(cache[key_type]) }}
{%- endmacro %}


{#- ' <keyword> <condition>' (keyword where or and) of one kind on
    `column` when this run is a refresh; nothing otherwise. Call it as
    {{- refresh_filter(...) }} right after the text it extends. -#}
{% macro refresh_filter(refresh, kind, column, keyword='where') -%}
    {%- if refresh.active -%}
        {{ ' ' ~ keyword ~ ' ' ~ refresh_condition(refresh, kind, column) }}
    {%- endif -%}
{%- endmacro %}


{#- SQL condition: the date or timestamp `column` lies in the window. -#}
{% macro refresh_since(refresh, column) -%}
    {{ column }} >= {{ refresh.window_start }}
{%- endmacro %}


{#- SQL condition: one of the date or timestamp `columns` is at least
    `since` (a SQL date); on the raw columns of source_name.table, typed,
    when they are given. -#}
{% macro refresh_dated_since(columns, since, source_name=none, table=none) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.append(
            (refresh_raw_column(source_name, table, column)
                if source_name else column) ~ ' >= ' ~ since) -%}
    {%- endfor -%}
    {{ return(parts | join(' or ')) }}
{%- endmacro %}


{#- SQL condition: the month of the date or timestamp `column` is
    re-allocated. Written as ranges (column >= first day and < the next
    month's), which the engine checks against a table's per-block minimum
    and maximum and so skips the other months' blocks; a month() or
    date_trunc() of the column is computed for every row (10x slower on
    DuckDB's fct_order_lines). -#}
{% macro refresh_in_months(refresh, column) -%}
    {%- if refresh.months | length == 0 -%}
        false
    {%- else -%}
        {%- set ranges = [] -%}
        {%- for month in refresh.months -%}
            {%- do ranges.append(
                '(' ~ column ~ ' >= ' ~ month.start ~ ' and ' ~ column
                ~ ' < ' ~ month.end ~ ')') -%}
        {%- endfor -%}
        {{ '(' ~ ranges | join(' or ') ~ ')' }}
    {%- endif -%}
{%- endmacro %}


{#- The previous run's relation of the model `name` (none when absent or
    on a full refresh), for the refresh models that compare the extracts
    with what the warehouse already holds. -#}
{% macro refresh_previous_relation(name) -%}
    {%- if not execute or flags.FULL_REFRESH -%}
        {{ return(none) }}
    {%- endif -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.resource_type == 'model' and node.name == name -%}
            {{ return(adapter.get_relation(
                database=node.database, schema=node.schema,
                identifier=node.alias)) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(none) }}
{%- endmacro %}


{#- Null-safe equality of two columns (keys may be null on quarantined
    rows). -#}
{% macro refresh_equal_null(left, right) -%}
    {{ return(adapter.dispatch('refresh_equal_null')(left, right)) }}
{%- endmacro %}

{% macro default__refresh_equal_null(left, right) -%}
    {{ left }} is not distinct from {{ right }}
{%- endmacro %}

{% macro spark__refresh_equal_null(left, right) -%}
    {{ left }} <=> {{ right }}
{%- endmacro %}


{#- A raw column of source_name.table as its typed_<extract> macro types
    it (by the column's declared data_type): for the conditions of
    refresh_raw_filter, which run on the raw rows before they are typed. -#}
{% macro refresh_raw_column(source_name, table, column) -%}
    {%- set kind = refresh_raw_kind(source_name, table, column) -%}
    {%- if kind == 'text' -%}
        {{ cast_text(column) }}
    {%- elif kind == 'bigint' -%}
        {{ cast_int(column) }}
    {%- elif kind == 'double' -%}
        {{ cast_double(column) }}
    {%- elif kind == 'date' -%}
        {{ cast_date(column) }}
    {%- elif kind == 'timestamp' -%}
        {{ cast_timestamp(column) }}
    {%- else -%}
        {{ cast_bool(column) }}
    {%- endif -%}
{%- endmacro %}


{#- The declared kind (scw_type_kind) of a column of source_name.table. -#}
{% macro refresh_raw_kind(source_name, table, column) -%}
    {%- set node = graph.sources.get(
        'source.' ~ project_name ~ '.' ~ source_name ~ '.' ~ table) -%}
    {%- if node is none or column not in node.columns -%}
        {%- do exceptions.raise_compiler_error(
            'refresh_raw_column: ' ~ source_name ~ '.' ~ table
            ~ ' declares no column ' ~ column) -%}
    {%- endif -%}
    {{ return(scw_type_kind(node.columns[column].data_type)) }}
{%- endmacro %}


{#- SQL condition: the raw text column, typed (cast_text: trimmed, blank
    is null; null as '' when null_key), is in `values`: a parenthesised
    one-column subquery or list of literals (refresh_key_set).
    Only a padded, blank or null value differs from its typed form, so the
    others are looked up as they are: trimming every row of a large extract
    costs more than the lookup. -#}
{% macro refresh_text_in(column, values, null_key=false) -%}
    {%- if values == '()' -%}
        {{ return('false') }}
    {%- endif -%}
    case
        when
            {{ column }} like ' %' or {{ column }} like '% '
            {%- if null_key %}
            or {{ column }} is null or {{ column }} = ''
            {%- endif %}
            then {% if null_key -%}
                coalesce({{ cast_text(column) }}, '')
            {%- else -%}
                {{ cast_text(column) }}
            {%- endif %}
        else {{ column }}
    end in {{ values }}
{%- endmacro %}


{#- SQL condition on the raw rows of source_name.table (the `where` of its
    typed_<extract> macro), or none when this run is not a refresh: the
    rows a base model reprocesses. That is every row (all versions) of a
    key with at least one row meeting one of `conditions` ([kind, column]
    pairs, see refresh_condition), so that dedupe sees the whole key.

    When every condition column is a key column, the conditions select whole
    keys by themselves. Otherwise the rows are those whose first key column
    (text) equals that of a row meeting a condition: every version of such a
    key, and at most some other whole keys that share the first column (an
    order's other lines), which a full build computes the same way. A null
    first key column is a key of its own, as in dedupe. -#}
{% macro refresh_raw_filter(refresh, source_name, table, key_columns, conditions) -%}
    {%- if not refresh.active -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set parts = [] -%}
    {%- for kind, column in conditions -%}
        {%- if kind in ['order', 'customer', 'product']
            and refresh_raw_kind(source_name, table, column) == 'text' -%}
            {%- do parts.append(refresh_text_in(
                column, refresh_key_set(refresh, kind))) -%}
        {%- else -%}
            {%- do parts.append(refresh_condition(
                refresh, kind,
                refresh_raw_column(source_name, table, column))) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set touched = '(' ~ parts | join('\n    or ') ~ ')' -%}
    {%- if conditions | map(attribute=1) | reject('in', key_columns)
        | list | length == 0 -%}
        {{ return(touched) }}
    {%- endif -%}
    {%- set key = key_columns[0] -%}
    {%- set subquery -%}
        select distinct
            coalesce({{ refresh_raw_column(source_name, table, key) }}, '')
                as refresh_key
        from {{ source(source_name, table) }}
        where {{ touched }}
    {%- endset -%}
    {{ return(refresh_text_in(key, '(' ~ subquery ~ ')', null_key=true)) }}
{%- endmacro %}


{#- SQL condition of one kind on `column`: 'order', 'customer' or
    'product' (a changed key), 'since' (in the window) or 'months' (a
    re-allocated month); literal as in refresh_changed. -#}
{% macro refresh_condition(refresh, kind, column, literal=false) -%}
    {%- if kind == 'since' -%}
        {{ refresh_since(refresh, column) }}
    {%- elif kind == 'months' -%}
        {{ refresh_in_months(refresh, column) }}
    {%- elif kind in ['order', 'customer', 'product'] -%}
        {{ refresh_changed(refresh, kind, column, literal) }}
    {%- else -%}
        {%- do exceptions.raise_compiler_error(
            'refresh condition kind must be order, customer, product, since'
            ~ ' or months, not ' ~ kind) -%}
    {%- endif -%}
{%- endmacro %}


{#-
    Incremental strategy 'refresh': delete from the target every row whose
    unique key is in the new rows, then every row meeting one of the model's
    refresh_delete conditions (a delete each), then insert the new rows.
    refresh_delete is a list of [kind, column] pairs (see
    refresh_condition) on the target's columns. Deleting by condition as
    well as by key removes rows that are gone from the extracts (a deleted
    order, a row moved to another key).
    Runs inside the model's transaction.
-#}
{% macro get_incremental_refresh_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set unique_key = arg_dict['unique_key'] -%}
    {%- set dest_columns = arg_dict['dest_columns'] -%}
    {%- set conditions = config.get('refresh_delete', []) -%}
    {%- set kinds = conditions | map(attribute=0) | list -%}
    {%- set refresh = refresh_context(
        cost_months='months' in kinds,
        keys=kinds | reject('in', ['months', 'since']) | list | length > 0) -%}
    {%- if unique_key is string -%}
        {%- set unique_key = [unique_key] -%}
    {%- endif -%}
    {%- set dest_cols_csv = get_quoted_csv(
        dest_columns | map(attribute='name')) -%}
    {#- one delete per condition: each is a plain semi-join or filter,
        which DuckDB runs on a few columns (0.6 s against 0.8 s for the
        activities' three conditions or-ed in one delete) -#}
    {%- if unique_key %}
    delete from {{ target }} as refresh_target
    where exists (
        select 1
        from {{ source }} as refresh_source
        where
            {%- for column in unique_key %}
            {{ refresh_equal_null(
                'refresh_source.' ~ column,
                'refresh_target.' ~ column) }}
            {{- ' and' if not loop.last }}
            {%- endfor %}
    );
    {%- endif %}
    {%- for kind, column in conditions %}

    delete from {{ target }} as refresh_target
    where {{ refresh_condition(refresh, kind, 'refresh_target.' ~ column) }};
    {%- endfor %}

    insert into {{ target }} ({{ dest_cols_csv }})
    select {{ dest_cols_csv }}
    from {{ source }}
{%- endmacro %}


{#-
    The materialization of the models a refresh updates in place: incremental
    (the refresh strategy above) on DuckDB; a table rebuilt whole on Spark,
    where local Spark has no Delta tables to delete from (docs/spark.md).
-#}
{% macro refresh_materialized() %}
    {{ return(adapter.dispatch('refresh_materialized')()) }}
{% endmacro %}

{% macro default__refresh_materialized() %}
    {{ return('incremental') }}
{% endmacro %}

{% macro spark__refresh_materialized() %}
    {{ return('table') }}
{% endmacro %}


{#-
    SQL condition for a tie-out test of order costs: `column` (an order id)
    is an order this run recosted (int_refresh__recosted_orders), on a run
    that is a refresh and whose tests are scoped (var refresh_test_scope
    'recosted', which `scw refresh` sets on a daily run); true otherwise.
    The other orders' costs are as the last run left them, and its tests
    checked them. A test must scope every table it reads on the same
    column, so that it sees whole orders.
-#}
{% macro refresh_test_scope(column) -%}
    {%- set recosted = ref('int_refresh__recosted_orders') -%}
    {%- set window = ref('stg_refresh__window') -%}
    {%- set scoped = [] -%}
    {%- if execute and var('refresh_test_scope') == 'recosted' -%}
        {%- set result = run_query('select window_start from ' ~ window) -%}
        {%- if result.rows | length > 0
            and result.columns[0].values()[0] is not none -%}
            {%- do scoped.append(true) -%}
        {%- endif -%}
    {%- elif execute and var('refresh_test_scope') != 'all' -%}
        {%- do exceptions.raise_compiler_error(
            "var refresh_test_scope must be 'all' or 'recosted', not '"
            ~ var('refresh_test_scope') ~ "'") -%}
    {%- endif -%}
    {%- if scoped -%}
        {{ column }} in (select recosted.order_id from {{ recosted }} as recosted)
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
