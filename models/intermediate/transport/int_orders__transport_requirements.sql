{#- One row per order with lines: what its goods ask of transport, and the
    cell of the segment matrix whose policy applies; see the YAML. -#}
with order_lines as (
    select
        order_id,
        customer_id,
        sku_id,
        net_revenue
    from {{ ref('fct_order_lines') }}
),

products as (
    select
        sku_id,
        segment,
        -- chilled or frozen, as dim_products defines it
        requires_temperature_control as is_chilled,
        coalesce(is_perishable or requires_temperature_control, false)
            as needs_cold_chain
    from {{ ref('int_products__segments') }}
),

customer_segments as (
    select
        customer_id,
        segment
    from {{ ref('int_customers__segments') }}
),

lines as (
    select
        order_lines.order_id,
        order_lines.customer_id,
        products.segment as product_segment,
        coalesce(products.needs_cold_chain, false) as needs_cold_chain,
        coalesce(products.is_chilled, false) as is_chilled,
        -- the line that decides the cell: a cold-chain line first, then
        -- the largest net revenue
        row_number() over (
            partition by order_lines.order_id
            order by
                coalesce(products.needs_cold_chain, false) desc,
                order_lines.net_revenue desc,
                order_lines.sku_id asc
        ) as cell_rank
    from order_lines
    left join products
        on order_lines.sku_id = products.sku_id
),

orders as (
    select
        order_id,
        max(customer_id) as customer_id,
        max(case when cell_rank = 1 then product_segment end)
            as product_segment,
        {{ dbt.bool_or('needs_cold_chain') }} as requires_temperature_control,
        {{ dbt.bool_or('is_chilled') }} as has_chilled_goods
    from lines
    group by 1
),

final as (
    select
        orders.order_id,
        orders.customer_id,
        coalesce(
            customer_segments.segment,
            '{{ var("profitability_default_segment") }}'
        ) as customer_segment,
        orders.product_segment,
        orders.requires_temperature_control,
        orders.has_chilled_goods
    from orders
    left join customer_segments
        on orders.customer_id = customer_segments.customer_id
)

select * from final
