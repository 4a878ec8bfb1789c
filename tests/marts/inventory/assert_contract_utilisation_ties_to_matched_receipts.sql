{#- Every unit received against a contract up to the procurement as-of date
    is in exactly one period of procurement_commitment_utilisation: the
    received quantity per contract ties to the matched receipts. -#}
with utilisation as (
    select
        contract_id,
        sum(received_quantity) as received_quantity
    from {{ ref('procurement_commitment_utilisation') }}
    group by 1
),

receipts as (
    select
        contract_id,
        sum(quantity_received) as received_quantity
    from {{ ref('int_purchase_receipts__contract_matched') }}
    where contract_id is not null and receipt_date <= as_of_date
    group by 1
)

select
    coalesce(utilisation.contract_id, receipts.contract_id) as contract_id,
    utilisation.received_quantity,
    receipts.received_quantity as expected_received_quantity
from utilisation
full outer join receipts
    on utilisation.contract_id = receipts.contract_id
where
    abs(
        coalesce(utilisation.received_quantity, 0)
        - coalesce(receipts.received_quantity, 0)
    ) > 1e-6
