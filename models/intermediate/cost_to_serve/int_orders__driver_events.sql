{#- One row per event of an order that drives a cost pool; see the YAML. -#}

with activities as (
    select
        activity_id,
        order_id,
        dc_id,
        labor_minutes,
        activity_date
    from {{ ref('fct_warehouse_activities') }}
    where order_id is not null
),

shipments as (
    select
        shipment_id,
        order_id,
        origin_dc_id,
        freight_cost,
        ship_date
    from {{ ref('fct_shipments') }}
),

order_returns as (
    select
        return_id,
        order_id,
        quantity_returned,
        return_date
    from {{ ref('stg_erp__returns') }}
),

invoices as (
    select
        invoice_id,
        order_id,
        invoice_date
    from {{ ref('fct_invoices') }}
),

final as (
    -- work in the DC that did it
    select
        activities.activity_id as event_id,
        activities.order_id,
        activities.dc_id,
        'labor_minutes' as allocation_driver,
        {{ dbt.cast('activities.labor_minutes', type_double()) }}
            as driver_quantity,
        false as is_at_order_dc,
        activities.activity_date as event_date
    from activities

    union all

    -- freight at the shipment's origin DC
    select
        shipments.shipment_id as event_id,
        shipments.order_id,
        shipments.origin_dc_id as dc_id,
        'freight_cost' as allocation_driver,
        {{ dbt.cast('shipments.freight_cost', type_double()) }}
            as driver_quantity,
        false as is_at_order_dc,
        shipments.ship_date as event_date
    from shipments

    union all

    -- units returned, at the order's DC
    select
        order_returns.return_id as event_id,
        order_returns.order_id,
        {{ dbt.cast('null', dbt.type_string()) }} as dc_id,
        'returned_units' as allocation_driver,
        {{ dbt.cast('order_returns.quantity_returned', type_double()) }}
            as driver_quantity,
        true as is_at_order_dc,
        order_returns.return_date as event_date
    from order_returns

    union all

    -- one invoice issued, at the order's DC
    select
        invoices.invoice_id as event_id,
        invoices.order_id,
        {{ dbt.cast('null', dbt.type_string()) }} as dc_id,
        'invoices' as allocation_driver,
        {{ dbt.cast('1', type_double()) }} as driver_quantity,
        true as is_at_order_dc,
        invoices.invoice_date as event_date
    from invoices
)

select * from final
