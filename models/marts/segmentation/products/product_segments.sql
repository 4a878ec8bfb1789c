{#-
    One row per SKU of dim_products (grain sku_id): its ABC x XYZ segment,
    velocity and activity, as defined in int_products__segments.
-#}
with segments as (
    select * from {{ ref('int_products__segments') }}
),

final as (
    select
        segments.sku_id,
        segments.abc_class,
        segments.xyz_class,
        segments.segment,
        segments.segment_method,
        segments.velocity_class,
        segments.category,
        segments.lifecycle_stage,
        segments.handling_class,
        segments.value_measure,
        segments.decayed_value,
        segments.value_share,
        segments.cumulative_value_share,
        segments.value_rank,
        segments.units_ordered,
        segments.order_line_count,
        segments.weeks_with_demand,
        segments.weekly_demand_mean,
        segments.weekly_demand_sd,
        segments.demand_cv,
        segments.order_lines_per_week,
        segments.on_hand_units,
        segments.is_active,
        segments.is_ordered_in_window,
        segments.is_stocked,
        segments.is_perishable,
        segments.requires_temperature_control,
        segments.last_order_date,
        segments.demand_window_start_date,
        segments.demand_window_end_date,
        segments.as_of_date
    from segments
)

select * from final
