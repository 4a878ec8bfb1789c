{#- One row per staged order line, joined to its order header and product,
    with revenue, cost of goods, weight and volume of what was shipped and the
    units later returned. Revenue is recognised on shipped units:
    net_revenue = quantity_shipped * unit_price * (1 - discount_pct / 100). -#}
with order_lines as (
    select * from {{ ref('stg_erp__sales_order_lines') }}
),

orders as (
    select
        order_id,
        customer_id,
        ship_from_dc_id,
        order_status,
        order_ts
    from {{ ref('stg_erp__sales_orders') }}
),

products as (
    select
        sku_id,
        unit_cost,
        unit_weight_kg,
        unit_volume_m3
    from {{ ref('stg_erp__products') }}
),

returns as (
    select
        order_id,
        line_number,
        sum(quantity_returned) as quantity_returned,
        count(*) as return_count
    from {{ ref('stg_erp__returns') }}
    group by 1, 2
),

final as (
    select
        order_lines.order_id,
        order_lines.line_number,
        orders.customer_id,
        order_lines.sku_id,
        orders.ship_from_dc_id,
        orders.order_status,
        order_lines.quantity_ordered,
        order_lines.quantity_shipped,
        coalesce(returns.quantity_returned, 0) as quantity_returned,
        coalesce(returns.return_count, 0) as return_count,
        order_lines.unit_price,
        order_lines.discount_pct,
        order_lines.quantity_shipped * order_lines.unit_price
            as gross_revenue,
        order_lines.quantity_shipped * order_lines.unit_price
        * order_lines.discount_pct / 100.0 as discount_amount,
        order_lines.quantity_shipped * order_lines.unit_price
        * (1 - order_lines.discount_pct / 100.0) as net_revenue,
        order_lines.quantity_shipped * products.unit_cost as cogs,
        order_lines.quantity_shipped * products.unit_weight_kg
            as shipped_weight_kg,
        order_lines.quantity_shipped * products.unit_volume_m3
            as shipped_volume_m3,
        order_lines.quantity_shipped >= order_lines.quantity_ordered
            as is_fully_shipped,
        {{ dbt.cast('orders.order_ts', 'date') }} as order_date,
        orders.order_ts
    from order_lines
    inner join orders
        on order_lines.order_id = orders.order_id
    inner join products
        on order_lines.sku_id = products.sku_id
    left join returns
        on
            order_lines.order_id = returns.order_id
            and order_lines.line_number = returns.line_number
)

select * from final
