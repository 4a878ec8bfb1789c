{#-
    The segment KPIs as ratios of summable measures, defined once for
    segment_kpis (by month), segment_quarterly_review (by quarter) and
    segment_kpi_scorecard. Each entry: name, group (financial, service,
    inventory, sustainability) and the SQL of the ratio over the summed
    columns of segment_kpis (a column prefix `p` names the relation).
-#}
{% macro segment_kpi_definitions(p='') -%}
    {%- set double = type_double() -%}
    {{ return([
        {'name': 'cost_per_order', 'group': 'financial',
         'sql': dbt.cast(p ~ 'total_cost_to_serve', double)
            ~ ' / nullif(' ~ p ~ 'orders, 0)'},
        {'name': 'cost_to_serve_margin_pct', 'group': 'financial',
         'sql': dbt.cast(p ~ 'cost_to_serve_margin', double)
            ~ ' / nullif(' ~ dbt.cast(p ~ 'net_revenue', double) ~ ', 0)'},
        {'name': 'otif_rate', 'group': 'service',
         'sql': dbt.cast(p ~ 'otif_orders', double)
            ~ ' / nullif(' ~ p ~ 'otif_measured_orders, 0)'},
        {'name': 'fill_rate', 'group': 'service',
         'sql': dbt.cast(p ~ 'shipped_units', double)
            ~ ' / nullif(' ~ p ~ 'ordered_units, 0)'},
        {'name': 'perfect_order_rate', 'group': 'service',
         'sql': dbt.cast(p ~ 'perfect_orders', double)
            ~ ' / nullif(' ~ p ~ 'perfect_order_measured_orders, 0)'},
        {'name': 'dio_days', 'group': 'inventory',
         'sql': p ~ 'cogs_weighted_days_on_hand / nullif('
            ~ p ~ 'stocked_cogs, 0)'},
        {'name': 'inventory_turnover', 'group': 'inventory',
         'sql': '365.0 * ' ~ p ~ 'stocked_cogs / nullif('
            ~ p ~ 'cogs_weighted_days_on_hand, 0)'},
        {'name': 'dso_days', 'group': 'financial',
         'sql': p ~ 'amount_weighted_days_to_pay / nullif('
            ~ p ~ 'invoiced_amount, 0)'},
        {'name': 'co2_kg_per_order', 'group': 'sustainability',
         'sql': p ~ 'co2_kg / nullif(' ~ p ~ 'orders, 0)'},
    ]) }}
{%- endmacro %}


{#- The summable measures of segment_kpis, in order: what a period sums
    before segment_kpi_definitions() takes the ratios. -#}
{% macro segment_kpi_measures() -%}
    {{ return([
        'ordering_customers', 'orders', 'net_revenue', 'total_cost_to_serve',
        'cost_to_serve_margin', 'otif_measured_orders', 'otif_orders',
        'ordered_units', 'shipped_units', 'perfect_order_measured_orders',
        'perfect_orders', 'on_time_orders', 'in_full_orders',
        'damage_free_orders', 'invoice_accurate_orders', 'cogs',
        'stocked_cogs', 'cogs_weighted_days_on_hand', 'invoiced_amount',
        'amount_weighted_days_to_pay', 'co2_kg']) }}
{%- endmacro %}


{#- SQL: a KPI's status against its target (kpi_targets columns target,
    direction at_least or at_most, at_risk_tolerance as a fraction of the
    target's size): on_target when it meets the target, at_risk when it misses by
    at most the tolerance, off_target beyond; no_target without a target
    row, no_data when the KPI has no value (no orders measured). -#}
{% macro segment_kpi_status(actual, target, direction, tolerance) -%}
    case
        when {{ target }} is null then 'no_target'
        when {{ actual }} is null then 'no_data'
        when {{ direction }} = 'at_least' and {{ actual }} >= {{ target }}
            then 'on_target'
        when {{ direction }} = 'at_most' and {{ actual }} <= {{ target }}
            then 'on_target'
        when
            {{ direction }} = 'at_least'
            and {{ actual }}
            >= {{ target }} - {{ tolerance }} * abs({{ target }})
            then 'at_risk'
        when
            {{ direction }} = 'at_most'
            and {{ actual }}
            <= {{ target }} + {{ tolerance }} * abs({{ target }})
            then 'at_risk'
        else 'off_target'
    end
{%- endmacro %}


{#- SELECT: the rows of CTE `actuals` (segment, <period>, kpi, kpi_group,
    actual) with their target from seed segment_kpi_targets (the
    segment's own row, else its '*' row) and status. -#}
{% macro segment_kpis_against_targets(actuals, period) -%}
    select
        {{ actuals }}.segment,
        {{ actuals }}.{{ period }},
        {{ actuals }}.kpi,
        {{ actuals }}.kpi_group,
        {{ actuals }}.actual,
        coalesce(own.target, fallback.target) as target,
        coalesce(own.direction, fallback.direction) as direction,
        coalesce(own.at_risk_tolerance, fallback.at_risk_tolerance)
            as at_risk_tolerance,
        case
            when own.kpi is not null then 'segment'
            when fallback.kpi is not null then 'default'
        end as target_source,
        {{ segment_kpi_status(
            actuals ~ '.actual',
            'coalesce(own.target, fallback.target)',
            'coalesce(own.direction, fallback.direction)',
            'coalesce(own.at_risk_tolerance, fallback.at_risk_tolerance)') }}
            as status
    from {{ actuals }}
    left join {{ ref('segment_kpi_targets') }} as own
        on
            {{ actuals }}.segment = own.customer_segment
            and {{ actuals }}.kpi = own.kpi
    left join {{ ref('segment_kpi_targets') }} as fallback
        on
            {{ actuals }}.kpi = fallback.kpi
            and fallback.customer_segment = '*'
{%- endmacro %}


{#- SELECT: one row per segment, <period> and KPI of segment_kpi_definitions()
    from CTE `relation` holding the KPIs as columns. -#}
{% macro segment_kpi_unpivot(relation, period) -%}
    {%- for kpi in segment_kpi_definitions() %}
    select
        segment,
        {{ period }},
        '{{ kpi.name }}' as kpi,
        '{{ kpi.group }}' as kpi_group,
        {{ kpi.name }} as actual
    from {{ relation }}
    {{- '\n    union all' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
