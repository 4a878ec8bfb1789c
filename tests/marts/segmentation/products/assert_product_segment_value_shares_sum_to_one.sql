{#- The value shares of product_segments sum to 1 (when any SKU has a
    positive decayed value), and the cumulative share reaches 1 at the
    last-ranked SKU (it never decreases, so its maximum is the last). -#}
with segments as (
    select
        value_share,
        cumulative_value_share,
        decayed_value
    from {{ ref('product_segments') }}
),

totals as (
    select
        sum(value_share) as value_share_total,
        max(cumulative_value_share) as last_cumulative_share,
        sum(case when decayed_value > 0 then 1 else 0 end)
            as valued_sku_count
    from segments
)

select * from totals
where
    valued_sku_count > 0
    and (
        abs(value_share_total - 1) > 1e-9
        or abs(last_cumulative_share - 1) > 1e-9
    )
