{#-
    The segment matrix (grain customer_segment, product_segment,
    requires_temperature_control), published by the mart
    segment_policy_matrix and read by the transport policy: for every
    current customer segment and product segment, the policy the inventory
    and transport work applies, from seed segment_policies. A seed row
    matches a cell when its patterns match ('*' is a wildcard); the most
    specific row wins (customer pattern first, then product pattern, by
    the number of literal characters).

    Cold-chain rule: a cell of products that are perishable or need
    temperature control never gets fewer than
    var perishable_min_delivery_frequency_per_week deliveries a week or a
    mode other than var perishable_transport_mode; the policy key then gets
    the suffix _COLD and constraint_reason says why.
-#}
with customer_segments as (
    select distinct segment as customer_segment
    from {{ ref('int_customers__segment_decisions') }}
),

product_cells as (
    select distinct
        segment as product_segment,
        coalesce(is_perishable or requires_temperature_control, false)
            as requires_temperature_control
    from {{ ref('int_products__segments') }}
),

matrix as (
    select * from {{ ref('segment_policies') }}
),

candidates as (
    select
        customer_segments.customer_segment,
        product_cells.product_segment,
        product_cells.requires_temperature_control,
        matrix.policy_key,
        matrix.service_level_target,
        matrix.delivery_frequency_per_week,
        matrix.transport_mode,
        matrix.stocking_policy,
        matrix.customer_segment_pattern,
        matrix.product_segment_pattern,
        row_number() over (
            partition by
                customer_segments.customer_segment,
                product_cells.product_segment,
                product_cells.requires_temperature_control
            order by
                length(replace(matrix.customer_segment_pattern, '*', ''))
                desc,
                length(replace(matrix.product_segment_pattern, '*', '')) desc,
                matrix.policy_key asc
        ) as match_rank
    from customer_segments
    cross join product_cells
    inner join matrix
        on
            customer_segments.customer_segment
            like replace(matrix.customer_segment_pattern, '*', '%')
            and product_cells.product_segment
            like replace(matrix.product_segment_pattern, '*', '%')
),

final as (
    select
        candidates.customer_segment,
        candidates.product_segment,
        case
            when
                candidates.requires_temperature_control
                and (
                    candidates.transport_mode
                    <> '{{ var("perishable_transport_mode") }}'
                    or candidates.delivery_frequency_per_week
                    < {{ var('perishable_min_delivery_frequency_per_week') }}
                )
                then candidates.policy_key || '_COLD'
            else candidates.policy_key
        end as policy_key,
        case
            when candidates.requires_temperature_control
                then '{{ var("perishable_transport_mode") }}'
            else candidates.transport_mode
        end as transport_mode,
        candidates.stocking_policy,
        candidates.customer_segment_pattern,
        candidates.product_segment_pattern,
        case
            when
                candidates.requires_temperature_control
                and (
                    candidates.transport_mode
                    <> '{{ var("perishable_transport_mode") }}'
                    or candidates.delivery_frequency_per_week
                    < {{ var('perishable_min_delivery_frequency_per_week') }}
                )
                then 'perishable_or_temperature_controlled'
        end as constraint_reason,
        candidates.service_level_target,
        case
            when candidates.requires_temperature_control
                then greatest(
                    candidates.delivery_frequency_per_week,
                    {{ var('perishable_min_delivery_frequency_per_week') }}
                )
            else candidates.delivery_frequency_per_week
        end as delivery_frequency_per_week,
        candidates.requires_temperature_control,
        stamp.logic_version as segmentation_logic_version,
        stamp.logic_fingerprint as segmentation_logic_fingerprint,
        stamp.input_fingerprint as segmentation_input_fingerprint,
        stamp.as_of_date
    from candidates
    cross join {{ ref('int_segmentation__build_stamp') }} as stamp
    where candidates.match_rank = 1
)

select * from final
