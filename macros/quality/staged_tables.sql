{#-
    The validated source tables: (source table, base model, check model,
    staging model). The check model runs the rules across tables
    (dq_check.sql); none when the table has none.
    data_quality_exceptions and data_quality_row_counts read this list, so a
    new source table is added here once.
-#}
{% macro staged_tables() -%}
    {{ return([
        ('erp_customers', 'base_erp__customers', none, 'stg_erp__customers'),
        ('erp_products', 'base_erp__products', none, 'stg_erp__products'),
        ('erp_sales_orders', 'base_erp__sales_orders',
            'check_erp__sales_orders', 'stg_erp__sales_orders'),
        ('erp_sales_order_lines', 'base_erp__sales_order_lines',
            'check_erp__sales_order_lines', 'stg_erp__sales_order_lines'),
        ('erp_purchase_receipts', 'base_erp__purchase_receipts',
            'check_erp__purchase_receipts', 'stg_erp__purchase_receipts'),
        ('erp_invoices', 'base_erp__invoices', 'check_erp__invoices',
            'stg_erp__invoices'),
        ('erp_returns', 'base_erp__returns', 'check_erp__returns',
            'stg_erp__returns'),
        ('wms_distribution_centers', 'base_wms__distribution_centers', none,
            'stg_wms__distribution_centers'),
        ('wms_inventory_snapshots', 'base_wms__inventory_snapshots',
            'check_wms__inventory_snapshots', 'stg_wms__inventory_snapshots'),
        ('wms_activities', 'base_wms__activities', 'check_wms__activities',
            'stg_wms__activities'),
        ('tms_carriers', 'base_tms__carriers', none, 'stg_tms__carriers'),
        ('tms_shipments', 'base_tms__shipments', 'check_tms__shipments',
            'stg_tms__shipments'),
        ('crm_accounts', 'base_crm__accounts', 'check_crm__accounts',
            'stg_crm__accounts'),
        ('crm_demand_forecasts', 'base_crm__demand_forecasts',
            'check_crm__demand_forecasts', 'stg_crm__demand_forecasts'),
        ('general_ledger', 'base_finance__general_ledger', none,
            'stg_finance__general_ledger'),
        ('cost_to_serve_budget', 'base_finance__cost_to_serve_budget', none,
            'stg_finance__cost_to_serve_budget'),
    ]) }}
{%- endmacro %}
