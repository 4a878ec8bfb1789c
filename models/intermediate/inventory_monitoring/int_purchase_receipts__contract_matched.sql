{#-
    One row per staged purchase receipt (grain receipt_id) with the supplier
    contract it counts against, if any: a contract of
    int_procurement_contracts__skus covering the receipt's SKU, from the
    receipt's supplier, valid on the receipt date (valid_from <=
    receipt_date <= valid_to). When several match, the SKU contract wins
    over the category contract, then the lowest contract_id, so a receipt
    counts against one contract at most. contract_id is null for receipts
    no contract covers. is_price_break: the receipt (one receipt per
    purchase order line in the extracts) reached the contract's
    price_break_quantity. as_of_date, the same on every row, is the build's
    (int_calendar__as_of_date: var as_of_date, or the latest order date).
-#}

with receipts as (
    select
        receipt_id,
        po_id,
        sku_id,
        supplier_id,
        dc_id,
        quantity_received,
        unit_cost,
        receipt_date
    from {{ ref('stg_erp__purchase_receipts') }}
),

as_of as (
    select as_of_date from {{ ref('int_calendar__as_of_date') }}
),

contract_skus as (
    select
        contract_id,
        sku_id,
        supplier_id,
        contract_scope,
        scope_rank,
        price_break_quantity,
        valid_from,
        valid_to
    from {{ ref('int_procurement_contracts__skus') }}
),

candidates as (
    select
        receipts.receipt_id,
        contract_skus.contract_id,
        contract_skus.contract_scope,
        contract_skus.price_break_quantity,
        row_number() over (
            partition by receipts.receipt_id
            order by contract_skus.scope_rank, contract_skus.contract_id
        ) as match_rank
    from receipts
    inner join contract_skus
        on
            receipts.sku_id = contract_skus.sku_id
            and receipts.supplier_id = contract_skus.supplier_id
            and receipts.receipt_date >= contract_skus.valid_from
            and receipts.receipt_date <= contract_skus.valid_to
),

final as (
    select
        receipts.receipt_id,
        receipts.po_id,
        receipts.sku_id,
        receipts.supplier_id,
        receipts.dc_id,
        candidates.contract_id,
        candidates.contract_scope,
        receipts.quantity_received,
        receipts.unit_cost,
        receipts.quantity_received * receipts.unit_cost as received_value,
        coalesce(
            receipts.quantity_received >= candidates.price_break_quantity,
            false
        ) as is_price_break,
        receipts.receipt_date,
        as_of.as_of_date
    from receipts
    cross join as_of
    left join candidates
        on
            receipts.receipt_id = candidates.receipt_id
            and candidates.match_rank = 1
)

select * from final
