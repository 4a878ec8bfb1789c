{#- One row per customer active in the trailing window (grain customer_id):
    the whale curve of cumulative cost-to-serve profit. Customers are ranked
    by cost_to_serve_margin over the window, most profitable first (ties by
    customer_id, so ranks run 1..n without gaps); cumulative_margin adds the
    margins down the ranking. cumulative_margin_share is cumulative_margin
    over the total margin of all customers: it rises above 1 while
    profitable customers are added (the "hump" of the whale), falls back as
    the unprofitable tail eats into it, and ends at exactly 1 at the last
    customer. It is null when the total margin is not positive. -#}
with window_customers as (
    select * from {{ ref('int_customers__window_profitability') }}
),

ranked as (
    select
        window_customers.customer_id,
        window_customers.net_revenue,
        window_customers.gross_margin,
        window_customers.cost_to_serve,
        window_customers.cost_to_serve_margin,
        row_number() over (
            order by
                window_customers.cost_to_serve_margin desc,
                window_customers.customer_id asc
        ) as profit_rank,
        count(*) over () as customer_count,
        sum(window_customers.cost_to_serve_margin) over ()
            as total_margin,
        window_customers.window_start_month,
        window_customers.window_end_month
    from window_customers
),

cumulated as (
    select
        ranked.*,
        sum(ranked.cost_to_serve_margin) over (
            order by ranked.profit_rank
            rows between unbounded preceding and current row
        ) as cumulative_margin
    from ranked
),

final as (
    select
        cumulated.customer_id,
        cumulated.net_revenue,
        cumulated.gross_margin,
        cumulated.cost_to_serve,
        cumulated.cost_to_serve_margin,
        cumulated.profit_rank,
        cumulated.customer_count,
        cumulated.cumulative_margin,
        cumulated.total_margin,
        case
            when cumulated.total_margin > 0
                then cumulated.cumulative_margin / cumulated.total_margin
        end as cumulative_margin_share,
        {{ dbt.cast('cumulated.profit_rank', type_double()) }}
        / cumulated.customer_count as cumulative_customer_share,
        cumulated.cost_to_serve_margin < 0 as is_unprofitable,
        cumulated.window_start_month,
        cumulated.window_end_month
    from cumulated
)

select * from final
