{#-
    Customer features for segmentation, one row per customer and period
    (grain customer_id, period_index), each as of the period's end date.
    Every flow feature is time-decayed with the one macro
    time_decay_weight (half-life var decay_half_life_days): an order one
    half-life before the period end counts half. Ratios are decay-weighted
    averages. Customers without any order up to the period end get no row.

      decayed_net_revenue, decayed_gross_margin, decayed_cost_to_serve_margin
      decayed_order_count    decayed number of orders
      avg_order_value        decayed revenue per decayed order
      avg_order_units        decayed units ordered per decayed order
      lines_per_order        decay-weighted mean lines per order
      rush_order_share       decay-weighted share of expedited orders
      returns_rate           decayed returned units / decayed shipped units
      discount_rate          decayed discount / decayed gross revenue
      payment_days           amount- and decay-weighted days from invoice
                             to payment (unpaid: to the period end)
      peak_quarter_share     largest share of the orders of the trailing
                             var seasonality_window_months months that fell
                             into one calendar quarter
                             (0.25 = flat, 1 = all in one quarter)

    The three shares are shrunk toward the period's population value by the
    evidence behind them, so that a customer with three orders is not a
    "rush-heavy" or "seasonal" outlier by chance: with m = var
    segmentation_share_prior_orders, a share counts the customer's own
    evidence plus m orders' worth at the population's share:

      rush_order_share   = (rush orders + m p_rush) / (orders + m)
      returns_rate       = (returned + m u p_returns) / (shipped + m u),
                           u = the population's shipped units per order
      peak_quarter_share = (peak quarter orders + m p_peak)
                           / (window orders + m)

    (decayed orders and units for the first two; counted orders of the
    window for the third). p is the population's pooled share (its sums
    divided), so a customer with much evidence keeps its own share, and
    m = 0 turns shrinkage off. A customer without an order in the window
    gets p_peak. -#}
{%- set prior = var('segmentation_share_prior_orders') -%}
{%- if prior < 0 -%}
    {%- do exceptions.raise_compiler_error(
        'var segmentation_share_prior_orders must be 0 or more, got '
        ~ prior) -%}
{%- endif -%}
with periods as (
    select * from {{ ref('int_segmentation__periods') }}
),

orders as (
    select * from {{ ref('int_orders__cost_to_serve') }}
),

order_facts as (
    select
        order_id,
        quantity_ordered,
        quantity_shipped,
        quantity_returned,
        gross_revenue,
        priority
    from {{ ref('fct_orders') }}
),

invoices as (
    select * from {{ ref('fct_invoices') }}
),

weighted_orders as (
    select
        orders.customer_id,
        periods.period_index,
        periods.period_end_date,
        orders.order_date,
        orders.net_revenue,
        orders.gross_margin,
        orders.cost_to_serve_margin,
        orders.line_count,
        order_facts.quantity_ordered,
        order_facts.quantity_shipped,
        order_facts.quantity_returned,
        order_facts.gross_revenue - orders.net_revenue as discount_amount,
        order_facts.gross_revenue,
        case when order_facts.priority = 'expedited' then 1 else 0 end
            as is_rush,
        {{ time_decay_weight(
            'orders.order_date', as_of_date='periods.period_end_date') }}
            as decay_weight
    from orders
    inner join order_facts
        on orders.order_id = order_facts.order_id
    inner join periods
        on orders.order_date <= periods.period_end_date
    where orders.order_status <> 'cancelled'
),

order_features as (
    select
        weighted_orders.customer_id,
        weighted_orders.period_index,
        sum(weighted_orders.decay_weight) as decayed_order_count,
        sum(weighted_orders.net_revenue * weighted_orders.decay_weight)
            as decayed_net_revenue,
        sum(weighted_orders.gross_margin * weighted_orders.decay_weight)
            as decayed_gross_margin,
        sum(
            weighted_orders.cost_to_serve_margin * weighted_orders.decay_weight
        ) as decayed_cost_to_serve_margin,
        sum(weighted_orders.quantity_ordered * weighted_orders.decay_weight)
            as decayed_units,
        sum(weighted_orders.line_count * weighted_orders.decay_weight)
            as decayed_lines,
        sum(weighted_orders.is_rush * weighted_orders.decay_weight)
            as decayed_rush_orders,
        sum(weighted_orders.quantity_returned * weighted_orders.decay_weight)
            as decayed_returned_units,
        sum(weighted_orders.quantity_shipped * weighted_orders.decay_weight)
            as decayed_shipped_units,
        sum(weighted_orders.discount_amount * weighted_orders.decay_weight)
            as decayed_discount,
        sum(weighted_orders.gross_revenue * weighted_orders.decay_weight)
            as decayed_gross_revenue,
        max(weighted_orders.order_date) as last_order_date
    from weighted_orders
    group by 1, 2
),

quarter_counts as (
    select
        weighted_orders.customer_id,
        weighted_orders.period_index,
        extract(quarter from weighted_orders.order_date) as quarter_number,
        count(*) as order_count
    from weighted_orders
    where
        weighted_orders.order_date
        > {{ dbt.dateadd(
            'month', -1 * var('seasonality_window_months'),
            'weighted_orders.period_end_date') }}
    group by 1, 2, 3
),

seasonality as (
    select
        quarter_counts.customer_id,
        quarter_counts.period_index,
        max(quarter_counts.order_count) * 1.0 as peak_quarter_orders,
        sum(quarter_counts.order_count) * 1.0 as window_orders
    from quarter_counts
    group by 1, 2
),

population as (
    -- the pooled shares of every customer of the period: the prior
    select
        order_features.period_index,
        sum(order_features.decayed_rush_orders)
        / nullif(sum(order_features.decayed_order_count), 0) as rush_share,
        coalesce(
            sum(order_features.decayed_returned_units)
            / nullif(sum(order_features.decayed_shipped_units), 0), 0
        ) as returns_rate,
        coalesce(
            sum(order_features.decayed_shipped_units)
            / nullif(sum(order_features.decayed_order_count), 0), 0
        ) as shipped_units_per_order,
        coalesce(
            sum(seasonality.peak_quarter_orders)
            / nullif(sum(seasonality.window_orders), 0), 1.0
        ) as peak_quarter_share
    from order_features
    left join seasonality
        on
            order_features.customer_id = seasonality.customer_id
            and order_features.period_index = seasonality.period_index
    group by 1
),

payments as (
    select
        invoices.customer_id,
        periods.period_index,
        sum(
            invoices.invoice_amount
            * {{ time_decay_weight(
                'invoices.invoice_date',
                as_of_date='periods.period_end_date') }}
            * {{ invoice_days_open(
                'invoices.invoice_date', 'invoices.paid_date',
                'periods.period_end_date') }}
        ) / nullif(sum(
            invoices.invoice_amount
            * {{ time_decay_weight(
                'invoices.invoice_date',
                as_of_date='periods.period_end_date') }}
        ), 0) as payment_days
    from invoices
    inner join periods
        on invoices.invoice_date <= periods.period_end_date
    group by 1, 2
),

final as (
    select
        order_features.customer_id,
        order_features.period_index,
        order_features.decayed_order_count,
        order_features.decayed_net_revenue,
        order_features.decayed_gross_margin,
        order_features.decayed_cost_to_serve_margin,
        order_features.decayed_net_revenue
        / nullif(order_features.decayed_order_count, 0) as avg_order_value,
        order_features.decayed_units
        / nullif(order_features.decayed_order_count, 0) as avg_order_units,
        order_features.decayed_lines
        / nullif(order_features.decayed_order_count, 0) as lines_per_order,
        (
            order_features.decayed_rush_orders
            + {{ prior }} * population.rush_share
        )
        / nullif(order_features.decayed_order_count + {{ prior }}, 0)
            as rush_order_share,
        coalesce(
            (
                order_features.decayed_returned_units
                + {{ prior }} * population.shipped_units_per_order
                * population.returns_rate
            )
            / nullif(
                order_features.decayed_shipped_units
                + {{ prior }} * population.shipped_units_per_order, 0
            ),
            population.returns_rate
        ) as returns_rate,
        coalesce(
            order_features.decayed_discount
            / nullif(order_features.decayed_gross_revenue, 0), 0
        ) as discount_rate,
        payments.payment_days,
        coalesce(
            (
                coalesce(seasonality.peak_quarter_orders, 0)
                + {{ prior }} * population.peak_quarter_share
            )
            / nullif(coalesce(seasonality.window_orders, 0) + {{ prior }}, 0),
            population.peak_quarter_share
        ) as peak_quarter_share,
        periods.period_end_date,
        order_features.last_order_date
    from order_features
    inner join periods
        on order_features.period_index = periods.period_index
    inner join population
        on order_features.period_index = population.period_index
    left join payments
        on
            order_features.customer_id = payments.customer_id
            and order_features.period_index = payments.period_index
    left join seasonality
        on
            order_features.customer_id = seasonality.customer_id
            and order_features.period_index = seasonality.period_index
)

select * from final
