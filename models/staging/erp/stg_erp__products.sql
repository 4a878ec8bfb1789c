{#- Products: latest valid version per sku_id. -#}
with validated as (
    select * from {{ ref('base_erp__products') }}
),

final as (
    select
        validated.sku_id,
        validated.product_name,
        validated.category,
        validated.subcategory,
        validated.lifecycle_stage,
        validated.handling_class,
        validated.supplier_id,
        validated.unit_cost,
        validated.list_price,
        validated.unit_weight_kg,
        validated.unit_volume_m3,
        validated.shelf_life_days,
        validated.is_perishable,
        validated.updated_at
    from validated
    where not validated.dq_is_duplicate and not validated.dq_is_quarantined
)

select * from final
