{#-
    The segment every profitability mart reports by, one row per customer of
    dim_customers (grain customer_id): the segment of
    int_customers__segment_decisions, or var profitability_default_segment
    ('unsegmented', method 'none') for a customer the segmentation does not
    cover. segment_profitability and its tie-out test read only these three
    columns.
-#}
with customers as (
    select customer_id from {{ ref('dim_customers') }}
),

segments as (
    select
        customer_id,
        segment,
        segment_method
    from {{ ref('int_customers__segment_decisions') }}
),

final as (
    select
        customers.customer_id,
        coalesce(
            segments.segment, '{{ var("profitability_default_segment") }}'
        ) as segment,
        coalesce(segments.segment_method, 'none') as segment_method
    from customers
    left join segments
        on customers.customer_id = segments.customer_id
)

select * from final
