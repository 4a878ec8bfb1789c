{#-
    Every segment decision of this build, with the features it used (grain
    entity_type, entity_id): each customer's segment from
    int_customers__segment_decisions with its clustering features
    (macro customer_clustering_features, the current period of
    int_customers__time_decayed_features) and each product's from
    int_products__segments with its ABC/XYZ features; the rule or reason
    that decided it, the as-of date, the features as text (rounded by
    macro segmentation_feature_text, so that the same data give the same
    text) and their md5. segment_decision_log keeps them across builds;
    int_segmentation__build_stamp fingerprints them.
-#}
{%- set customer_features = customer_clustering_features() -%}
{%- set product_features = product_segmentation_features() %}

with customer_decisions as (
    select
        customer_id,
        segment,
        segment_method,
        reason_code,
        reason,
        as_of_date
    from {{ ref('int_customers__segment_decisions') }}
),

customer_features as (
    select
        customer_id,
        {{ customer_features | join(',\n        ') }}
    from {{ ref('int_customers__time_decayed_features') }}
    where period_index = 0
),

products as (
    select
        sku_id,
        segment,
        segment_method,
        abc_class,
        xyz_class,
        as_of_date,
        {{ product_features | join(',\n        ') }}
    from {{ ref('int_products__segments') }}
),

customer_rows as (
    select
        'customer' as entity_type,
        customer_decisions.customer_id as entity_id,
        customer_decisions.segment,
        customer_decisions.segment_method,
        customer_decisions.reason_code,
        customer_decisions.reason,
        customer_decisions.as_of_date,
        {{ segmentation_feature_text('customer_features', customer_features) }}
            as features
    from customer_decisions
    left join customer_features
        on customer_decisions.customer_id = customer_features.customer_id
),

product_rows as (
    select
        'product' as entity_type,
        products.sku_id as entity_id,
        products.segment,
        products.segment_method,
        'abc_xyz' as reason_code,
        {{ dbt.concat([
            "'ABC class '", "coalesce(products.abc_class, 'null')",
            "', XYZ class '", "coalesce(products.xyz_class, 'null')"]) }}
            as reason,
        products.as_of_date,
        {{ segmentation_feature_text('products', product_features) }}
            as features
    from products
),

decisions as (
    select * from customer_rows
    union all
    select * from product_rows
),

final as (
    select
        decisions.*,
        {{ dbt.hash('decisions.features') }} as features_hash
    from decisions
)

select * from final
