{#-
    The pieces of the refresh's decision (docs/refresh.md), shared by
    stg_refresh__changed_parties, stg_refresh__changed_erp_rows,
    stg_refresh__changed_logistics_rows and stg_refresh__changed_keys.
-#}

{#- The order extracts a refresh compares with the warehouse, by name:
    their typed_<extract> macro, base model, the column that matches a row
    with its previous copy, the date columns that put a row in the window
    and what a change moves (costs: 'order' for every month of the order,
    else the date column of the month it moves; no_cost: the columns no
    cost depends on). -#}
{% macro refresh_order_extracts(names) -%}
    {%- set extracts = {
        'erp_sales_orders': {
            'source': 'erp', 'typed': typed_erp_sales_orders,
            'model': 'base_erp__sales_orders', 'match': 'order_id',
            'dated': ['updated_at'], 'costs': 'order'},
        'erp_sales_order_lines': {
            'source': 'erp', 'typed': typed_erp_sales_order_lines,
            'model': 'base_erp__sales_order_lines', 'match': 'order_id',
            'dated': ['updated_at'], 'costs': 'order'},
        'wms_activities': {
            'source': 'wms', 'typed': typed_wms_activities,
            'model': 'base_wms__activities', 'match': 'activity_id',
            'dated': ['activity_ts'], 'costs': 'activity_ts', 'no_cost': []},
        'tms_shipments': {
            'source': 'tms', 'typed': typed_tms_shipments,
            'model': 'base_tms__shipments', 'match': 'shipment_id',
            'dated': ['ship_ts', 'delivered_ts'], 'costs': 'ship_ts',
            'no_cost': ['delivered_ts']},
        'erp_invoices': {
            'source': 'erp', 'typed': typed_erp_invoices,
            'model': 'base_erp__invoices', 'match': 'invoice_id',
            'dated': ['invoice_date', 'paid_date'], 'costs': 'invoice_date',
            'no_cost': ['paid_date', 'due_date']},
        'erp_returns': {
            'source': 'erp', 'typed': typed_erp_returns,
            'model': 'base_erp__returns', 'match': 'return_id',
            'dated': ['return_date'], 'costs': 'return_date', 'no_cost': []},
    } -%}
    {%- set picked = [] -%}
    {%- for name in names -%}
        {%- set extract = extracts[name] -%}
        {%- do extract.update({
            'name': name,
            'previous': refresh_previous_relation(extract.model)}) -%}
        {#- declares the source at parse time, refresh or not -#}
        {%- do extract.typed() -%}
        {%- do picked.append(extract) -%}
    {%- endfor -%}
    {{ return(picked) }}
{%- endmacro %}


{#- Whether this run is a refresh: the warehouse holds the previous run's
    orders, customers and products to compare with. -#}
{% macro refresh_has_previous() -%}
    {{ return(execute
        and refresh_previous_relation('base_erp__sales_orders') is not none
        and refresh_previous_relation('dim_customers') is not none
        and refresh_previous_relation('dim_products') is not none) }}
{%- endmacro %}


{#- The window start as a SQL date literal (or 'null'), read at compile
    time so that the raw extracts are filtered as they are read. -#}
{% macro refresh_window_literal() -%}
    {%- set result = run_query(
        'select window_start from ' ~ ref('stg_refresh__window')) -%}
    {%- set value = result.columns[0].values()[0]
        if result.rows | length > 0 else none -%}
    {{ return('null' if value is none
        else dbt.cast("'" ~ value ~ "'", 'date')) }}
{%- endmacro %}


{#- CTEs <name>_touched, _now, _before, _changed (order ids of the rows
    that differ, either way) and, for an extract that moves single months,
    _cost_months, each followed by a comma. Both sides hold every row of a
    key (extract.match) that has a row in the window on either side: an
    invoice paid in the window is compared with its unpaid copy from
    before, whatever its invoice date. -#}
{% macro refresh_extract_changes(extract, window_start) -%}
{%- set typed_sql = extract.typed() %}
{%- set column_list = get_columns_in_query(typed_sql) %}
{%- set columns = column_list | join(', ') %}
{%- set in_window -%}
    {%- for column in extract.dated -%}
        {{ column }} >= ({{ window_start }})
        {{- ' or ' if not loop.last }}
    {%- endfor -%}
{%- endset %}
{%- set raw_in_window = refresh_dated_since(
    extract.dated, window_start, extract.source, extract.name) %}
{%- set now_sql = extract.typed(
    where=raw_in_window ~ ' or ' ~ refresh_text_in(
        extract.match,
        '(select touched.' ~ extract.match ~ ' from '
        ~ extract.name ~ '_touched as touched)')) %}
{{ extract.name }}_touched as (
    select typed.{{ extract.match }}
    from ({{ extract.typed(where=raw_in_window) }}) as typed
    union
    select previous_rows.{{ extract.match }}
    from {{ extract.previous }} as previous_rows
    where {{ in_window }}
),

{{ extract.name }}_now as (
    select {{ columns }}
    from ({{ now_sql }}) as typed
),

{{ extract.name }}_before as (
    select {{ columns }}
    from {{ extract.previous }}
    where
        {{ in_window }}
        or {{ extract.match }} in (
            select touched.{{ extract.match }}
            from {{ extract.name }}_touched as touched
        )
),

{{ extract.name }}_changed as (
    select order_id
    from (
        select * from {{ extract.name }}_now
        except
        select * from {{ extract.name }}_before
    ) as added
    union all
    select order_id
    from (
        select * from {{ extract.name }}_before
        except
        select * from {{ extract.name }}_now
    ) as removed
),
{%- if extract.costs != 'order' %}
{%- set cost_columns = [] %}
{%- for column in column_list if column not in extract.no_cost %}
    {%- do cost_columns.append(column) %}
{%- endfor %}
{%- set cost_columns = cost_columns | join(', ') %}

{#- the months whose allocation the extract's changed rows move: its rows
    differ in more than the columns no cost depends on -#}
{{ extract.name }}_cost_months as (
    select {{ dbt.date_trunc('month', extract.costs) }} as month
    from (
        select {{ cost_columns }} from {{ extract.name }}_now
        except
        select {{ cost_columns }} from {{ extract.name }}_before
    ) as added
    union all
    select {{ dbt.date_trunc('month', extract.costs) }}
    from (
        select {{ cost_columns }} from {{ extract.name }}_before
        except
        select {{ cost_columns }} from {{ extract.name }}_now
    ) as removed
),
{%- endif %}
{%- endmacro %}


{#- The empty key set (key_type, key_id) of a full build, for the models
    of the refresh's decision. -#}
{% macro refresh_no_keys() -%}
select
    {{ dbt.cast('null', dbt.type_string()) }} as key_type,
    {{ dbt.cast('null', dbt.type_string()) }} as key_id
from {{ ref('stg_refresh__window') }}
where false
{%- endmacro %}
