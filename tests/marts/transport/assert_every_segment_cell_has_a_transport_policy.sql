{#- Every cell of the segment matrix has exactly one transport policy: a
    seed transport_policy_rules without a row matching some policy key
    would leave the cell's shipments without a policy. Returns the cells
    with none or several. -#}
with matrix as (
    select
        customer_segment,
        product_segment,
        requires_temperature_control,
        policy_key
    from {{ ref('int_segments__policy_matrix') }}
),

policies as (
    select
        customer_segment,
        product_segment,
        requires_temperature_control,
        count(*) as policies
    from {{ ref('transport_policies') }}
    group by 1, 2, 3
)

select
    matrix.customer_segment,
    matrix.product_segment,
    matrix.requires_temperature_control,
    matrix.policy_key,
    coalesce(policies.policies, 0) as policies
from matrix
left join policies
    on
        matrix.customer_segment = policies.customer_segment
        and matrix.product_segment = policies.product_segment
        and matrix.requires_temperature_control
        = policies.requires_temperature_control
where coalesce(policies.policies, 0) <> 1
