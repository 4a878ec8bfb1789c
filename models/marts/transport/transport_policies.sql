{#- The transport policy of every cell of the segment matrix; see the
    YAML. -#}
{%- set cold_mode = var('perishable_transport_mode') -%}

with matrix as (
    select
        customer_segment,
        product_segment,
        requires_temperature_control,
        policy_key,
        transport_mode,
        delivery_frequency_per_week,
        constraint_reason,
        segmentation_logic_version,
        segmentation_logic_fingerprint,
        segmentation_input_fingerprint,
        as_of_date
    from {{ ref('int_segments__policy_matrix') }}
),

rules as (
    select * from {{ ref('transport_policy_rules') }}
),

candidates as (
    -- a rule matches the cell's policy key before the cold-chain suffix;
    -- the most specific pattern (most literal characters) wins
    select
        matrix.*,
        rules.policy_key_pattern,
        rules.allowed_modes,
        rules.allowed_carriers,
        rules.max_transit_days,
        rules.otif_floor_pct,
        rules.delivery_window_start_hour,
        rules.delivery_window_end_hour,
        rules.delivery_weekdays,
        rules.is_expedite_eligible,
        rules.is_consolidation_allowed,
        rules.requires_security_screening,
        row_number() over (
            partition by
                matrix.customer_segment,
                matrix.product_segment,
                matrix.requires_temperature_control
            order by
                length(replace(rules.policy_key_pattern, '*', '')) desc,
                rules.policy_key_pattern asc
        ) as match_rank
    from matrix
    inner join rules
        on
            replace(matrix.policy_key, '_COLD', '')
            like replace(rules.policy_key_pattern, '*', '%')
),

final as (
    select
        customer_segment,
        product_segment,
        policy_key,
        policy_key_pattern,
        transport_mode as primary_mode,
        -- cold chain: the refrigerated mode only
        case
            when requires_temperature_control then '{{ cold_mode }}'
            else allowed_modes
        end as allowed_modes,
        allowed_carriers,
        delivery_weekdays,
        case
            when requires_temperature_control
                then 'temperature_control'
            when requires_security_screening then 'security_screening'
            else 'none'
        end as handling_requirement,
        constraint_reason,
        delivery_frequency_per_week,
        delivery_window_start_hour,
        delivery_window_end_hour,
        max_transit_days,
        otif_floor_pct,
        is_expedite_eligible,
        is_consolidation_allowed,
        requires_temperature_control,
        requires_security_screening,
        segmentation_logic_version,
        segmentation_logic_fingerprint,
        segmentation_input_fingerprint,
        as_of_date
    from candidates
    where match_rank = 1
)

select * from final
