{#-
    The orders and months a refresh redoes for the WMS activities and TMS
    shipments (grain key_type, key_id), empty on a full build. A row dated
    in the window counts as changed when it differs from the warehouse's
    previous copy of it, either way (new, corrected and deleted rows):

      order  the order of a changed activity or shipment
      month  the month a changed activity or shipment moves (its activity
             or ship month; a delivery alone moves none)
-#}
{%- set extracts = refresh_order_extracts(
    ['wms_activities', 'tms_shipments']) -%}
{%- set refreshing = refresh_has_previous() %}

{%- if refreshing %}
{%- set window_start = refresh_window_literal() %}

with
{%- for extract in extracts %}

{{ refresh_extract_changes(extract, window_start) }}
{%- endfor %}

orders as (
    {%- for extract in extracts %}
    select order_id as key_id from {{ extract.name }}_changed
    {{- '\n    union' if not loop.last }}
    {%- endfor %}
),

cost_months as (
    {%- for extract in extracts %}
    select month from {{ extract.name }}_cost_months
    {{- '\n    union' if not loop.last }}
    {%- endfor %}
),

final as (
    select 'order' as key_type, key_id from orders
    union all
    select
        'month' as key_type,
        {{ dbt.cast(dbt.cast('month', 'date'), dbt.type_string()) }}
            as key_id
    from cost_months
)

select distinct
    final.key_type,
    final.key_id
from final
where final.key_id is not null

{%- else %}

-- noqa: disable=LT02
{{ refresh_no_keys() }}
-- noqa: enable=LT02

{%- endif %}
