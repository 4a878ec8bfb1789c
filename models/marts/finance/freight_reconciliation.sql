{#- One row per posting month and cost centre (grain posting_month,
    cost_center): actual TMS freight (fct_shipments by ship month and
    origin DC) against the freight posted in the general ledger (accounts of
    cost pool outbound_freight in seed cost_pool_mapping).

    difference = GL - TMS; difference_pct is of TMS (0-100 scale). Status:
      matched            |difference| <= var freight_match_tolerance
      within_tolerance   |difference_pct| <= var freight_tolerance_pct
      timing_difference  outside tolerance, but either this and the next
                         calendar month together are within tolerance of
                         the two months' TMS freight, or the whole
                         difference to date (cumulative_difference) is at
                         most var freight_accrual_lag_pct % of this month's
                         TMS freight: carrier invoices of the month not yet
                         posted (the accrual lag)
      investigate        anything else (including the last month, whose
                         remainder has no next month to land in) -#}
with shipments as (
    select
        origin_dc_id,
        ship_date,
        freight_cost
    from {{ ref('fct_shipments') }}
),

general_ledger as (
    select
        posting_month,
        cost_center,
        cost_pool,
        amount
    from {{ ref('int_general_ledger__pooled') }}
),

tms_freight as (
    select
        {{ dbt.cast(dbt.date_trunc('month', 'shipments.ship_date'), 'date') }}
            as posting_month,
        shipments.origin_dc_id as cost_center,
        count(*) as shipment_count,
        sum(shipments.freight_cost) as tms_freight_cost
    from shipments
    group by 1, 2
),

gl_freight as (
    select
        general_ledger.posting_month,
        general_ledger.cost_center,
        count(*) as gl_row_count,
        sum(general_ledger.amount) as gl_freight_amount
    from general_ledger
    where general_ledger.cost_pool = 'outbound_freight'
    group by 1, 2
),

monthly as (
    select
        coalesce(tms_freight.posting_month, gl_freight.posting_month)
            as posting_month,
        coalesce(tms_freight.cost_center, gl_freight.cost_center)
            as cost_center,
        coalesce(tms_freight.shipment_count, 0) as shipment_count,
        {{ dbt.cast('coalesce(tms_freight.tms_freight_cost, 0)',
            'decimal(18, 2)') }} as tms_freight_cost,
        {{ dbt.cast('coalesce(gl_freight.gl_freight_amount, 0)',
            'decimal(18, 2)') }} as gl_freight_amount
    from tms_freight
    full outer join gl_freight
        on
            tms_freight.posting_month = gl_freight.posting_month
            and tms_freight.cost_center = gl_freight.cost_center
),

differences as (
    select
        monthly.*,
        monthly.gl_freight_amount - monthly.tms_freight_cost as difference
    from monthly
),

with_next as (
    -- The next calendar month of the same cost centre, when there is one.
    select
        differences.*,
        next_month.difference as next_month_difference,
        next_month.tms_freight_cost as next_month_tms_freight_cost,
        sum(differences.difference) over (
            partition by differences.cost_center
            order by differences.posting_month
            rows between unbounded preceding and current row
        ) as cumulative_difference
    from differences
    left join differences as next_month
        on
            differences.cost_center = next_month.cost_center
            and next_month.posting_month
            = {{ dbt.dateadd('month', 1, 'differences.posting_month') }}
),

measured as (
    select
        with_next.*,
        100.0 * with_next.difference
        / nullif(with_next.tms_freight_cost, 0) as difference_pct,
        100.0 * (with_next.difference + with_next.next_month_difference)
        / nullif(
            with_next.tms_freight_cost
            + with_next.next_month_tms_freight_cost, 0
        ) as two_month_difference_pct
    from with_next
),

final as (
    select
        measured.cost_center,
        case
            when
                abs(measured.difference)
                <= {{ var('freight_match_tolerance') }}
                then 'matched'
            when
                abs(measured.difference_pct)
                <= {{ var('freight_tolerance_pct') }}
                then 'within_tolerance'
            when
                abs(measured.two_month_difference_pct)
                <= {{ var('freight_tolerance_pct') }}
                or abs(measured.cumulative_difference)
                <= {{ var('freight_accrual_lag_pct') }} / 100.0
                * measured.tms_freight_cost
                then 'timing_difference'
            else 'investigate'
        end as status,
        measured.shipment_count,
        measured.tms_freight_cost,
        measured.gl_freight_amount,
        {{ dbt.cast('measured.difference', 'decimal(18, 2)') }}
            as difference,
        {{ dbt.cast('measured.difference_pct', type_double()) }}
            as difference_pct,
        {{ dbt.cast('measured.next_month_difference', 'decimal(18, 2)') }}
            as next_month_difference,
        {{ dbt.cast('measured.two_month_difference_pct', type_double()) }}
            as two_month_difference_pct,
        {{ dbt.cast('measured.cumulative_difference', 'decimal(18, 2)') }}
            as cumulative_difference,
        measured.next_month_difference is not null as has_next_month,
        measured.posting_month
    from measured
)

select * from final
