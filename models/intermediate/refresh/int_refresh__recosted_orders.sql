{#-
    The orders whose cost to serve a refresh recomputes (grain order_id):
    the changed orders (order keys of stg_refresh__changed_keys) and every
    order with costs in a re-allocated month (int_refresh__cost_months), as
    int_cost_allocations__orders holds them after this run's allocation.
    int_orders__cost_to_serve and cost_to_serve_order_lines replace these orders,
    and a daily refresh's tie-out tests check them (refresh_test_scope).
    An order that had costs in such a month before and has none now is a
    changed order. Empty on a full build.
-#}

with cost_months as (
    select month from {{ ref('int_refresh__cost_months') }}
),

changed_orders as (
    select key_id as order_id
    from {{ ref('stg_refresh__changed_keys') }}
    where key_type = 'order'
),

reallocated_orders as (
    select allocations.order_id
    from {{ ref('int_cost_allocations__orders') }} as allocations
    where
        allocations.posting_month
        in (select cost_months.month from cost_months)
),

final as (
    select order_id from changed_orders
    union
    select order_id from reallocated_orders
)

select order_id from final
