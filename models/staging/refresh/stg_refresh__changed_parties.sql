{#-
    The customers and products a refresh redoes (grain key_type, key_id),
    empty on a full build:

      customer  staged now and not before, or the other way round
      product   the same, or its unit cost, weight or volume changed (the
                valuation of its order lines and stock)

    stg_refresh__changed_erp_rows redoes their orders.
-#}
{%- set staged_customers = ref('stg_erp__customers') -%}
{%- set staged_products = ref('stg_erp__products') -%}
{%- set previous_customers = refresh_previous_relation('dim_customers') -%}
{%- set previous_products = refresh_previous_relation('dim_products') -%}
{%- set refreshing = refresh_has_previous() %}

{%- if refreshing %}

with customers as (
    select customer_id as key_id
    from (
        select customer_id from {{ staged_customers }}
        except
        select customer_id from {{ previous_customers }}
    ) as added
    union all
    select customer_id
    from (
        select customer_id from {{ previous_customers }}
        except
        select customer_id from {{ staged_customers }}
    ) as removed
),

products as (
    select sku_id as key_id
    from (
        select sku_id, unit_cost, unit_weight_kg, unit_volume_m3
        from {{ staged_products }}
        except
        select sku_id, unit_cost, unit_weight_kg, unit_volume_m3
        from {{ previous_products }}
    ) as added
    union all
    select sku_id
    from (
        select sku_id, unit_cost, unit_weight_kg, unit_volume_m3
        from {{ previous_products }}
        except
        select sku_id, unit_cost, unit_weight_kg, unit_volume_m3
        from {{ staged_products }}
    ) as removed
),

final as (
    select 'customer' as key_type, key_id from customers
    union all
    select 'product' as key_type, key_id from products
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
