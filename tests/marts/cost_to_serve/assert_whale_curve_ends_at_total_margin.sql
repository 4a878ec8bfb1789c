{#- The whale curve is complete and adds up. Recomputed from
    customer_profitability over the window: one row per active customer,
    profit_rank runs 1..n without gaps, every cumulative_margin is the
    previous one plus the customer's margin, and the last cumulative_margin
    equals the sum of all margins (its share exactly 1). Returns one row
    per broken rule. -#}
{%- set tolerance = var('profitability_tie_out_tolerance') -%}

with profitability_window as (
    select * from {{ ref('int_profitability__window') }}
),

window_rows as (
    select
        customer_profitability.customer_id,
        customer_profitability.cost_to_serve_margin
    from {{ ref('customer_profitability') }} as customer_profitability
    inner join profitability_window
        on
            customer_profitability.month
            >= profitability_window.window_start_month
            and customer_profitability.month
            < profitability_window.window_until_date
),

expected as (
    select
        count(distinct window_rows.customer_id) as customer_count,
        sum(window_rows.cost_to_serve_margin) as total_margin
    from window_rows
),

curve as (
    select * from {{ ref('customer_whale_curve') }}
),

stepped as (
    select
        curve.customer_id,
        curve.profit_rank,
        curve.cost_to_serve_margin,
        curve.cumulative_margin,
        curve.cumulative_margin - coalesce(lag(curve.cumulative_margin) over (
            order by curve.profit_rank
        ), 0) as step
    from curve
),

summary as (
    select
        count(*) as row_count,
        count(distinct curve.profit_rank) as rank_count,
        min(curve.profit_rank) as min_rank,
        max(curve.profit_rank) as max_rank,
        max(case
            when curve.profit_rank = curve.customer_count
                then curve.cumulative_margin
        end) as last_cumulative_margin,
        max(case
            when curve.profit_rank = curve.customer_count
                then curve.cumulative_margin_share
        end) as last_cumulative_margin_share
    from curve
),

failures as (
    select
        'customer count differs from customer_profitability' as failure,
        summary.row_count as actual,
        expected.customer_count as expected
    from summary
    cross join expected
    where summary.row_count <> expected.customer_count

    union all

    select
        'ranks are not 1..n without gaps' as failure,
        summary.max_rank as actual,
        summary.row_count as expected
    from summary
    where
        summary.min_rank <> 1
        or summary.max_rank <> summary.row_count
        or summary.rank_count <> summary.row_count

    union all

    select
        'last cumulative margin is not the total margin' as failure,
        summary.last_cumulative_margin as actual,
        expected.total_margin as expected
    from summary
    cross join expected
    where
        summary.last_cumulative_margin is null
        or abs(summary.last_cumulative_margin - expected.total_margin)
        > {{ tolerance }}

    union all

    select
        'last cumulative margin share is not 1' as failure,
        summary.last_cumulative_margin_share as actual,
        1 as expected
    from summary
    cross join expected
    where
        expected.total_margin > 0
        and (
            summary.last_cumulative_margin_share is null
            or abs(summary.last_cumulative_margin_share - 1)
            > {{ tolerance }}
        )

    union all

    select
        'cumulative margin step differs from the margin of '
        || stepped.customer_id as failure,
        stepped.step as actual,
        stepped.cost_to_serve_margin as expected
    from stepped
    where abs(stepped.step - stepped.cost_to_serve_margin) > {{ tolerance }}
)

select * from failures
