{#-
    One row per stocking location (grain sku_id, dc_id): the supplier lead
    time inventory_policies plans with, from purchase receipts
    (stg_erp__purchase_receipts.lead_time_days, po_date to receipt_date)
    received in the var inventory_lead_time_window_days days up to the
    as-of date.

    Mean and sample standard deviation, from the first basis with at least
    var inventory_min_lead_time_receipts receipts:
      sku_dc        receipts of the SKU at the DC
      supplier      receipts of the SKU's supplier (dim_products), any SKU
                    and DC
      all_receipts  every receipt in the window (with at least one)
      none          no receipt in the window: lead time unknown (null)
    lead_time_sd_days is 0 when the basis has a single receipt.
-#}
{%- set window_days = var('inventory_lead_time_window_days') | int -%}
{%- set min_receipts = var('inventory_min_lead_time_receipts') | int -%}

with locations as (
    select
        sku_id,
        dc_id,
        supplier_id,
        as_of_date
    from {{ ref('int_inventory__stocking_locations') }}
),

receipts as (
    select
        sku_id,
        dc_id,
        supplier_id,
        lead_time_days,
        receipt_date
    from {{ ref('stg_erp__purchase_receipts') }}
),

receipt_window as (
    select
        max(as_of_date) as as_of_date,
        {{ dbt.cast(dbt.dateadd(
            'day', 1 - window_days, 'max(as_of_date)'), 'date') }}
            as window_start_date
    from locations
),

window_receipts as (
    select
        receipts.sku_id,
        receipts.dc_id,
        receipts.supplier_id,
        {{ dbt.cast('receipts.lead_time_days', type_double()) }}
            as lead_time_days
    from receipts
    cross join receipt_window
    where
        receipts.receipt_date >= receipt_window.window_start_date
        and receipts.receipt_date <= receipt_window.as_of_date
        and receipts.lead_time_days is not null
),

sku_dc_stats as (
    select
        sku_id,
        dc_id,
        count(*) as receipt_count,
        avg(lead_time_days) as lead_time_mean_days,
        coalesce(stddev_samp(lead_time_days), 0.0) as lead_time_sd_days
    from window_receipts
    group by 1, 2
),

supplier_stats as (
    select
        supplier_id,
        count(*) as receipt_count,
        avg(lead_time_days) as lead_time_mean_days,
        coalesce(stddev_samp(lead_time_days), 0.0) as lead_time_sd_days
    from window_receipts
    group by 1
),

all_stats as (
    select
        count(*) as receipt_count,
        avg(lead_time_days) as lead_time_mean_days,
        coalesce(stddev_samp(lead_time_days), 0.0) as lead_time_sd_days
    from window_receipts
),

chosen as (
    select
        locations.sku_id,
        locations.dc_id,
        case
            when sku_dc_stats.receipt_count >= {{ min_receipts }}
                then 'sku_dc'
            when supplier_stats.receipt_count >= {{ min_receipts }}
                then 'supplier'
            when all_stats.receipt_count > 0 then 'all_receipts'
            else 'none'
        end as lead_time_basis,
        coalesce(sku_dc_stats.receipt_count, 0) as sku_dc_receipt_count,
        coalesce(supplier_stats.receipt_count, 0) as supplier_receipt_count,
        all_stats.receipt_count as all_receipt_count,
        sku_dc_stats.lead_time_mean_days as sku_dc_mean_days,
        sku_dc_stats.lead_time_sd_days as sku_dc_sd_days,
        supplier_stats.lead_time_mean_days as supplier_mean_days,
        supplier_stats.lead_time_sd_days as supplier_sd_days,
        all_stats.lead_time_mean_days as all_mean_days,
        all_stats.lead_time_sd_days as all_sd_days
    from locations
    cross join all_stats
    left join sku_dc_stats
        on
            locations.sku_id = sku_dc_stats.sku_id
            and locations.dc_id = sku_dc_stats.dc_id
    left join supplier_stats
        on locations.supplier_id = supplier_stats.supplier_id
),

final as (
    select
        sku_id,
        dc_id,
        lead_time_basis,
        {{ dbt.cast(
            "case lead_time_basis"
            ~ " when 'sku_dc' then sku_dc_receipt_count"
            ~ " when 'supplier' then supplier_receipt_count"
            ~ " when 'all_receipts' then all_receipt_count"
            ~ " else 0 end", dbt.type_bigint()) }} as lead_time_receipts,
        case lead_time_basis
            when 'sku_dc' then sku_dc_mean_days
            when 'supplier' then supplier_mean_days
            when 'all_receipts' then all_mean_days
        end as lead_time_mean_days,
        case lead_time_basis
            when 'sku_dc' then sku_dc_sd_days
            when 'supplier' then supplier_sd_days
            when 'all_receipts' then all_sd_days
        end as lead_time_sd_days,
        {{ dbt.cast('sku_dc_receipt_count', dbt.type_bigint()) }}
            as sku_dc_receipt_count
    from chosen
)

select * from final
