{#- One row: the refresh window of this run. On a full build (or when the
    warehouse holds no base_erp__sales_orders yet) both columns are null and
    every incremental model is rebuilt whole. Otherwise the window starts
    var refresh_lookback_days days before the latest updated_at of the
    staged orders the warehouse already holds: rows of the extracts dated in
    the window (updated_at, or the event date of extracts without one) are
    compared with the warehouse, which catches late-arriving and corrected
    rows up to that many days late. -#}
{%- set previous_orders =
    refresh_previous_relation('base_erp__sales_orders') -%}
{%- set no_orders -%}
    (
        select
            {{ dbt.cast('null', dbt.type_timestamp()) }} as updated_at,
            false as dq_is_duplicate,
            false as dq_is_quarantined
    )
{%- endset -%}

with previous_orders as (
    -- staged rows only: a quarantined row may be dated in the future
    select max(orders.updated_at) as previous_watermark
    from {{ previous_orders if previous_orders is not none else no_orders }}
        as orders
    where not orders.dq_is_duplicate and not orders.dq_is_quarantined
),

final as (
    select
        previous_watermark,
        {{ dbt.cast(dbt.dateadd(
            'day', -var('refresh_lookback_days'),
            dbt.cast('previous_watermark', 'date')), 'date') }}
            as window_start
    from previous_orders
)

select * from final
