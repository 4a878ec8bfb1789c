{#- The driver that carries shared DC costs (allocation_driver shared_dc in
    seed cost_pool_mapping), chosen by var dc_overhead_allocation_method:
    activity_share -> labor_minutes, volume -> shipped_volume_m3,
    revenue -> net_revenue. An unknown method stops the build. -#}
{% macro shared_dc_driver() -%}
    {%- set drivers = {
        'activity_share': 'labor_minutes',
        'volume': 'shipped_volume_m3',
        'revenue': 'net_revenue'} -%}
    {%- set method = var('dc_overhead_allocation_method') -%}
    {%- if method not in drivers -%}
        {%- do exceptions.raise_compiler_error(
            "var dc_overhead_allocation_method must be one of "
            ~ drivers.keys() | list ~ ", got '" ~ method ~ "'") -%}
    {%- endif -%}
    {{ return(drivers[method]) }}
{%- endmacro %}
