{#- Every SKU of dim_products has exactly one row in product_segments, and
    product_segments has no SKU that dim_products lacks. -#}
with products as (
    select sku_id from {{ ref('dim_products') }}
),

segment_rows as (
    select
        sku_id,
        count(*) as row_count
    from {{ ref('product_segments') }}
    group by 1
),

final as (
    select
        coalesce(products.sku_id, segment_rows.sku_id) as sku_id,
        coalesce(segment_rows.row_count, 0) as row_count,
        products.sku_id is not null as is_in_dim_products
    from products
    full outer join segment_rows
        on products.sku_id = segment_rows.sku_id
)

select * from final
where row_count != 1 or not is_in_dim_products
