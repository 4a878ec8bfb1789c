{#-
    Called by register_raw_extracts once the raw views exist, before any
    model runs: the general ledger and budget must belong to the extracts
    they are read with. Stops the build with one message that names every
    mismatch:

      - a GL account that seed cost_pool_mapping does not map (its cost
        would reach no pool);
      - a budget cost pool that seed cost_pool_mapping does not name;
      - a GL or budget cost centre that is neither a dc_id of
        wms_distribution_centers nor one of var central_cost_centers;
      - GL months without any order in erp_sales_orders (their costs could
        not be allocated); when no GL month has orders, the ledger belongs
        to another data set, and the message says so with both ranges.
-#}
{% macro check_finance_extracts() %}
    {%- set mapping = scw_seed_file_relation('cost_pool_mapping') -%}
    {%- set central = var('central_cost_centers') -%}
    {%- set central_list = "'" ~ (central | map('upper') | join("', '")) ~ "'" -%}
    {%- set gl_month = dbt.cast(dbt.date_trunc('month', 'posting_month'), 'date') -%}
    {%- set order_month = dbt.cast(dbt.date_trunc('month', 'order_ts'), 'date') -%}
    {#- orders dated where validation would keep them -#}
    {%- set dated_order -%}
        order_ts is not null
        and order_ts >= {{ dbt.cast("'" ~ var('dq_min_date') ~ "'", 'date') }}
        and order_ts < {{ dbt.dateadd('day', 1, dq_reference_date()) }}
    {%- endset -%}
    {%- set problems = [] -%}

    {%- set unmapped = run_query(
        "select distinct trim(gl_account) from raw.general_ledger"
        ~ " where gl_account is not null and trim(gl_account) not in"
        ~ " (select trim(gl_account) from " ~ mapping ~ ") order by 1") -%}
    {%- if unmapped.rows | length > 0 -%}
        {%- do problems.append(
            'general_ledger: GL account(s) not mapped in seed cost_pool_mapping: '
            ~ scw_listing(unmapped.columns[0].values())
            ~ ' (add a row per account to seeds/reference/cost_pool_mapping.csv)') -%}
    {%- endif -%}

    {%- set unknown_pools = run_query(
        "select distinct lower(trim(cost_pool)) from raw.cost_to_serve_budget"
        ~ " where cost_pool is not null and lower(trim(cost_pool)) not in"
        ~ " (select lower(trim(cost_pool)) from " ~ mapping ~ ") order by 1") -%}
    {%- if unknown_pools.rows | length > 0 -%}
        {%- do problems.append(
            'cost_to_serve_budget: cost pool(s) not in seed cost_pool_mapping: '
            ~ scw_listing(unknown_pools.columns[0].values())) -%}
    {%- endif -%}

    {%- for table in ['general_ledger', 'cost_to_serve_budget'] -%}
        {%- set centres = run_query(
            "select distinct upper(trim(cost_center)) from raw." ~ table
            ~ " where cost_center is not null and upper(trim(cost_center))"
            ~ " not in (select upper(trim(dc_id)) from"
            ~ " raw.wms_distribution_centers where dc_id is not null)"
            ~ " and upper(trim(cost_center)) not in (" ~ central_list ~ ")"
            ~ " order by 1") -%}
        {%- if centres.rows | length > 0 -%}
            {%- do problems.append(
                table ~ ': cost centre(s) '
                ~ scw_listing(centres.columns[0].values())
                ~ ' are neither a dc_id of wms_distribution_centers nor one of'
                ~ ' var central_cost_centers (' ~ central | join(', ') ~ ')') -%}
        {%- endif -%}
    {%- endfor -%}

    {%- set months = run_query(
        "with gl as (select distinct " ~ gl_month ~ " as month"
        ~ " from raw.general_ledger where posting_month is not null),"
        ~ " orders as (select distinct " ~ order_month ~ " as month"
        ~ " from raw.erp_sales_orders where " ~ dated_order ~ ")"
        ~ " select"
        ~ " (select min(month) from gl), (select max(month) from gl),"
        ~ " (select min(month) from orders), (select max(month) from orders),"
        ~ " (select count(*) from gl), (select count(*) from gl"
        ~ " where month not in (select month from orders))") -%}
    {%- set gl_first, gl_last, order_first, order_last, gl_count, orphans
        = months.rows[0] -%}
    {%- if gl_count > 0 and orphans == gl_count -%}
        {%- do problems.append(
            'general_ledger covers ' ~ scw_month(gl_first) ~ ' to '
            ~ scw_month(gl_last) ~ ' but erp_sales_orders '
            ~ (scw_month(order_first) ~ ' to ' ~ scw_month(order_last)
                if order_first is not none else 'has no order')
            ~ ': no GL month has an order, so the ledger belongs to another'
            ~ ' data set (put the ledger of these extracts in '
            ~ var('raw_path') ~ '/finance/)') -%}
    {%- elif orphans > 0 -%}
        {%- set orphan_months = run_query(
            "select distinct " ~ gl_month ~ " from raw.general_ledger"
            ~ " where posting_month is not null and " ~ gl_month
            ~ " not in (select distinct " ~ order_month
            ~ " from raw.erp_sales_orders where " ~ dated_order ~ ")"
            ~ " order by 1") -%}
        {%- set listed = [] -%}
        {%- for value in orphan_months.columns[0].values() -%}
            {%- do listed.append(scw_month(value)) -%}
        {%- endfor -%}
        {%- do problems.append(
            'general_ledger: month(s) ' ~ scw_listing(listed)
            ~ ' have no order in erp_sales_orders (orders cover '
            ~ scw_month(order_first) ~ ' to ' ~ scw_month(order_last)
            ~ '), so their costs could not be allocated') -%}
    {%- endif -%}
    {{ return(problems) }}
{% endmacro %}


{#- YYYY-MM of a date value. -#}
{% macro scw_month(value) %}
    {{ return((value | string)[:7]) }}
{% endmacro %}


{#- At most ten values, comma-separated, with how many more there are. -#}
{% macro scw_listing(values) %}
    {%- set values = values | list -%}
    {%- set shown = values[:10] | join(', ') -%}
    {{ return(shown ~ (' and ' ~ (values | length - 10) ~ ' more'
        if values | length > 10 else '')) }}
{% endmacro %}


{#- A relation over a seed's CSV file, readable before the seed is loaded
    (the hook runs before any node). -#}
{% macro scw_seed_file_relation(seed_name) %}
    {%- set path = none -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.resource_type == 'seed' and node.name == seed_name -%}
            {%- set path = node.root_path ~ '/' ~ node.original_file_path -%}
            {{ return(adapter.dispatch('scw_seed_file_relation')(seed_name, path)) }}
        {%- endif -%}
    {%- endfor -%}
    {%- do exceptions.raise_compiler_error('no seed named ' ~ seed_name) -%}
{% endmacro %}

{% macro default__scw_seed_file_relation(seed_name, path) %}
    {%- do scw_no_extract_reader() -%}
{% endmacro %}

{% macro duckdb__scw_seed_file_relation(seed_name, path) %}
    {{ return("read_csv('" ~ scw_sql_text(path)
        ~ "', header = true, all_varchar = true)") }}
{% endmacro %}

{% macro spark__scw_seed_file_relation(seed_name, path) %}
    {%- do run_query(
        'create or replace temporary view scw_seed_' ~ seed_name
        ~ " using csv options (path '" ~ path ~ "', header 'true')") -%}
    {{ return('scw_seed_' ~ seed_name) }}
{% endmacro %}
