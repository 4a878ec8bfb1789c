{#- A SKU x DC is misaligned exactly when it has a policy with a target, at
    least var policy_misalignment_min_order_lines order lines in the window
    and a fill rate below the target by more than
    var policy_misalignment_tolerance; the target is the policy's column
    named by var policy_fill_rate_target. -#}
with performance as (
    select
        sku_id,
        dc_id,
        misalignment_status,
        order_line_count,
        fill_rate,
        target_fill_rate
    from {{ ref('inventory_performance') }}
),

policies as (
    select
        sku_id,
        dc_id,
        {{ var('policy_fill_rate_target') }} as policy_target
    from {{ ref('inventory_policies') }}
),

checked as (
    select
        performance.*,
        policies.policy_target,
        coalesce(
            policies.policy_target is not null
            and performance.order_line_count
            >= {{ var('policy_misalignment_min_order_lines') }}
            and performance.fill_rate
            < policies.policy_target
            - {{ var('policy_misalignment_tolerance') }},
            false
        ) as expected_misaligned
    from performance
    left join policies
        on
            performance.sku_id = policies.sku_id
            and performance.dc_id = policies.dc_id
)

select *
from checked
where
    (misalignment_status = 'misaligned')
    <> expected_misaligned
    or abs(
        coalesce(target_fill_rate, -1)
        - coalesce(policy_target, -1)
    ) > 1e-9
