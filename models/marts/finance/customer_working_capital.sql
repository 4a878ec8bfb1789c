{#- One row per customer (grain customer_id): the cash a customer ties up
    in receivables and in the inventory held for it, as of the build's
    as-of date (int_calendar__as_of_date: var as_of_date, or the latest
    order date). The trailing
    window is the var working_capital_lookback_months months up to the
    as-of date (window_start_date excluded, as_of_date included).

      dso_days            amount-weighted days from invoice_date to
                          paid_date (to the as-of date when unpaid) of the
                          invoices dated in the window
      days_on_hand (SKU x DC)
                          average on-hand value of its snapshots in the
                          window / (its COGS in the window / window days),
                          capped at var max_days_on_hand; 0 without stock
      dio_days            days_on_hand of the SKU x DCs the customer buys,
                          weighted by the customer's COGS of each in the
                          window
      inventory_tied_up   average_daily_cogs * dio_days
      cash_tied_up        receivables_outstanding + inventory_tied_up -#}
with customers as (
    select customer_id
    from {{ ref('dim_customers') }}
),

invoices as (
    select
        customer_id,
        invoice_amount,
        open_amount,
        days_to_pay,
        is_paid,
        is_overdue,
        invoice_date,
        as_of_date
    from {{ ref('int_invoices__payment_days') }}
),

order_lines as (
    select
        customer_id,
        sku_id,
        ship_from_dc_id,
        cogs,
        order_date
    from {{ ref('fct_order_lines') }}
),

snapshots as (
    select
        dc_id,
        sku_id,
        inventory_value,
        snapshot_date
    from {{ ref('fct_inventory_snapshots') }}
),

as_of as (
    select
        max(invoices.as_of_date) as as_of_date,
        {{ dbt.cast(dbt.dateadd(
            'month',
            -1 * var('working_capital_lookback_months'),
            'max(invoices.as_of_date)'), 'date') }} as window_start_date
    from invoices
),

window_bounds as (
    select
        as_of.as_of_date,
        as_of.window_start_date,
        {{ dbt.datediff(
            'as_of.window_start_date', 'as_of.as_of_date', 'day') }}
            as window_days
    from as_of
),

receivables as (
    select
        invoices.customer_id,
        count(
            case when not invoices.is_paid then invoices.invoice_date end
        ) as open_invoice_count,
        sum(invoices.open_amount) as receivables_outstanding,
        sum(
            case when invoices.is_overdue then invoices.open_amount else 0 end
        ) as overdue_receivables
    from invoices
    group by 1
),

payment_days as (
    select
        invoices.customer_id,
        count(*) as trailing_invoice_count,
        sum(invoices.invoice_amount) as trailing_invoiced_amount,
        sum(invoices.invoice_amount * invoices.days_to_pay)
        / nullif(sum(invoices.invoice_amount), 0) as dso_days
    from invoices
    cross join window_bounds
    where invoices.invoice_date > window_bounds.window_start_date
    group by 1
),

window_lines as (
    select order_lines.*
    from order_lines
    cross join window_bounds
    where
        order_lines.order_date > window_bounds.window_start_date
        and order_lines.order_date <= window_bounds.as_of_date
),

customer_sku_cogs as (
    select
        window_lines.customer_id,
        window_lines.sku_id,
        window_lines.ship_from_dc_id as dc_id,
        sum(window_lines.cogs) as cogs
    from window_lines
    group by 1, 2, 3
),

sku_cogs as (
    select
        window_lines.sku_id,
        window_lines.ship_from_dc_id as dc_id,
        sum(window_lines.cogs) as cogs
    from window_lines
    group by 1, 2
),

sku_stock as (
    select
        snapshots.sku_id,
        snapshots.dc_id,
        avg(snapshots.inventory_value) as average_inventory_value
    from snapshots
    cross join window_bounds
    where
        snapshots.snapshot_date > window_bounds.window_start_date
        and snapshots.snapshot_date <= window_bounds.as_of_date
    group by 1, 2
),

days_on_hand as (
    select
        sku_cogs.sku_id,
        sku_cogs.dc_id,
        least(
            coalesce(sku_stock.average_inventory_value, 0)
            / (sku_cogs.cogs / window_bounds.window_days),
            {{ var('max_days_on_hand') }}
        ) as days_on_hand
    from sku_cogs
    cross join window_bounds
    left join sku_stock
        on
            sku_cogs.sku_id = sku_stock.sku_id
            and sku_cogs.dc_id = sku_stock.dc_id
    where sku_cogs.cogs > 0
),

inventory_days as (
    select
        customer_sku_cogs.customer_id,
        sum(customer_sku_cogs.cogs) as trailing_cogs,
        -- a mean of capped values is within the cap; least() only removes
        -- the float rounding above it (365 x c / c = 365.00000000000006)
        least(
            sum(customer_sku_cogs.cogs * days_on_hand.days_on_hand)
            / nullif(sum(customer_sku_cogs.cogs), 0),
            {{ var('max_days_on_hand') }}
        ) as dio_days
    from customer_sku_cogs
    left join days_on_hand
        on
            customer_sku_cogs.sku_id = days_on_hand.sku_id
            and customer_sku_cogs.dc_id = days_on_hand.dc_id
    group by 1
),

combined as (
    select
        customers.customer_id,
        coalesce(payment_days.trailing_invoice_count, 0)
            as trailing_invoice_count,
        coalesce(payment_days.trailing_invoiced_amount, 0)
            as trailing_invoiced_amount,
        payment_days.dso_days,
        coalesce(receivables.open_invoice_count, 0) as open_invoice_count,
        {{ dbt.cast('coalesce(receivables.receivables_outstanding, 0)',
            'decimal(18, 2)') }} as receivables_outstanding,
        coalesce(receivables.overdue_receivables, 0) as overdue_receivables,
        coalesce(inventory_days.trailing_cogs, 0) as trailing_cogs,
        coalesce(inventory_days.trailing_cogs, 0) / window_bounds.window_days
            as average_daily_cogs,
        inventory_days.dio_days,
        {{ dbt.cast(
            'coalesce(inventory_days.trailing_cogs, 0)'
            ~ ' / window_bounds.window_days'
            ~ ' * coalesce(inventory_days.dio_days, 0)',
            'decimal(18, 2)') }} as inventory_tied_up,
        window_bounds.as_of_date,
        window_bounds.window_start_date
    from customers
    cross join window_bounds
    left join payment_days
        on customers.customer_id = payment_days.customer_id
    left join receivables
        on customers.customer_id = receivables.customer_id
    left join inventory_days
        on customers.customer_id = inventory_days.customer_id
),

final as (
    select
        combined.customer_id,
        combined.trailing_invoice_count,
        combined.open_invoice_count,
        {{ dbt.cast('combined.trailing_invoiced_amount', 'decimal(18, 2)') }}
            as trailing_invoiced_amount,
        combined.receivables_outstanding,
        {{ dbt.cast('combined.overdue_receivables', 'decimal(18, 2)') }}
            as overdue_receivables,
        {{ dbt.cast('combined.dso_days', type_double()) }} as dso_days,
        {{ dbt.cast('combined.trailing_cogs', 'decimal(18, 2)') }}
            as trailing_cogs,
        {{ dbt.cast('combined.average_daily_cogs', type_double()) }}
            as average_daily_cogs,
        {{ dbt.cast('combined.dio_days', type_double()) }} as dio_days,
        combined.inventory_tied_up,
        {{ dbt.cast(
            'combined.receivables_outstanding + combined.inventory_tied_up',
            'decimal(18, 2)') }} as cash_tied_up,
        combined.as_of_date,
        combined.window_start_date
    from combined
)

select * from final
