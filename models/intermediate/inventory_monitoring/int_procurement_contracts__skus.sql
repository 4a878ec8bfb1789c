{#-
    One row per supplier contract and SKU it covers (grain contract_id,
    sku_id), from seed procurement_contracts. A SKU contract covers its
    sku_id; a category contract covers every SKU of dim_products in the
    category whose supplier is the contract's supplier. Either way the SKU's
    current product segment (int_products__segments) must be listed in
    applies_to_segments (semicolon-separated) unless that is '*'.

    scope_rank orders overlapping contracts of the same supplier and SKU:
    a SKU contract (1) takes precedence over a category contract (2); the
    consumers (int_purchase_receipts__contract_matched, contract_lot_sizes)
    apply it among the contracts valid on a date, ties by contract_id.
-#}
with contracts as (
    select * from {{ ref('procurement_contracts') }}
),

products as (
    select
        sku_id,
        category,
        supplier_id
    from {{ ref('dim_products') }}
),

segments as (
    select
        sku_id,
        segment
    from {{ ref('int_products__segments') }}
),

covered as (
    select
        contracts.contract_id,
        products.sku_id,
        contracts.supplier_id,
        case
            when contracts.sku_id is not null then 'sku' else 'category'
        end as contract_scope,
        case when contracts.sku_id is not null then 1 else 2 end
            as scope_rank,
        segments.segment as product_segment,
        contracts.applies_to_segments,
        contracts.period,
        contracts.committed_quantity_per_period,
        contracts.price_break_quantity,
        contracts.price_break_unit_cost,
        contracts.valid_from,
        contracts.valid_to
    from contracts
    inner join products
        on
            contracts.sku_id = products.sku_id
            or (
                contracts.sku_id is null
                and contracts.category = products.category
                and contracts.supplier_id = products.supplier_id
            )
    left join segments
        on products.sku_id = segments.sku_id
),

final as (
    select *
    from covered
    where
        trim(applies_to_segments) = '*'
        or ';' || replace(applies_to_segments, ' ', '') || ';'
        like '%;' || product_segment || ';%'
)

select * from final
