{#- segment_kpis summed over its segments, month by month, against the
    marts and facts it summarises, each read on its own: orders, net
    revenue, cost to serve and margin against cost_to_serve_orders by order
    month; OTIF counts against fct_orders; ordered and shipped units
    against int_inventory__monthly_performance (up to its as-of month);
    invoices against int_invoices__payment_days by invoice month; CO2
    against shipment_emissions by the order month of its shipments. Returns each month and measure that differs by more
    than a cent (a unit, ten grams). -#}
with kpis as (
    select
        month,
        sum(orders) as orders,
        sum(net_revenue) as net_revenue,
        sum(total_cost_to_serve) as total_cost_to_serve,
        sum(cost_to_serve_margin) as cost_to_serve_margin,
        sum(otif_measured_orders) as otif_measured_orders,
        sum(otif_orders) as otif_orders,
        sum(ordered_units) as ordered_units,
        sum(shipped_units) as shipped_units,
        sum(invoiced_amount) as invoiced_amount,
        sum(co2_kg) as co2_kg
    from {{ ref('segment_kpis') }}
    group by 1
),

orders as (
    select
        order_month as month,
        count(*) as orders,
        sum(net_revenue) as net_revenue,
        sum(total_cost_to_serve) as total_cost_to_serve,
        sum(cost_to_serve_margin) as cost_to_serve_margin
    from {{ ref('cost_to_serve_orders') }}
    group by 1
),

otif as (
    select
        {{ dbt.cast(dbt.date_trunc('month', 'fct_orders.order_date'),
            'date') }} as month,
        count(fct_orders.is_otif) as otif_measured_orders,
        count(case when fct_orders.is_otif then 1 end) as otif_orders
    from {{ ref('fct_orders') }} as fct_orders
    inner join {{ ref('cost_to_serve_orders') }} as costed
        on fct_orders.order_id = costed.order_id
    group by 1
),

units as (
    select
        month,
        sum(ordered_units) as ordered_units,
        sum(shipped_units) as shipped_units
    from {{ ref('int_inventory__monthly_performance') }}
    group by 1
),

invoices as (
    select
        {{ dbt.cast(dbt.date_trunc('month', 'invoice_date'), 'date') }}
            as month,
        sum(invoice_amount) as invoiced_amount
    from {{ ref('int_invoices__payment_days') }}
    group by 1
),

emissions as (
    select
        costed.order_month as month,
        sum(shipments.co2_kg) as co2_kg
    from {{ ref('shipment_emissions') }} as shipments
    inner join {{ ref('cost_to_serve_orders') }} as costed
        on shipments.order_id = costed.order_id
    group by 1
),

compared as (
    select
        kpis.*,
        coalesce(orders.orders, 0) as expected_orders,
        coalesce(orders.net_revenue, 0) as expected_net_revenue,
        coalesce(orders.total_cost_to_serve, 0)
            as expected_total_cost_to_serve,
        coalesce(orders.cost_to_serve_margin, 0)
            as expected_cost_to_serve_margin,
        coalesce(otif.otif_measured_orders, 0)
            as expected_otif_measured_orders,
        coalesce(otif.otif_orders, 0) as expected_otif_orders,
        -- the inventory monitoring stops at its as-of month
        coalesce(units.ordered_units, kpis.ordered_units)
            as expected_ordered_units,
        coalesce(units.shipped_units, kpis.shipped_units)
            as expected_shipped_units,
        coalesce(invoices.invoiced_amount, 0) as expected_invoiced_amount,
        coalesce(emissions.co2_kg, 0) as expected_co2_kg
    from kpis
    left join orders
        on kpis.month = orders.month
    left join otif
        on kpis.month = otif.month
    left join units
        on kpis.month = units.month
    left join invoices
        on kpis.month = invoices.month
    left join emissions
        on kpis.month = emissions.month
)

select *
from compared
where
    orders != expected_orders
    or abs(net_revenue - expected_net_revenue) > 0.01
    or abs(total_cost_to_serve - expected_total_cost_to_serve) > 0.01
    or abs(cost_to_serve_margin - expected_cost_to_serve_margin) > 0.01
    or otif_measured_orders != expected_otif_measured_orders
    or otif_orders != expected_otif_orders
    or abs(ordered_units - expected_ordered_units) > 0.01
    or abs(shipped_units - expected_shipped_units) > 0.01
    or abs(invoiced_amount - expected_invoiced_amount) > 0.01
    or abs(co2_kg - expected_co2_kg) > 0.01
