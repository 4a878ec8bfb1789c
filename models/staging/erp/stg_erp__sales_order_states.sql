{#- The state of every surviving sales order (grain order_id): staged, or
    quarantined by base_erp__sales_orders or check_erp__sales_orders. The
    check models of the order's lines, invoices, shipments and activities
    read it (dq_parent_rules): a child of a quarantined order is
    quarantined with it, and a child of an order missing here is of an
    unknown order. -#}
with final as (
    {{ dq_parent_states(
        ref('base_erp__sales_orders'), ref('check_erp__sales_orders'),
        ['order_id']) }}
)

select * from final
