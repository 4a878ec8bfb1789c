{#- Each sku_id of product_segments_snapshot has exactly one current version
    (dbt_valid_to is null): never two (the check strategy can duplicate
    current rows when a key part is null), and never none while the SKU is
    still in product_segments (only a SKU that left the mart is closed, by
    hard_deletes invalidate). -#}
with segments as (
    select sku_id from {{ ref('product_segments') }}
),

versions as (
    select
        sku_id,
        sum(
            case when dbt_valid_to is null then 1 else 0 end
        ) as current_row_count
    from {{ ref('product_segments_snapshot') }}
    group by 1
),

final as (
    select
        versions.sku_id,
        versions.current_row_count,
        segments.sku_id is not null as is_in_product_segments
    from versions
    left join segments
        on versions.sku_id = segments.sku_id
)

select * from final
where
    current_row_count > 1
    or (is_in_product_segments and current_row_count = 0)
    or sku_id is null
