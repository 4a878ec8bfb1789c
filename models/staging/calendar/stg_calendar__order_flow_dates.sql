{#- The first and last dates (one row) of the staged order flow: orders,
    invoices, returns, purchase receipts, shipments and warehouse
    activities. dim_dates spans its calendar over these and
    stg_calendar__plan_dates. -#}
with final as (
    {{ date_bounds([
        (ref('stg_erp__sales_orders'), ['order_ts', 'requested_delivery_date']),
        (ref('stg_erp__invoices'), ['invoice_date', 'due_date', 'paid_date']),
        (ref('stg_erp__returns'), ['return_date']),
        (ref('stg_erp__purchase_receipts'), ['po_date', 'receipt_date']),
        (ref('stg_tms__shipments'),
            ['ship_ts', 'delivered_ts', 'promised_delivery_date']),
        (ref('stg_wms__activities'), ['activity_ts']),
    ]) }}
)

select * from final
