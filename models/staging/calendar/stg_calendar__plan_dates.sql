{#- The first and last dates (one row) of the staged inventory snapshots,
    demand forecasts, general ledger and cost-to-serve budget. dim_dates
    spans its calendar over these and stg_calendar__order_flow_dates. -#}
with final as (
    {{ date_bounds([
        (ref('stg_wms__inventory_snapshots'), ['snapshot_date']),
        (ref('stg_crm__demand_forecasts'), ['forecast_month']),
        (ref('stg_finance__general_ledger'), ['posting_month']),
        (ref('stg_finance__cost_to_serve_budget'), ['budget_month']),
    ]) }}
)

select * from final
