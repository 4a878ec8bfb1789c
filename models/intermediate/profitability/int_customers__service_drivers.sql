{#- One row per customer of int_customers__window_profitability (grain
    customer_id): how the customer was served over the trailing window.

    Served orders are the orders placed in the window whose status is in
    var renegotiation_order_statuses (default: shipped). Over them:
      net_revenue_per_order    served net revenue / served orders
      units_per_order          shipped units / served orders
      rush_share               orders with priority expedited / orders
      returns_rate             returned units / shipped units (returns of
                               the served orders, whenever returned)
      lines_per_order          order lines / served orders
      cost_to_serve_per_order  the window's cost to serve / served orders
    payment_days is the invoice-amount-weighted number of days from invoice
    to payment of the invoices dated in the window that are paid (fct_invoices.days_to_pay:
    unpaid invoices have no days to pay yet and are left out).

    For the service scenarios: shipments shipped in the window (count and
    weight, standard vs expedited) and labour minutes of the customer's
    order activities in the window, with the share done once per order
    (var scenario_order_level_activity_types, default packing and loading).
    Ratios are null when their denominator is zero. -#}
{%- set statuses = var('renegotiation_order_statuses') -%}
{%- set order_level_types = var('scenario_order_level_activity_types') -%}
{%- set status_list = "'" ~ statuses | join("', '") ~ "'" -%}
{%- set order_level_list = "'" ~ order_level_types | join("', '") ~ "'" -%}

with profitability_window as (
    select * from {{ ref('int_profitability__window') }}
),

window_customers as (
    select
        customer_id,
        cost_to_serve
    from {{ ref('int_customers__window_profitability') }}
),

orders as (
    select
        customer_id,
        order_status,
        line_count,
        quantity_shipped,
        quantity_returned,
        net_revenue,
        is_expedited,
        order_date
    from {{ ref('fct_orders') }}
),

invoices as (
    select
        customer_id,
        invoice_amount,
        invoice_date,
        days_to_pay
    from {{ ref('fct_invoices') }}
    where is_paid
),

shipments as (
    select
        customer_id,
        weight_kg,
        freight_cost,
        is_expedited,
        ship_date
    from {{ ref('fct_shipments') }}
),

activities as (
    select
        customer_id,
        activity_type,
        labor_minutes,
        activity_date
    from {{ ref('fct_warehouse_activities') }}
    where is_order_related
),

served_orders as (
    select
        orders.customer_id,
        count(*) as served_order_count,
        count(case when orders.is_expedited then 1 end)
            as expedited_order_count,
        sum(orders.line_count) as served_line_count,
        sum(orders.quantity_shipped) as shipped_units,
        sum(orders.quantity_returned) as returned_units,
        sum(orders.net_revenue) as served_net_revenue
    from orders
    inner join profitability_window
        on
            orders.order_date >= profitability_window.window_start_month
            and orders.order_date < profitability_window.window_until_date
    where orders.order_status in ({{ status_list }})
    group by 1
),

payments as (
    select
        invoices.customer_id,
        count(*) as paid_invoice_count,
        sum(invoices.invoice_amount) as paid_invoice_amount,
        sum(invoices.invoice_amount * invoices.days_to_pay)
            as amount_weighted_days
    from invoices
    inner join profitability_window
        on
            invoices.invoice_date >= profitability_window.window_start_month
            and invoices.invoice_date < profitability_window.window_until_date
    group by 1
),

shipping as (
    select
        shipments.customer_id,
        count(case when not shipments.is_expedited then 1 end)
            as standard_shipment_count,
        count(case when shipments.is_expedited then 1 end)
            as expedited_shipment_count,
        sum(case
            when not shipments.is_expedited then shipments.weight_kg
            else 0
        end) as standard_weight_kg,
        sum(case
            when shipments.is_expedited then shipments.weight_kg
            else 0
        end) as expedited_weight_kg,
        sum(shipments.freight_cost) as freight_cost
    from shipments
    inner join profitability_window
        on
            shipments.ship_date >= profitability_window.window_start_month
            and shipments.ship_date < profitability_window.window_until_date
    group by 1
),

labour as (
    select
        activities.customer_id,
        sum(activities.labor_minutes) as labor_minutes,
        sum(case
            when activities.activity_type in ({{ order_level_list }})
                then activities.labor_minutes
            else 0
        end) as order_level_labor_minutes
    from activities
    inner join profitability_window
        on
            activities.activity_date >= profitability_window.window_start_month
            and activities.activity_date
            < profitability_window.window_until_date
    group by 1
),

final as (
    select
        window_customers.customer_id,
        coalesce(served_orders.served_order_count, 0) as served_order_count,
        coalesce(served_orders.expedited_order_count, 0)
            as expedited_order_count,
        {{ dbt.cast('coalesce(served_orders.served_line_count, 0)',
            dbt.type_bigint()) }} as served_line_count,
        coalesce(served_orders.shipped_units, 0) as shipped_units,
        coalesce(served_orders.returned_units, 0) as returned_units,
        coalesce(served_orders.served_net_revenue, 0) as served_net_revenue,
        served_orders.served_net_revenue
        / nullif(served_orders.served_order_count, 0)
            as net_revenue_per_order,
        served_orders.shipped_units
        / nullif(served_orders.served_order_count, 0) as units_per_order,
        {{ dbt.cast('served_orders.expedited_order_count', type_double()) }}
        / nullif(served_orders.served_order_count, 0) as rush_share,
        served_orders.returned_units
        / nullif(served_orders.shipped_units, 0) as returns_rate,
        {{ dbt.cast('served_orders.served_line_count', type_double()) }}
        / nullif(served_orders.served_order_count, 0) as lines_per_order,
        payments.amount_weighted_days
        / nullif(payments.paid_invoice_amount, 0) as payment_days,
        {{ dbt.cast('window_customers.cost_to_serve', type_double()) }}
        / nullif(served_orders.served_order_count, 0)
            as cost_to_serve_per_order,
        coalesce(payments.paid_invoice_count, 0) as paid_invoice_count,
        coalesce(shipping.standard_shipment_count, 0)
            as standard_shipment_count,
        coalesce(shipping.expedited_shipment_count, 0)
            as expedited_shipment_count,
        coalesce(shipping.standard_weight_kg, 0) as standard_weight_kg,
        coalesce(shipping.expedited_weight_kg, 0) as expedited_weight_kg,
        coalesce(shipping.freight_cost, 0) as freight_cost,
        coalesce(labour.labor_minutes, 0) as labor_minutes,
        coalesce(labour.order_level_labor_minutes, 0)
            as order_level_labor_minutes,
        labour.order_level_labor_minutes
        / nullif(labour.labor_minutes, 0) as order_level_labor_share
    from window_customers
    left join served_orders
        on window_customers.customer_id = served_orders.customer_id
    left join payments
        on window_customers.customer_id = payments.customer_id
    left join shipping
        on window_customers.customer_id = shipping.customer_id
    left join labour
        on window_customers.customer_id = labour.customer_id
)

select * from final
