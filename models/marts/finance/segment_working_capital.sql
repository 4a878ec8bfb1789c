{#- Working capital per customer segment (grain segment): the sums of
    customer_working_capital over the segment's customers, with DSO weighted
    by the trailing invoiced amount and DIO by the trailing cost of goods
    (the same weights the customer figures use, so the segment figure is
    the pooled one). Segments come from int_customers__segments. -#}
with customers as (
    select * from {{ ref('customer_working_capital') }}
),

segments as (
    select
        customer_id,
        segment
    from {{ ref('int_customers__segments') }}
),

final as (
    select
        segments.segment,
        count(*) as customer_count,
        sum(customers.trailing_invoiced_amount) as trailing_invoiced_amount,
        sum(customers.receivables_outstanding) as receivables_outstanding,
        sum(customers.overdue_receivables) as overdue_receivables,
        sum(customers.trailing_cogs) as trailing_cogs,
        sum(customers.inventory_tied_up) as inventory_tied_up,
        sum(customers.cash_tied_up) as cash_tied_up,
        sum(customers.dso_days * customers.trailing_invoiced_amount)
        / nullif(sum(case
            when customers.dso_days is not null
                then customers.trailing_invoiced_amount
        end), 0) as dso_days,
        sum(customers.dio_days * customers.trailing_cogs)
        / nullif(sum(case
            when customers.dio_days is not null
                then customers.trailing_cogs
        end), 0) as dio_days,
        max(customers.as_of_date) as as_of_date
    from customers
    inner join segments
        on customers.customer_id = segments.customer_id
    group by 1
)

select * from final
