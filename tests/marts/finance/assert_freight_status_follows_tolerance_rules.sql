{#- The status of every freight_reconciliation row follows the rules,
    recomputed here from the row's TMS and GL amounts and those of the next
    calendar month of its cost centre: matched, within_tolerance (var
    freight_tolerance_pct), timing_difference (the two months together
    within tolerance, or the difference to date within var
    freight_accrual_lag_pct of the month's TMS freight), else investigate; and cumulative_difference is GL to
    date - TMS to date. Returns the rows that break a rule. -#}
with reconciliation as (
    select
        posting_month,
        cost_center,
        tms_freight_cost,
        gl_freight_amount,
        cumulative_difference,
        status
    from {{ ref('freight_reconciliation') }}
),

to_date as (
    select
        reconciliation.posting_month,
        reconciliation.cost_center,
        sum(earlier.gl_freight_amount - earlier.tms_freight_cost)
            as cumulative_difference
    from reconciliation
    inner join reconciliation as earlier
        on
            reconciliation.cost_center = earlier.cost_center
            and reconciliation.posting_month >= earlier.posting_month
    group by 1, 2
),

expected as (
    select
        reconciliation.posting_month,
        reconciliation.cost_center,
        reconciliation.status,
        reconciliation.cumulative_difference,
        to_date.cumulative_difference as expected_cumulative_difference,
        case
            when abs(
                reconciliation.gl_freight_amount
                - reconciliation.tms_freight_cost
            ) <= {{ var('freight_match_tolerance') }} then 'matched'
            when abs(
                reconciliation.gl_freight_amount
                - reconciliation.tms_freight_cost
            ) <= {{ var('freight_tolerance_pct') }} / 100.0
            * reconciliation.tms_freight_cost then 'within_tolerance'
            when
                abs(to_date.cumulative_difference)
                <= {{ var('freight_accrual_lag_pct') }} / 100.0
                * reconciliation.tms_freight_cost
                then 'timing_difference'
            when
                next_month.posting_month is not null
                and abs(
                    reconciliation.gl_freight_amount
                    + next_month.gl_freight_amount
                    - reconciliation.tms_freight_cost
                    - next_month.tms_freight_cost
                ) <= {{ var('freight_tolerance_pct') }} / 100.0
                * (
                    reconciliation.tms_freight_cost
                    + next_month.tms_freight_cost
                )
                and reconciliation.tms_freight_cost
                + next_month.tms_freight_cost > 0
                then 'timing_difference'
            else 'investigate'
        end as expected_status
    from reconciliation
    inner join to_date
        on
            reconciliation.posting_month = to_date.posting_month
            and reconciliation.cost_center = to_date.cost_center
    left join reconciliation as next_month
        on
            reconciliation.cost_center = next_month.cost_center
            and next_month.posting_month
            = {{ dbt.dateadd('month', 1, 'reconciliation.posting_month') }}
)

select *
from expected
where
    status <> expected_status
    or cumulative_difference <> expected_cumulative_difference
