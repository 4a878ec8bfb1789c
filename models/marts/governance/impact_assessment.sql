{#-
    One row per customer or product whose segment a proposed segmentation
    logic would change (grain entity_type, entity_id): its segment and
    reason now and under the proposal, and what follows for it. Built only
    by scw assess (var impact_assessment), in its copy of the warehouse,
    from the current build's results (source assess_baseline) and the
    proposal's (source assess_proposal).

      customers  account manager, and the trailing cost-to-serve margin
                 (int_customers__window_profitability)
      products   safety stock units and value over its DCs
                 (inventory_policies), now and proposed
-#}
{{ config(enabled=var('impact_assessment', false)) }}

with current_customers as (
    select
        customer_id,
        segment,
        reason_code
    from {{ source('assess_baseline', 'customer_segments') }}
),

proposed_customers as (
    select
        customer_id,
        segment,
        reason_code
    from {{ source('assess_proposal', 'customer_segments') }}
),

current_products as (
    select
        sku_id,
        segment
    from {{ source('assess_baseline', 'product_segments') }}
),

proposed_products as (
    select
        sku_id,
        segment
    from {{ source('assess_proposal', 'product_segments') }}
),

current_stock as (
    select
        sku_id,
        sum(safety_stock_units) as safety_stock_units,
        sum(safety_stock_value) as safety_stock_value
    from {{ source('assess_baseline', 'inventory_policies') }}
    group by 1
),

proposed_stock as (
    select
        sku_id,
        sum(safety_stock_units) as safety_stock_units,
        sum(safety_stock_value) as safety_stock_value
    from {{ source('assess_proposal', 'inventory_policies') }}
    group by 1
),

customers as (
    select
        customer_id,
        account_manager
    from {{ ref('dim_customers') }}
),

margins as (
    select
        customer_id,
        cost_to_serve_margin
    from {{ ref('int_customers__window_profitability') }}
),

customer_movers as (
    select
        'customer' as entity_type,
        coalesce(current_customers.customer_id, proposed_customers.customer_id)
            as entity_id,
        current_customers.segment as current_segment,
        proposed_customers.segment as proposed_segment,
        current_customers.reason_code as current_reason_code,
        proposed_customers.reason_code as proposed_reason_code,
        customers.account_manager,
        margins.cost_to_serve_margin,
        {{ dbt.cast('null', type_double()) }} as current_safety_stock_units,
        {{ dbt.cast('null', type_double()) }} as proposed_safety_stock_units,
        {{ dbt.cast('null', type_double()) }} as current_safety_stock_value,
        {{ dbt.cast('null', type_double()) }} as proposed_safety_stock_value
    from current_customers
    full outer join proposed_customers
        on current_customers.customer_id = proposed_customers.customer_id
    left join customers
        on
            coalesce(current_customers.customer_id, proposed_customers.customer_id)
            = customers.customer_id
    left join margins
        on customers.customer_id = margins.customer_id
    where
        not coalesce(current_customers.segment = proposed_customers.segment, false)
),

product_movers as (
    select
        'product' as entity_type,
        coalesce(current_products.sku_id, proposed_products.sku_id)
            as entity_id,
        current_products.segment as current_segment,
        proposed_products.segment as proposed_segment,
        'abc_xyz' as current_reason_code,
        'abc_xyz' as proposed_reason_code,
        {{ dbt.cast('null', dbt.type_string()) }} as account_manager,
        {{ dbt.cast('null', type_double()) }} as cost_to_serve_margin,
        current_stock.safety_stock_units as current_safety_stock_units,
        proposed_stock.safety_stock_units as proposed_safety_stock_units,
        current_stock.safety_stock_value as current_safety_stock_value,
        proposed_stock.safety_stock_value as proposed_safety_stock_value
    from current_products
    full outer join proposed_products
        on current_products.sku_id = proposed_products.sku_id
    left join current_stock
        on
            coalesce(current_products.sku_id, proposed_products.sku_id)
            = current_stock.sku_id
    left join proposed_stock
        on
            coalesce(current_products.sku_id, proposed_products.sku_id)
            = proposed_stock.sku_id
    where not coalesce(current_products.segment = proposed_products.segment, false)
),

final as (
    select * from customer_movers
    union all
    select * from product_movers
)

select * from final
