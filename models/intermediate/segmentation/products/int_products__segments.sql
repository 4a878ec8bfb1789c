{#-
    The one definition of a SKU's segment, published as product_segments
    and read from here by every area that plans by segment.
    One row per SKU of dim_products (grain sku_id): ABC x XYZ segment as of
    build_as_of_date(), with velocity, activity and the handling
    attributes planning needs. ABC: int_products__abc_classified; XYZ and
    velocity: int_products__demand_variability.

    is_active: the SKU had an order line in the demand window (or after it,
    up to the as-of date), or had units on hand in the latest inventory
    snapshot of some DC on or before the as-of date, or its lifecycle stage
    is not end_of_life. Inactive SKUs keep their (C, Z) segment: every SKU
    appears exactly once.
-#}
-- the logic version's change control runs first
-- depends_on: {{ ref('int_segmentation__logic_version') }}
with products as (
    select
        sku_id,
        category,
        lifecycle_stage,
        handling_class,
        is_perishable,
        requires_temperature_control
    from {{ ref('dim_products') }}
),

abc as (
    select
        sku_id,
        abc_class,
        value_measure,
        decayed_value,
        value_share,
        cumulative_value_share,
        value_rank
    from {{ ref('int_products__abc_classified') }}
),

demand as (
    select
        sku_id,
        xyz_class,
        velocity_class,
        units_ordered,
        order_line_count,
        weeks_with_demand,
        weekly_demand_mean,
        weekly_demand_sd,
        demand_cv,
        order_lines_per_week,
        last_order_date,
        window_start_date,
        window_end_date,
        as_of_date
    from {{ ref('int_products__demand_variability') }}
),

inventory as (
    select
        dc_id,
        sku_id,
        on_hand_qty,
        snapshot_date
    from {{ ref('fct_inventory_snapshots') }}
),

as_of as (
    select max(demand.as_of_date) as as_of_date
    from demand
),

latest_dc_snapshots as (
    select
        inventory.dc_id,
        max(inventory.snapshot_date) as snapshot_date
    from inventory
    cross join as_of
    where inventory.snapshot_date <= as_of.as_of_date
    group by 1
),

stock as (
    select
        inventory.sku_id,
        sum(inventory.on_hand_qty) as on_hand_units
    from inventory
    inner join latest_dc_snapshots
        on
            inventory.dc_id = latest_dc_snapshots.dc_id
            and inventory.snapshot_date = latest_dc_snapshots.snapshot_date
    group by 1
),

joined as (
    select
        products.sku_id,
        products.category,
        products.lifecycle_stage,
        products.handling_class,
        abc.abc_class,
        demand.xyz_class,
        demand.velocity_class,
        abc.value_measure,
        abc.decayed_value,
        abc.value_share,
        abc.cumulative_value_share,
        abc.value_rank,
        demand.units_ordered,
        demand.order_line_count,
        demand.weeks_with_demand,
        demand.weekly_demand_mean,
        demand.weekly_demand_sd,
        demand.demand_cv,
        demand.order_lines_per_week,
        coalesce(stock.on_hand_units, 0.0) as on_hand_units,
        coalesce(demand.last_order_date >= demand.window_start_date, false)
            as is_ordered_in_window,
        coalesce(stock.on_hand_units, 0) > 0 as is_stocked,
        products.is_perishable,
        products.requires_temperature_control,
        demand.last_order_date,
        demand.window_start_date,
        demand.window_end_date,
        demand.as_of_date
    from products
    inner join abc
        on products.sku_id = abc.sku_id
    inner join demand
        on products.sku_id = demand.sku_id
    left join stock
        on products.sku_id = stock.sku_id
),

final as (
    select
        sku_id,
        abc_class,
        xyz_class,
        abc_class || xyz_class as segment,
        'abc_xyz' as segment_method,
        velocity_class,
        category,
        lifecycle_stage,
        handling_class,
        value_measure,
        decayed_value,
        value_share,
        cumulative_value_share,
        value_rank,
        units_ordered,
        order_line_count,
        weeks_with_demand,
        weekly_demand_mean,
        weekly_demand_sd,
        demand_cv,
        order_lines_per_week,
        on_hand_units,
        (
            is_ordered_in_window
            or is_stocked
            or lifecycle_stage != 'end_of_life'
        ) as is_active,
        is_ordered_in_window,
        is_stocked,
        is_perishable,
        requires_temperature_control,
        last_order_date,
        window_start_date as demand_window_start_date,
        window_end_date as demand_window_end_date,
        as_of_date
    from joined
)

select * from final
