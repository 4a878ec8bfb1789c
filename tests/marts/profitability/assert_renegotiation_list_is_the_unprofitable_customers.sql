{#- The renegotiation list holds exactly the customers that the whale curve
    shows as unprofitable over the same window, each with its loss as the
    margin at stake, and ranks them 1..n by that loss. Returns the customers
    on one side only, with a different margin, or out of rank order. -#}
{%- set tolerance = var('profitability_tie_out_tolerance') -%}

with unprofitable as (
    select
        customer_id,
        cost_to_serve_margin
    from {{ ref('customer_whale_curve') }}
    where is_unprofitable
),

listed as (
    select
        customer_id,
        margin_at_stake,
        renegotiation_rank,
        row_number() over (
            order by margin_at_stake desc, customer_id asc
        ) as expected_rank
    from {{ ref('customer_renegotiation_list') }}
)

select
    coalesce(unprofitable.customer_id, listed.customer_id) as customer_id,
    unprofitable.cost_to_serve_margin,
    listed.margin_at_stake,
    listed.renegotiation_rank,
    listed.expected_rank
from unprofitable
full outer join listed
    on unprofitable.customer_id = listed.customer_id
where
    unprofitable.customer_id is null
    or listed.customer_id is null
    or abs(listed.margin_at_stake + unprofitable.cost_to_serve_margin)
    > {{ tolerance }}
    or listed.renegotiation_rank <> listed.expected_rank
