{#- Procurement contracts: the order quantity of every SKU x DC covered by
    a contract (contract_lot_sizes) is at least the contract's committed
    lot, unless the policy orders nothing automatically (make_to_order,
    review_required). Returns the policies that order less. -#}
select
    policies.sku_id,
    policies.dc_id,
    policies.policy_type,
    policies.order_quantity_units,
    lots.min_lot_units
from {{ ref('inventory_policies') }} as policies
inner join {{ ref('contract_lot_sizes') }} as lots
    on
        policies.sku_id = lots.sku_id
        and policies.dc_id = lots.dc_id
where
    policies.policy_type not in ('make_to_order', 'review_required')
    and policies.order_quantity_units < lots.min_lot_units
