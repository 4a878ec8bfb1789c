{#- One row per SKU: product master with handling attributes. -#}
-- depends_on: {{ ref('stg_refresh__changed_keys') }}
-- (a refresh compares this table's previous rows with the new extracts
-- there, before it is rebuilt)
with products as (
    select * from {{ ref('stg_erp__products') }}
),

final as (
    select
        products.sku_id,
        products.product_name,
        products.category,
        products.subcategory,
        products.supplier_id,
        products.lifecycle_stage,
        products.handling_class,
        products.unit_cost,
        products.list_price,
        products.list_price - products.unit_cost as unit_margin,
        products.unit_weight_kg,
        products.unit_volume_m3,
        products.shelf_life_days,
        products.is_perishable,
        products.handling_class in ('chilled', 'frozen')
            as requires_temperature_control,
        products.updated_at
    from products
)

select * from final
