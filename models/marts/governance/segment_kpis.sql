{#-
    One row per customer segment and month (grain segment, month): every
    segment of int_customers__segments (customer_segments' segment, var
    profitability_default_segment for a customer it does not cover) by every
    month with orders, zero rows included. A customer counts in its current
    segment for every month. See the YAML for each column; the rates keep
    their numerators and denominators beside them, so that a quarter
    (segment_quarterly_review) or any other period rolls up by summing.

      orders, net revenue, cost to serve, margin  the orders placed in the
          month (int_orders__cost_to_serve, published as
          cost_to_serve_orders), with every cost they carry (their
          total_cost_to_serve, whatever month it posted in)
      otif, perfect order  the month's orders measured so far
          (int_orders__perfect_order)
      fill rate, dio_days, inventory_turnover  the line measures of
          int_customers__monthly_line_measures: units of the lines in var
          fill_rate_order_statuses, and the COGS-weighted days on hand of
          the SKU x DCs the segment bought from; turnover = 365 / DIO
      dso_days  amount-weighted days to pay of the invoices dated in the
          month (int_invoices__payment_days)
      co2  the CO2 of the shipments of the month's orders
          (int_shipments__emissions, published as shipment_emissions) per
          order
-#}
{%- set default_segment = var('profitability_default_segment') -%}

with segments as (
    select
        customer_id,
        segment
    from {{ ref('int_customers__segments') }}
),

orders as (
    select
        order_id,
        customer_id,
        net_revenue,
        total_cost_to_serve,
        cost_to_serve_margin,
        order_month
    from {{ ref('int_orders__cost_to_serve') }}
),

perfect_orders as (
    select
        order_id,
        is_otif,
        is_on_time,
        is_in_full,
        is_damage_free,
        is_invoice_accurate,
        is_measured,
        is_perfect_order
    from {{ ref('int_orders__perfect_order') }}
),

line_measures as (
    select
        customer_id,
        month,
        ordered_units,
        shipped_units,
        cogs,
        stocked_cogs,
        cogs_weighted_days_on_hand
    from {{ ref('int_customers__monthly_line_measures') }}
),

invoices as (
    select
        customer_id,
        invoice_amount,
        days_to_pay,
        invoice_date
    from {{ ref('int_invoices__payment_days') }}
),

shipment_emissions as (
    select
        order_id,
        co2_kg
    from {{ ref('int_shipments__emissions') }}
),

customer_segment as (
    select
        customer_id,
        coalesce(segment, '{{ default_segment }}') as segment
    from segments
),

order_emissions as (
    select
        shipment_emissions.order_id,
        sum(shipment_emissions.co2_kg) as co2_kg
    from shipment_emissions
    group by 1
),

order_measures as (
    select
        coalesce(customer_segment.segment, '{{ default_segment }}')
            as segment,
        orders.order_month as month,
        count(distinct orders.customer_id) as ordering_customers,
        count(*) as orders,
        sum(orders.net_revenue) as net_revenue,
        sum(orders.total_cost_to_serve) as total_cost_to_serve,
        sum(orders.cost_to_serve_margin) as cost_to_serve_margin,
        count(perfect_orders.is_otif) as otif_measured_orders,
        count(case when perfect_orders.is_otif then 1 end) as otif_orders,
        count(case when perfect_orders.is_measured then 1 end)
            as perfect_order_measured_orders,
        count(case when perfect_orders.is_perfect_order then 1 end)
            as perfect_orders,
        count(case
            when perfect_orders.is_measured and perfect_orders.is_on_time
                then 1
        end) as on_time_orders,
        count(case
            when perfect_orders.is_measured and perfect_orders.is_in_full
                then 1
        end) as in_full_orders,
        count(case
            when perfect_orders.is_measured and perfect_orders.is_damage_free
                then 1
        end) as damage_free_orders,
        count(case
            when
                perfect_orders.is_measured
                and perfect_orders.is_invoice_accurate
                then 1
        end) as invoice_accurate_orders,
        coalesce(sum(order_emissions.co2_kg), 0) as co2_kg
    from orders
    left join customer_segment
        on orders.customer_id = customer_segment.customer_id
    left join perfect_orders
        on orders.order_id = perfect_orders.order_id
    left join order_emissions
        on orders.order_id = order_emissions.order_id
    group by 1, 2
),

segment_lines as (
    select
        coalesce(customer_segment.segment, '{{ default_segment }}')
            as segment,
        line_measures.month,
        sum(line_measures.ordered_units) as ordered_units,
        sum(line_measures.shipped_units) as shipped_units,
        sum(line_measures.cogs) as cogs,
        sum(line_measures.stocked_cogs) as stocked_cogs,
        sum(line_measures.cogs_weighted_days_on_hand)
            as cogs_weighted_days_on_hand
    from line_measures
    left join customer_segment
        on line_measures.customer_id = customer_segment.customer_id
    group by 1, 2
),

invoice_measures as (
    select
        coalesce(customer_segment.segment, '{{ default_segment }}')
            as segment,
        {{ dbt.cast(dbt.date_trunc('month', 'invoices.invoice_date'),
            'date') }} as month,
        sum(invoices.invoice_amount) as invoiced_amount,
        sum(invoices.invoice_amount * invoices.days_to_pay)
            as amount_weighted_days_to_pay
    from invoices
    left join customer_segment
        on invoices.customer_id = customer_segment.customer_id
    group by 1, 2
),

all_segments as (
    select distinct segment from customer_segment
),

months as (
    select distinct order_month as month from orders
),

spine as (
    select
        all_segments.segment,
        months.month
    from all_segments
    cross join months
),

combined as (
    select
        spine.segment,
        spine.month,
        coalesce(order_measures.ordering_customers, 0) as ordering_customers,
        coalesce(order_measures.orders, 0) as orders,
        coalesce(order_measures.net_revenue, 0) as net_revenue,
        coalesce(order_measures.total_cost_to_serve, 0)
            as total_cost_to_serve,
        coalesce(order_measures.cost_to_serve_margin, 0)
            as cost_to_serve_margin,
        coalesce(order_measures.otif_measured_orders, 0)
            as otif_measured_orders,
        coalesce(order_measures.otif_orders, 0) as otif_orders,
        coalesce(order_measures.perfect_order_measured_orders, 0)
            as perfect_order_measured_orders,
        coalesce(order_measures.perfect_orders, 0) as perfect_orders,
        coalesce(order_measures.on_time_orders, 0) as on_time_orders,
        coalesce(order_measures.in_full_orders, 0) as in_full_orders,
        coalesce(order_measures.damage_free_orders, 0) as damage_free_orders,
        coalesce(order_measures.invoice_accurate_orders, 0)
            as invoice_accurate_orders,
        coalesce(segment_lines.ordered_units, 0) as ordered_units,
        coalesce(segment_lines.shipped_units, 0) as shipped_units,
        coalesce(segment_lines.cogs, 0) as cogs,
        coalesce(segment_lines.stocked_cogs, 0) as stocked_cogs,
        coalesce(segment_lines.cogs_weighted_days_on_hand, 0)
            as cogs_weighted_days_on_hand,
        coalesce(invoice_measures.invoiced_amount, 0) as invoiced_amount,
        coalesce(invoice_measures.amount_weighted_days_to_pay, 0)
            as amount_weighted_days_to_pay,
        coalesce(order_measures.co2_kg, 0) as co2_kg
    from spine
    left join order_measures
        on
            spine.segment = order_measures.segment
            and spine.month = order_measures.month
    left join segment_lines
        on
            spine.segment = segment_lines.segment
            and spine.month = segment_lines.month
    left join invoice_measures
        on
            spine.segment = invoice_measures.segment
            and spine.month = invoice_measures.month
),

final as (
    select
        segment,
        month,
        {%- for kpi in segment_kpi_definitions() %}
            {{ kpi.sql }} as {{ kpi.name }},
        {%- endfor %}
        ordering_customers,
        orders,
        net_revenue,
        {{ dbt.cast('total_cost_to_serve', 'decimal(18, 2)') }}
            as total_cost_to_serve,
        cost_to_serve_margin,
        otif_measured_orders,
        otif_orders,
        ordered_units,
        shipped_units,
        perfect_order_measured_orders,
        perfect_orders,
        on_time_orders,
        in_full_orders,
        damage_free_orders,
        invoice_accurate_orders,
        cogs,
        stocked_cogs,
        cogs_weighted_days_on_hand,
        invoiced_amount,
        amount_weighted_days_to_pay,
        co2_kg
    from combined
)

select * from final
