{#-
    The feedback loop (grain segment, kpi): a change to propose for every
    customer segment that has missed its fill-rate or cost-per-order target
    (status at_risk or off_target in segment_kpi_scorecard) in each of its
    latest var recalibration_miss_periods months with a status, up to the
    latest month. A month with no orders (no_data) neither breaks nor
    extends the run.

      fill_rate       raise the service level of the segment's policies
                      (seed segment_policies, service_level_target) by var
                      recalibration_service_level_step, to at most var
                      recalibration_max_service_level; the expected effect
                      is the units the missed months fell short of the
                      target, a month on average, that the higher service
                      level is to recover
      cost_per_order  change the segment's delivery frequency (seed
                      segment_policies, delivery_frequency_per_week) as the
                      in-scope delivery_frequency_scenarios scenario that
                      saves the segment the most freight does; the expected
                      effect is that scenario's freight change, and the
                      cost per order it gives. Without a saving scenario,
                      the proposal is to review the target.

    Each proposal is a starting point for the steering committee: assess
    it with `make assess` before approving it (README, change control).
-#}
{%- set miss_periods = var('recalibration_miss_periods') | int -%}
{%- if miss_periods < 1 -%}
    {%- do exceptions.raise_compiler_error(
        'var recalibration_miss_periods must be at least 1, got '
        ~ miss_periods) -%}
{%- endif %}

with scorecard as (
    select
        segment,
        month,
        kpi,
        actual,
        target,
        status
    from {{ ref('segment_kpi_scorecard') }}
    where
        kpi in ('fill_rate', 'cost_per_order')
        and status in ('on_target', 'at_risk', 'off_target')
),

measures as (
    select
        segment,
        month,
        orders,
        ordered_units,
        shipped_units,
        total_cost_to_serve
    from {{ ref('segment_kpis') }}
),

policies as (
    select
        customer_segment,
        avg(service_level_target) as service_level_target,
        avg(delivery_frequency_per_week) as delivery_frequency_per_week
    from {{ ref('segment_policy_matrix') }}
    group by 1
),

frequency_scenarios as (
    select
        scenario,
        customer_segment,
        frequency_multiplier,
        orders_shipped,
        freight_delta
    from {{ ref('delivery_frequency_scenarios') }}
    where is_in_scope and freight_delta < 0
),

latest_month as (
    select max(scorecard.month) as month
    from scorecard
),

-- the latest months with a status, newest first
ranked as (
    select
        scorecard.*,
        row_number() over (
            partition by scorecard.segment, scorecard.kpi
            order by scorecard.month desc
        ) as recency
    from scorecard
),

runs as (
    select
        ranked.segment,
        ranked.kpi,
        min(ranked.month) as first_missed_month,
        max(ranked.month) as last_missed_month,
        count(*) as missed_periods
    from ranked
    where
        ranked.recency <= {{ miss_periods }}
        and ranked.status in ('at_risk', 'off_target')
    group by 1, 2
    having count(*) = {{ miss_periods }}
),

latest as (
    select
        ranked.segment,
        ranked.kpi,
        ranked.actual,
        ranked.target
    from ranked
    where ranked.recency = 1
),

missed_measures as (
    select
        runs.segment,
        runs.kpi,
        sum(measures.orders) as orders,
        sum(measures.ordered_units) as ordered_units,
        sum(measures.shipped_units) as shipped_units,
        sum(measures.total_cost_to_serve) as total_cost_to_serve
    from runs
    inner join measures
        on
            runs.segment = measures.segment
            and runs.first_missed_month <= measures.month
            and runs.last_missed_month >= measures.month
    group by 1, 2
),

best_scenario as (
    select
        frequency_scenarios.customer_segment,
        frequency_scenarios.scenario,
        frequency_scenarios.frequency_multiplier,
        frequency_scenarios.orders_shipped,
        frequency_scenarios.freight_delta,
        row_number() over (
            partition by frequency_scenarios.customer_segment
            order by
                frequency_scenarios.freight_delta asc,
                frequency_scenarios.scenario asc
        ) as saving_rank
    from frequency_scenarios
),

proposals as (
    select
        runs.segment,
        runs.kpi,
        runs.missed_periods,
        runs.first_missed_month,
        latest_month.month as latest_month,
        latest.actual as latest_actual,
        latest.target,
        case
            when runs.kpi = 'fill_rate' then 'service_level'
            when best_scenario.scenario is not null
                then 'delivery_frequency'
            else 'review_target'
        end as proposal_type,
        case
            when runs.kpi = 'fill_rate'
                then 'segment_policies.service_level_target'
            when best_scenario.scenario is not null
                then 'segment_policies.delivery_frequency_per_week'
            else 'segment_kpi_targets.target'
        end as parameter,
        case
            when runs.kpi = 'fill_rate'
                then policies.service_level_target
            when best_scenario.scenario is not null
                then policies.delivery_frequency_per_week
            else latest.target
        end as current_value,
        case
            when runs.kpi = 'fill_rate'
                then least(
                    policies.service_level_target
                    + {{ var('recalibration_service_level_step') }},
                    {{ var('recalibration_max_service_level') }}
                )
            when best_scenario.scenario is not null
                then
                    policies.delivery_frequency_per_week
                    * best_scenario.frequency_multiplier
        end as proposed_value,
        best_scenario.scenario as effect_scenario,
        case
            when runs.kpi = 'fill_rate'
                then (
                    latest.target * missed_measures.ordered_units
                    - missed_measures.shipped_units
                ) / runs.missed_periods
        end as expected_units_recovered_per_month,
        case
            when runs.kpi = 'cost_per_order'
                then best_scenario.freight_delta
        end as expected_freight_change,
        case
            when runs.kpi = 'cost_per_order'
                then
                    latest.actual
                    + best_scenario.freight_delta
                    / nullif(best_scenario.orders_shipped, 0)
        end as expected_cost_per_order
    from runs
    cross join latest_month
    inner join latest
        on
            runs.segment = latest.segment
            and runs.kpi = latest.kpi
    left join missed_measures
        on
            runs.segment = missed_measures.segment
            and runs.kpi = missed_measures.kpi
    left join policies
        on runs.segment = policies.customer_segment
    left join best_scenario
        on
            runs.segment = best_scenario.customer_segment
            and runs.kpi = 'cost_per_order'
            and best_scenario.saving_rank = 1
),

final as (
    select
        proposals.*,
        case proposals.proposal_type
            when 'service_level'
                then
                    'Raise the service level target of the segment''s'
                    || ' policies from '
                    || {{ dbt.cast(
                        'round(proposals.current_value, 4)',
                        dbt.type_string()) }}
                    || ' to '
                    || {{ dbt.cast(
                        'round(proposals.proposed_value, 4)',
                        dbt.type_string()) }}
            when 'delivery_frequency'
                then
                    'Deliver as scenario ' || proposals.effect_scenario
                    || ' does: from '
                    || {{ dbt.cast(
                        'round(proposals.current_value, 2)',
                        dbt.type_string()) }}
                    || ' to '
                    || {{ dbt.cast(
                        'round(proposals.proposed_value, 2)',
                        dbt.type_string()) }}
                    || ' deliveries a week'
            else
                'No scenario lowers the segment''s cost: review the'
                || ' cost-per-order target'
        end as proposed_change
    from proposals
)

select * from final
