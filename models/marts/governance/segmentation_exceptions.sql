{#-
    The register of segmentation exceptions (grain exception_id): what
    needs a person's decision, who owns it (seed data_ownership), how long
    it has been open and to whom it has escalated. Five rules:

      between_segments             a customer whose nearest segment is
                                   hardly nearer than the next
                                   (segment_exceptions)
      override_to_unknown_segment  an override to a segment the current
                                   method does not produce
                                   (segment_exceptions)
      override_expiring            an active override that ends within
                                   var override_expiry_warning_days of the
                                   as-of date (customer_segments)
      urgent_order_outside_policy  a high-value order (net revenue from var
                                   exception_high_value_order_quantile of
                                   the orders of the last var
                                   exception_order_lookback_days days)
                                   shipped expedited although its segments'
                                   transport policy does not allow it
                                   (expedite_recommendations)
      policy_misalignment          a SKU x DC whose fill rate misses its
                                   policy's target (inventory_performance)
      kpi_off_target               a segment's KPI off target in the latest
                                   month (segment_kpi_scorecard)

    An exception opens on its event's date where it has one (the ship date,
    the day the override entered the warning window, the first month of the
    KPI's current run off target) and otherwise on the as-of date of the
    build that first found it. Its age is in days from then to the as-of
    date; at each age of var exception_escalation_age_days it escalates one
    level (owner_role, escalation_role_1, escalation_role_2).

    Incremental and never rebuilt (full_refresh=false), so an exception
    keeps the date it was first found across builds: each build writes the
    exceptions it finds (open) and closes those of earlier builds it no
    longer finds (status closed, closed_on its as-of date). A closed
    exception found again opens anew.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='exception_id',
    full_refresh=false,
    on_schema_change='fail',
) }}
{%- set escalation_ages = var('exception_escalation_age_days') -%}
{%- if escalation_ages | length != 2
    or escalation_ages[0] > escalation_ages[1] -%}
    {%- do exceptions.raise_compiler_error(
        'var exception_escalation_age_days must be two ages in days, the'
        ~ ' first no larger than the second, got ' ~ escalation_ages) -%}
{%- endif %}

with customers as (
    select
        customer_id,
        segment,
        reason_code,
        override_valid_to,
        as_of_date
    from {{ ref('customer_segments') }}
),

as_of as (
    select max({{ dbt.cast("customers.as_of_date", "date") }}) as as_of_date
    from customers
),

segment_exceptions as (
    select
        customer_id,
        segment,
        algorithm_segment,
        exception_reason,
        distance_ratio
    from {{ ref('segment_exceptions') }}
),

orders as (
    select
        order_id,
        net_revenue,
        order_date
    from {{ ref('fct_orders') }}
),

expedites as (
    select
        order_id,
        customer_id,
        customer_segment,
        product_segment,
        policy_key,
        order_net_revenue,
        ship_date
    from {{ ref('expedite_recommendations') }}
    where
        move_reason = 'segment_not_expedite_eligible'
        and not is_expedite_eligible
),

inventory as (
    select
        sku_id,
        dc_id,
        segment,
        policy_type,
        fill_rate,
        target_fill_rate
    from {{ ref('inventory_performance') }}
    where misalignment_status = 'misaligned'
),

scorecard as (
    select
        segment,
        month,
        kpi,
        actual,
        target,
        status
    from {{ ref('segment_kpi_scorecard') }}
),

ownership as (
    select
        subject,
        owner_role,
        escalation_role_1,
        escalation_role_2,
        procedure
    from {{ ref('data_ownership') }}
    where subject_type = 'rule'
),

lookback_orders as (
    select orders.net_revenue
    from orders
    cross join as_of
    where
        orders.order_date > {{ dbt.dateadd(
            'day', -var('exception_order_lookback_days'),
            'as_of.as_of_date') }}
        and orders.order_date <= as_of.as_of_date
),

high_value as (
    select
        quantile_cont(
            lookback_orders.net_revenue,
            {{ var('exception_high_value_order_quantile') }}
        ) as min_net_revenue
    from lookback_orders
),

urgent_orders as (
    select
        expedites.order_id,
        min(expedites.customer_segment) as customer_segment,
        min(expedites.order_net_revenue) as order_net_revenue,
        min(expedites.ship_date) as first_ship_date,
        string_agg(
            distinct expedites.product_segment, ', '
            order by expedites.product_segment
        ) as product_segments
    from expedites
    cross join as_of
    where
        expedites.ship_date > {{ dbt.dateadd(
            'day', -var('exception_order_lookback_days'),
            'as_of.as_of_date') }}
        and expedites.ship_date <= as_of.as_of_date
    group by 1
),

-- a KPI's current run off target: the months since it was last not off
-- target, up to the latest month
latest_month as (
    select max(scorecard.month) as month
    from scorecard
),

last_not_off as (
    select
        scorecard.segment,
        scorecard.kpi,
        max(scorecard.month) as month
    from scorecard
    where scorecard.status != 'off_target'
    group by 1, 2
),

kpi_runs as (
    select
        scorecard.segment,
        scorecard.kpi,
        min(scorecard.month) as run_start_month
    from scorecard
    left join last_not_off
        on
            scorecard.segment = last_not_off.segment
            and scorecard.kpi = last_not_off.kpi
    where
        last_not_off.month is null
        or scorecard.month > last_not_off.month
    group by 1, 2
),

kpi_misses as (
    select
        scorecard.segment,
        scorecard.kpi,
        scorecard.actual,
        scorecard.target,
        kpi_runs.run_start_month
    from scorecard
    inner join latest_month
        on scorecard.month = latest_month.month
    inner join kpi_runs
        on
            scorecard.segment = kpi_runs.segment
            and scorecard.kpi = kpi_runs.kpi
    where scorecard.status = 'off_target'
),

found as (
    select
        segment_exceptions.exception_reason as exception_type,
        'customer' as entity_type,
        segment_exceptions.customer_id as entity_id,
        segment_exceptions.segment,
        case
            when segment_exceptions.exception_reason = 'between_segments'
                then
                    'assigned ' || segment_exceptions.algorithm_segment
                    || '; nearest segment at '
                    || {{ dbt.cast(
                        'round(segment_exceptions.distance_ratio, 3)',
                        dbt.type_string()) }}
                    || ' of the distance to the next'
            else
                'override to ' || segment_exceptions.segment
                || ', which the current method does not produce'
        end as detail,
        {{ dbt.cast('null', 'date') }} as event_date
    from segment_exceptions

    union all

    select
        'override_expiring' as exception_type,
        'customer' as entity_type,
        customers.customer_id as entity_id,
        customers.segment,
        'override to ' || customers.segment || ' ends on '
        || {{ dbt.cast('customers.override_valid_to', dbt.type_string()) }}
            as detail,
        {{ dbt.cast(dbt.dateadd(
            'day', -var('override_expiry_warning_days'),
            'customers.override_valid_to'), 'date') }} as event_date
    from customers
    where
        customers.reason_code = 'manual_override'
        and customers.override_valid_to >= customers.as_of_date
        and customers.override_valid_to <= {{ dbt.dateadd(
            'day', var('override_expiry_warning_days'),
            'customers.as_of_date') }}

    union all

    select
        'urgent_order_outside_policy' as exception_type,
        'order' as entity_type,
        urgent_orders.order_id as entity_id,
        urgent_orders.customer_segment as segment,
        'expedited with net revenue '
        || {{ dbt.cast(
            'round(urgent_orders.order_net_revenue, 2)',
            dbt.type_string()) }}
        || '; product segments ' || urgent_orders.product_segments
        || ' not expedite eligible' as detail,
        urgent_orders.first_ship_date as event_date
    from urgent_orders
    cross join high_value
    where urgent_orders.order_net_revenue >= high_value.min_net_revenue

    union all

    select
        'policy_misalignment' as exception_type,
        'sku_dc' as entity_type,
        inventory.sku_id || '|' || inventory.dc_id as entity_id,
        inventory.segment,
        inventory.policy_type || ' policy: fill rate '
        || {{ dbt.cast('round(inventory.fill_rate, 4)', dbt.type_string()) }}
        || ' against a target of '
        || {{ dbt.cast(
            'round(inventory.target_fill_rate, 4)', dbt.type_string()) }}
            as detail,
        {{ dbt.cast('null', 'date') }} as event_date
    from inventory

    union all

    select
        'kpi_off_target' as exception_type,
        'segment_kpi' as entity_type,
        kpi_misses.segment || '|' || kpi_misses.kpi as entity_id,
        kpi_misses.segment,
        kpi_misses.kpi || ' ' || {{ dbt.cast(
            'round(kpi_misses.actual, 4)', dbt.type_string()) }}
        || ' against a target of ' || {{ dbt.cast(
            'round(kpi_misses.target, 4)', dbt.type_string()) }} as detail,
        {{ dbt.cast('kpi_misses.run_start_month', 'date') }} as event_date
    from kpi_misses
),

current_exceptions as (
    select
        {{ dbt.hash(dbt.concat([
            'found.exception_type', "'|'", 'found.entity_type', "'|'",
            'found.entity_id'])) }} as exception_id,
        found.exception_type,
        found.entity_type,
        found.entity_id,
        found.segment,
        found.detail,
        found.event_date,
        as_of.as_of_date
    from found
    cross join as_of
),

-- the open exceptions of the earlier builds (none on the first)
-- noqa: disable=LT02
previous as (
    {%- if is_incremental() %}
    select
        exception_id,
        exception_type,
        entity_type,
        entity_id,
        segment,
        detail,
        event_date,
        first_detected_on
    from {{ this }}
    where status = 'open'
    {%- else %}
    select
        exception_id,
        exception_type,
        entity_type,
        entity_id,
        segment,
        detail,
        event_date,
        as_of_date as first_detected_on
    from current_exceptions
    where false
    {%- endif %}
),
-- noqa: enable=LT02

still_open as (
    select
        current_exceptions.exception_id,
        current_exceptions.exception_type,
        current_exceptions.entity_type,
        current_exceptions.entity_id,
        current_exceptions.segment,
        current_exceptions.detail,
        current_exceptions.event_date,
        coalesce(
            previous.first_detected_on, current_exceptions.as_of_date
        ) as first_detected_on,
        'open' as status,
        {{ dbt.cast('null', 'date') }} as closed_on,
        current_exceptions.as_of_date
    from current_exceptions
    left join previous
        on current_exceptions.exception_id = previous.exception_id
),

closed as (
    select
        previous.exception_id,
        previous.exception_type,
        previous.entity_type,
        previous.entity_id,
        previous.segment,
        previous.detail,
        previous.event_date,
        previous.first_detected_on,
        'closed' as status,
        as_of.as_of_date as closed_on,
        as_of.as_of_date
    from previous
    cross join as_of
    where previous.exception_id not in (
        select current_exceptions.exception_id from current_exceptions
    )
),

registered as (
    select * from still_open
    union all
    select * from closed
),

opened as (
    select
        registered.*,
        least(
            coalesce(registered.event_date, registered.first_detected_on),
            registered.first_detected_on
        ) as opened_on
    from registered
),

aged as (
    select
        opened.*,
        {{ dbt.datediff(
            'opened.opened_on',
            'coalesce(opened.closed_on, opened.as_of_date)', 'day') }}
            as age_days
    from opened
),

final as (
    select
        aged.exception_id,
        aged.exception_type,
        aged.entity_type,
        aged.entity_id,
        aged.segment,
        aged.detail,
        aged.status,
        aged.event_date,
        aged.first_detected_on,
        aged.opened_on,
        aged.closed_on,
        aged.age_days,
        case
            when aged.age_days >= {{ escalation_ages[1] }} then 2
            when aged.age_days >= {{ escalation_ages[0] }} then 1
            else 0
        end as escalation_level,
        ownership.owner_role,
        ownership.procedure,
        ownership.escalation_role_1,
        ownership.escalation_role_2,
        aged.as_of_date
    from aged
    left join ownership
        on aged.exception_type = ownership.subject
)

select
    final.exception_id,
    final.exception_type,
    final.entity_type,
    final.entity_id,
    final.segment,
    final.detail,
    final.status,
    final.event_date,
    final.first_detected_on,
    final.opened_on,
    final.closed_on,
    final.age_days,
    final.escalation_level,
    case final.escalation_level
        when 0 then final.owner_role
        when 1 then final.escalation_role_1
        else final.escalation_role_2
    end as assigned_role,
    final.owner_role,
    final.procedure,
    final.as_of_date
from final
