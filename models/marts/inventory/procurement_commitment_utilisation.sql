{#-
    One row per supplier contract and commitment period (grain contract_id,
    period_start_date): every calendar month or quarter (the contract's
    period) that overlaps the contract's validity and has started by the
    build's as-of date (int_calendar__as_of_date: var as_of_date, or the
    latest order date).

      committed_quantity          the contract's committed_quantity_per_period
      committed_quantity_to_date  committed_quantity x covered_days /
                                  period_days, where covered_days are the
                                  period's days inside the validity and up
                                  to the as-of date (a period the contract
                                  covers only in part, or that is still
                                  running, is pro-rated)
      received_quantity           units of the receipts that count against
                                  the contract (int_purchase_receipts__
                                  contract_matched) received in the period
      utilisation_pct             100 x received / committed to date

    status: under_used when utilisation_pct < 100 - tolerance, over_used
    when > 100 + tolerance, else on_track (tolerance
    var procurement_utilisation_tolerance_pct, in percent points).
-#}
{%- set tolerance = var('procurement_utilisation_tolerance_pct') -%}

with contracts as (
    select
        contract_id,
        supplier_id,
        sku_id,
        category,
        period,
        applies_to_segments,
        committed_quantity_per_period,
        price_break_quantity,
        valid_from,
        valid_to
    from {{ ref('procurement_contracts') }}
),

receipts as (
    select
        contract_id,
        quantity_received,
        received_value,
        is_price_break,
        receipt_date
    from {{ ref('int_purchase_receipts__contract_matched') }}
),

calendar as (
    select
        date_day,
        month_start_date,
        quarter_start_date
    from {{ ref('dim_dates') }}
),

as_of as (
    select max(as_of_date) as as_of_date
    from {{ ref('int_purchase_receipts__contract_matched') }}
),

contract_days as (
    -- Every day of a period that overlaps the validity, flagged when the
    -- contract covers it up to the as-of date.
    select
        contracts.contract_id,
        case contracts.period
            when 'quarter' then calendar.quarter_start_date
            else calendar.month_start_date
        end as period_start_date,
        case
            when
                calendar.date_day >= contracts.valid_from
                and calendar.date_day <= contracts.valid_to
                and calendar.date_day <= as_of.as_of_date
                then 1
            else 0
        end as is_covered_day
    from contracts
    cross join as_of
    inner join calendar
        on
            calendar.date_day
            >= case contracts.period
                when 'quarter'
                    then {{ dbt.date_trunc('quarter', 'contracts.valid_from') }}
                else {{ dbt.date_trunc('month', 'contracts.valid_from') }}
            end
            and calendar.date_day < case contracts.period
                when 'quarter'
                    then {{ dbt.dateadd('quarter', 1,
                        dbt.date_trunc('quarter', 'contracts.valid_to')) }}
                else {{ dbt.dateadd('month', 1,
                    dbt.date_trunc('month', 'contracts.valid_to')) }}
            end
),

periods as (
    select
        contract_days.contract_id,
        contract_days.period_start_date,
        count(*) as period_days,
        sum(contract_days.is_covered_day) as covered_days
    from contract_days
    group by 1, 2
    having sum(contract_days.is_covered_day) > 0
),

received as (
    select
        periods.contract_id,
        periods.period_start_date,
        sum(receipts.quantity_received) as received_quantity,
        sum(receipts.received_value) as received_value,
        count(*) as receipt_count,
        sum(case when receipts.is_price_break then 1 else 0 end)
            as price_break_receipt_count
    from periods
    inner join contracts
        on periods.contract_id = contracts.contract_id
    inner join receipts
        on
            periods.contract_id = receipts.contract_id
            and periods.period_start_date <= receipts.receipt_date
            and receipts.receipt_date < case contracts.period
                when 'quarter'
                    then {{ dbt.dateadd(
                        'quarter', 1, 'periods.period_start_date') }}
                else {{ dbt.dateadd('month', 1, 'periods.period_start_date') }}
            end
    group by 1, 2
),

measured as (
    select
        contracts.contract_id,
        contracts.supplier_id,
        contracts.sku_id,
        contracts.category,
        contracts.period,
        contracts.applies_to_segments,
        contracts.committed_quantity_per_period as committed_quantity,
        contracts.committed_quantity_per_period
        * periods.covered_days / periods.period_days
            as committed_quantity_to_date,
        coalesce(received.received_quantity, 0.0) as received_quantity,
        coalesce(received.received_value, 0.0) as received_value,
        coalesce(received.receipt_count, 0) as receipt_count,
        coalesce(received.price_break_receipt_count, 0)
            as price_break_receipt_count,
        periods.period_days,
        periods.covered_days,
        contracts.price_break_quantity is not null as has_price_break,
        {{ dbt.cast('periods.period_start_date', 'date') }}
            as period_start_date,
        {{ dbt.cast(dbt.dateadd('day', -1,
            "case contracts.period when 'quarter' then "
            ~ dbt.dateadd('quarter', 1, 'periods.period_start_date')
            ~ " else "
            ~ dbt.dateadd('month', 1, 'periods.period_start_date')
            ~ " end"), 'date') }} as period_end_date,
        as_of.as_of_date
    from periods
    inner join contracts
        on periods.contract_id = contracts.contract_id
    cross join as_of
    left join received
        on
            periods.contract_id = received.contract_id
            and periods.period_start_date = received.period_start_date
),

final as (
    select
        measured.contract_id,
        measured.supplier_id,
        measured.sku_id,
        measured.category,
        measured.period,
        measured.applies_to_segments,
        case
            when
                100.0 * measured.received_quantity
                < (100.0 - {{ tolerance }})
                * measured.committed_quantity_to_date
                then 'under_used'
            when
                100.0 * measured.received_quantity
                > (100.0 + {{ tolerance }})
                * measured.committed_quantity_to_date
                then 'over_used'
            else 'on_track'
        end as status,
        measured.committed_quantity,
        measured.committed_quantity_to_date,
        measured.received_quantity,
        measured.received_quantity - measured.committed_quantity_to_date
            as quantity_variance,
        100.0 * measured.received_quantity
        / nullif(measured.committed_quantity_to_date, 0) as utilisation_pct,
        measured.received_value,
        {{ dbt.cast('measured.receipt_count', dbt.type_bigint()) }}
            as receipt_count,
        {{ dbt.cast('measured.price_break_receipt_count',
            dbt.type_bigint()) }} as price_break_receipt_count,
        {{ dbt.cast('measured.period_days', dbt.type_bigint()) }}
            as period_days,
        {{ dbt.cast('measured.covered_days', dbt.type_bigint()) }}
            as covered_days,
        measured.has_price_break,
        measured.period_end_date <= measured.as_of_date
            as is_period_complete,
        measured.period_start_date,
        measured.period_end_date,
        measured.as_of_date
    from measured
)

select * from final
