{#- The committed units per period of a contract's SKU x DC rows in
    contract_lot_sizes add up to the contract's commitment, and a lot is
    never below the price break a contract sets when the lot basis is the
    price break. -#}
with lots as (
    select
        contract_id,
        sum(committed_units_per_period) as committed_units_per_period,
        min(case
            when lot_basis = 'price_break'
                then min_lot_units - price_break_quantity
        end) as min_price_break_margin
    from {{ ref('contract_lot_sizes') }}
    group by 1
),

contracts as (
    select
        contract_id,
        committed_quantity_per_period
    from {{ ref('procurement_contracts') }}
)

select
    lots.contract_id,
    lots.committed_units_per_period,
    contracts.committed_quantity_per_period
from lots
inner join contracts
    on lots.contract_id = contracts.contract_id
where
    abs(
        lots.committed_units_per_period
        - contracts.committed_quantity_per_period
    ) > 1e-6
    or lots.min_price_break_margin < 0
