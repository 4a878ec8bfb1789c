{#-
    The months a refresh re-allocates whole (grain month). Allocation is
    month-local (driver shares, company totals and the cent rounding of a GL
    row all stay within its month), so a month is redone when anything that
    feeds it may have changed:

      - the months of the inventory snapshots in the refresh window, and
        every GL month from the window's on;
      - the months of the drivers an order whose header or lines changed
        had before this run and has now (costed_order keys of
        stg_refresh__changed_keys), and the months a changed activity,
        shipment, invoice or return moves (month keys);
      - the months whose general-ledger rows differ from what the previous
        run allocated.

    Empty on a full build.
-#}
{%- set previous_drivers =
    refresh_previous_relation('int_orders__cost_drivers') -%}
{%- set previous_allocations =
    refresh_previous_relation('int_cost_allocations__orders') -%}

with refresh_window as (
    select window_start from {{ ref('stg_refresh__window') }}
),

changed_orders as (
    select key_id as order_id
    from {{ ref('stg_refresh__changed_keys') }}
    where key_type = 'costed_order'
),

general_ledger as (
    select
        posting_month,
        {{ dbt.cast('gl_account', dbt.type_string()) }} as gl_account,
        cost_center,
        sum(amount) as amount
    from {{ ref('stg_finance__general_ledger') }}
    group by 1, 2, 3
),

event_dates as (
    -- the dates of the changed orders' lines and driver events as they are
    -- now
    select order_lines.order_date as event_date
    from {{ ref('fct_order_lines') }} as order_lines
    where
        order_lines.order_id
        in (select changed_orders.order_id from changed_orders)
    union all
    select driver_events.event_date
    from {{ ref('int_orders__driver_events') }} as driver_events
    where
        driver_events.order_id
        in (select changed_orders.order_id from changed_orders)
),

changed_months as (
    select {{ dbt.date_trunc('month', 'event_date') }} as month
    from event_dates

    union all

    -- months moved by a changed activity, shipment, invoice or return
    select {{ dbt.cast('changed_keys.key_id', 'date') }}
    from {{ ref('stg_refresh__changed_keys') }} as changed_keys
    where changed_keys.key_type = 'month'

    union all

    -- snapshots of the window change the carrying driver of their month
    select {{ dbt.date_trunc('month', 'snapshots.snapshot_date') }}
    from {{ ref('fct_inventory_snapshots') }} as snapshots
    where
        snapshots.snapshot_date
        >= (select refresh_window.window_start from refresh_window)

    union all

    select general_ledger.posting_month
    from general_ledger
    where
        general_ledger.posting_month >= {{ dbt.date_trunc(
            'month',
            '(select refresh_window.window_start from refresh_window)') }}
    {%- if previous_drivers is not none %}

    union all

    select previous_drivers.driver_month
    from {{ previous_drivers }} as previous_drivers
    where
        previous_drivers.order_id
        in (select changed_orders.order_id from changed_orders)
    {%- endif %}
    {%- if previous_allocations is not none %}

    union all

    select coalesce(general_ledger.posting_month, allocated.posting_month)
    from general_ledger
    full outer join (
        select
            posting_month,
            gl_account,
            cost_center,
            sum(allocated_amount) as amount
        from {{ previous_allocations }}
        group by 1, 2, 3
    ) as allocated
        on
            general_ledger.posting_month = allocated.posting_month
            and general_ledger.gl_account = allocated.gl_account
            and general_ledger.cost_center = allocated.cost_center
    where
        general_ledger.amount is null
        or allocated.amount is null
        or general_ledger.amount <> allocated.amount
    {%- endif %}
)

select distinct {{ dbt.cast('month', 'date') }} as month
from changed_months
where
    month is not null
    and (select refresh_window.window_start from refresh_window) is not null
