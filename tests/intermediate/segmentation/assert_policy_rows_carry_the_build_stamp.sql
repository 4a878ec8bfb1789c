-- every policy row carries this build's segmentation stamp
-- (int_segmentation__build_stamp): the logic version and parameter
-- fingerprint that decided its segments, the inputs' fingerprint and, for
-- the segment matrix and the transport policy, the as-of date
with stamp as (
    select * from {{ ref('int_segmentation__build_stamp') }}
),

stamped as (
    select
        'inventory_policies' as mart,
        sku_id || '|' || dc_id as row_key,
        segmentation_logic_version,
        segmentation_logic_fingerprint,
        segmentation_input_fingerprint,
        as_of_date
    from {{ ref('inventory_policies') }}
    union all
    select
        'transport_policies' as mart,
        customer_segment || '|' || product_segment as row_key,
        segmentation_logic_version,
        segmentation_logic_fingerprint,
        segmentation_input_fingerprint,
        as_of_date
    from {{ ref('transport_policies') }}
    union all
    select
        'segment_policy_matrix' as mart,
        customer_segment || '|' || product_segment as row_key,
        segmentation_logic_version,
        segmentation_logic_fingerprint,
        segmentation_input_fingerprint,
        as_of_date
    from {{ ref('segment_policy_matrix') }}
)

select stamped.*
from stamped
cross join stamp
where
    stamped.segmentation_logic_version is distinct from stamp.logic_version
    or stamped.segmentation_logic_fingerprint
    is distinct from stamp.logic_fingerprint
    or stamped.segmentation_input_fingerprint
    is distinct from stamp.input_fingerprint
    or stamped.as_of_date is distinct from stamp.as_of_date
