{#-
    Every segment decision of every build that segments (grain build_id,
    entity_type, entity_id): each customer's and product's segment with the
    reason that decided it and the features it used
    (int_segmentation__decision_features), stamped with the build's logic
    version, parameter fingerprint, approval and the fingerprint of its
    inputs of the entity's type (int_segmentation__build_stamp, the stamp
    the policy rows carry too).

    Incremental and never rebuilt (full_refresh=false): `make build`'s
    --full-refresh appends this build's decisions to the earlier builds'.
    A build that segments again on the same invocation replaces its own rows.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['build_id', 'entity_type', 'entity_id'],
    full_refresh=false,
    on_schema_change='fail',
) }}

with decisions as (
    select
        entity_type,
        entity_id,
        segment,
        segment_method,
        reason_code,
        reason,
        as_of_date,
        features,
        features_hash
    from {{ ref('int_segmentation__decision_features') }}
),

stamp as (
    select * from {{ ref('int_segmentation__build_stamp') }}
),

final as (
    select
        {{ governance_build_columns() | indent(8) }},
        decisions.entity_type,
        decisions.entity_id,
        decisions.segment,
        decisions.segment_method,
        decisions.reason_code,
        decisions.reason,
        decisions.as_of_date,
        stamp.logic_version,
        stamp.logic_fingerprint,
        stamp.is_logic_approved,
        decisions.features,
        decisions.features_hash,
        case decisions.entity_type
            when 'customer' then stamp.customer_entities
            else stamp.product_entities
        end as input_entities,
        case decisions.entity_type
            when 'customer' then stamp.customer_input_fingerprint
            else stamp.product_input_fingerprint
        end as input_fingerprint
    from decisions
    cross join stamp
)

select * from final
