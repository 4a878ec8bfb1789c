{#- The SKUs each DC stocks or ships without the handling its class needs
    (grain exception_type, sku_id, dc_id); see the YAML. -#}
with products as (
    select
        sku_id,
        handling_class,
        requires_temperature_control
    from {{ ref('dim_products') }}
),

distribution_centers as (
    select
        dc_id,
        is_temperature_controlled
    from {{ ref('dim_distribution_centers') }}
),

capabilities as (
    select
        dc_id,
        handling_class
    from {{ ref('dc_handling_capabilities') }}
),

gated_classes as (
    -- a class listed for any DC needs the capability wherever it is held
    select distinct handling_class from capabilities
),

stocked as (
    select
        sku_id,
        dc_id,
        on_hand_units
    from {{ ref('int_inventory__latest_snapshot') }}
    where on_hand_units > 0
),

shipped as (
    select
        sku_id,
        ship_from_dc_id as dc_id,
        count(*) as order_lines
    from {{ ref('fct_order_lines') }}
    where quantity_shipped > 0
    group by 1, 2
),

held as (
    -- every SKU x DC that holds or ships the SKU
    select
        coalesce(stocked.sku_id, shipped.sku_id) as sku_id,
        coalesce(stocked.dc_id, shipped.dc_id) as dc_id,
        coalesce(stocked.on_hand_units, 0) as on_hand_units,
        coalesce(shipped.order_lines, 0) as shipped_order_lines
    from stocked
    full outer join shipped
        on
            stocked.sku_id = shipped.sku_id
            and stocked.dc_id = shipped.dc_id
),

temperature as (
    select
        'temperature_product_at_uncontrolled_dc' as exception_type,
        held.sku_id,
        held.dc_id,
        products.handling_class,
        held.on_hand_units,
        held.shipped_order_lines
    from held
    inner join products
        on held.sku_id = products.sku_id
    inner join distribution_centers
        on held.dc_id = distribution_centers.dc_id
    where
        products.requires_temperature_control
        and not coalesce(distribution_centers.is_temperature_controlled, false)
),

capability as (
    select
        'handling_class_without_capability' as exception_type,
        held.sku_id,
        held.dc_id,
        products.handling_class,
        held.on_hand_units,
        held.shipped_order_lines
    from held
    inner join products
        on held.sku_id = products.sku_id
    inner join gated_classes
        on products.handling_class = gated_classes.handling_class
    left join capabilities
        on
            held.dc_id = capabilities.dc_id
            and products.handling_class = capabilities.handling_class
    where capabilities.dc_id is null
),

final as (
    select * from temperature
    union all
    select * from capability
)

select * from final
