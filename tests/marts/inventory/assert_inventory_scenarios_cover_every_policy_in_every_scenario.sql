{#-
    inventory_policy_scenarios holds every inventory_policies row once in
    the base scenario and in each scenario of seed inventory_stress_scenarios
    (and no other scenario), and its base rows reproduce the policy's
    safety stock and reorder point. Returns the offending scenarios or rows.
-#}
with policies as (
    select
        sku_id,
        dc_id,
        safety_stock_units,
        reorder_point_units
    from {{ ref('inventory_policies') }}
),

scenarios as (
    select
        scenario,
        sku_id,
        dc_id,
        safety_stock_units,
        reorder_point_units
    from {{ ref('inventory_policy_scenarios') }}
),

expected_scenarios as (
    select 'base' as scenario
    union all
    select scenario from {{ ref('inventory_stress_scenarios') }}
),

expected_rows as (
    select
        expected_scenarios.scenario,
        policies.sku_id,
        policies.dc_id
    from expected_scenarios
    cross join policies
),

missing as (
    select
        expected_rows.scenario,
        expected_rows.sku_id,
        expected_rows.dc_id,
        'missing' as problem
    from expected_rows
    left join scenarios
        on
            expected_rows.scenario = scenarios.scenario
            and expected_rows.sku_id = scenarios.sku_id
            and expected_rows.dc_id = scenarios.dc_id
    where scenarios.sku_id is null
),

unexpected as (
    select
        scenarios.scenario,
        scenarios.sku_id,
        scenarios.dc_id,
        'unexpected' as problem
    from scenarios
    left join expected_rows
        on
            scenarios.scenario = expected_rows.scenario
            and scenarios.sku_id = expected_rows.sku_id
            and scenarios.dc_id = expected_rows.dc_id
    where expected_rows.sku_id is null
),

base_differs as (
    select
        scenarios.scenario,
        scenarios.sku_id,
        scenarios.dc_id,
        'base differs from the policy' as problem
    from scenarios
    inner join policies
        on
            scenarios.sku_id = policies.sku_id
            and scenarios.dc_id = policies.dc_id
    where
        scenarios.scenario = 'base'
        and (
            abs(scenarios.safety_stock_units - policies.safety_stock_units)
            > 1e-6
            or abs(
                scenarios.reorder_point_units - policies.reorder_point_units
            ) > 1e-6
        )
)

select * from missing
union all
select * from unexpected
union all
select * from base_differs
