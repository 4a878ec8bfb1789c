{#- The one date the whole build is computed as of (one row): var
    as_of_date when set, else the data's latest date, the date of the
    latest staged order. Every window reads it here: segmentation (its
    periods and time decay, macro build_as_of_date), working capital,
    inventory monitoring, procurement and the inventory policy. Rows dated
    after it are not known yet: they count nowhere. -#}
{%- for retired in [
    'segmentation_as_of_date', 'working_capital_as_of_date',
    'inventory_monitoring_as_of_date', 'procurement_as_of_date'] -%}
    {%- if var(retired, none) is not none -%}
        {%- do exceptions.raise_compiler_error(
            "var " ~ retired ~ " was replaced by var as_of_date, one date"
            ~ " for the whole build (docs/configuration.md); set that"
            ~ " instead") -%}
    {%- endif -%}
{%- endfor -%}
{%- set as_of_var = var('as_of_date') -%}

with orders as (
    select order_date from {{ ref('fct_orders') }}
),

final as (
    {%- if as_of_var is none %}
        select max(orders.order_date) as as_of_date
        from orders
    {%- else %}
        select {{ dbt.cast("'" ~ as_of_var ~ "'", 'date') }} as as_of_date
    {%- endif %}
)

select * from final
