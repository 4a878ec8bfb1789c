{#- Every SKU x DC with units on hand at the latest snapshot of its DC has
    exactly one obsolescence score, and no other SKU x DC has one. -#}
with stocked as (
    select
        sku_id,
        dc_id
    from {{ ref('int_inventory__latest_snapshot') }}
    where on_hand_units > 0
),

scored as (
    select
        sku_id,
        dc_id
    from {{ ref('obsolescence_risk') }}
)

select
    coalesce(stocked.sku_id, scored.sku_id) as sku_id,
    coalesce(stocked.dc_id, scored.dc_id) as dc_id
from stocked
full outer join scored
    on
        stocked.sku_id = scored.sku_id
        and stocked.dc_id = scored.dc_id
where stocked.sku_id is null or scored.sku_id is null
