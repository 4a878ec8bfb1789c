{#-
    One row per SKU x DC covered by a supplier contract valid on the
    procurement as-of date (grain sku_id, dc_id): the minimum lot the
    inventory policy orders so that the contract is honoured, as defined in
    int_procurement_contracts__lot_sizes.
-#}
with lot_sizes as (
    select * from {{ ref('int_procurement_contracts__lot_sizes') }}
),

final as (
    select
        lot_sizes.sku_id,
        lot_sizes.dc_id,
        lot_sizes.contract_id,
        lot_sizes.supplier_id,
        lot_sizes.contract_scope,
        lot_sizes.period,
        lot_sizes.applies_to_segments,
        lot_sizes.product_segment,
        lot_sizes.lot_basis,
        lot_sizes.committed_quantity_per_period,
        lot_sizes.commitment_share,
        lot_sizes.committed_units_per_period,
        lot_sizes.committed_units_per_month,
        lot_sizes.lookback_received_units,
        lot_sizes.price_break_quantity,
        lot_sizes.price_break_unit_cost,
        lot_sizes.min_lot_units,
        lot_sizes.valid_from,
        lot_sizes.valid_to,
        lot_sizes.as_of_date
    from lot_sizes
)

select * from final
