{#- The segment matrix of int_segments__policy_matrix, published; see the
    YAML. -#}
with matrix as (
    select * from {{ ref('int_segments__policy_matrix') }}
),

final as (
    select
        customer_segment,
        product_segment,
        policy_key,
        transport_mode,
        stocking_policy,
        customer_segment_pattern,
        product_segment_pattern,
        constraint_reason,
        service_level_target,
        delivery_frequency_per_week,
        requires_temperature_control,
        segmentation_logic_version,
        segmentation_logic_fingerprint,
        segmentation_input_fingerprint,
        as_of_date
    from matrix
)

select * from final
